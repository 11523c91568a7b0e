/**
 * Emits one module of XDR types: for every typedef, struct and union of the `.x` files assigned
 * to the module, a TypeScript type and a same-named `XdrCodec` constant.
 */

import type { Declaration, StructDef, TypedefDef, UnionDef } from "./model";
import { ModuleWriter } from "./module-writer";
import { pascalCase } from "./naming";
import type { Protocol, TypeModule } from "./protocol";
import { TypeMapper, XDR_MODULE } from "./type-mapper";

export function emitTypesModule(protocol: Protocol, module: TypeModule): ModuleWriter {
    const out = new ModuleWriter(`./${module}`);
    const mapper = new TypeMapper(protocol, out);
    let lastOrigin = "";
    for (const entry of protocol.types) {
        if (entry.module !== module) continue;
        if (entry.origin !== lastOrigin) {
            out.line(`// ---- ${entry.origin} ----`);
            out.line();
            lastOrigin = entry.origin;
        }
        const def = entry.def;
        if (def.kind === "typedef") emitTypedef(out, mapper, def);
        else if (def.kind === "struct") emitStruct(out, mapper, def);
        else emitUnion(out, mapper, protocol, def);
        out.line();
    }
    return out;
}

function codecHeader(out: ModuleWriter, name: string): string {
    return `export const ${name}: ${out.use(XDR_MODULE, "XdrCodec", false)}<${name}> = {`;
}

function emitTypedef(out: ModuleWriter, mapper: TypeMapper, def: TypedefDef): void {
    const name = pascalCase(def.name);
    out.line(`/** \`${def.name}\` */`);
    out.line(`export type ${name} = ${mapper.declType(def.decl)};`);
    out.line(codecHeader(out, name));
    out.line("    encode(w, v) {");
    out.line(`        ${mapper.encodeStatement(def.decl, "v")}`);
    out.line("    },");
    out.line("    decode(r) {");
    out.line(`        return ${mapper.decodeExpression(def.decl)};`);
    out.line("    },");
    out.line("};");
}

function emitStruct(out: ModuleWriter, mapper: TypeMapper, def: StructDef): void {
    const name = pascalCase(def.name);
    const args = TypeMapper.isArgs(def);
    out.line(`/** \`struct ${def.name}\` */`);
    if (def.fields.length === 0) {
        out.line(`export type ${name} = Record<string, never>;`);
        out.line(codecHeader(out, name));
        out.line("    encode() {},");
        out.line("    decode() {");
        out.line("        return {};");
        out.line("    },");
        out.line("};");
        return;
    }
    out.line(`export interface ${name} {`);
    for (const field of def.fields) {
        const optional = args && (mapper.isDefaultedFlags(field) || mapper.isOptional(field));
        out.line(`    ${field.name}${optional ? "?" : ""}: ${mapper.declType(field)};`);
    }
    out.line("}");
    out.line(codecHeader(out, name));
    out.line("    encode(w, v) {");
    for (const field of def.fields) out.line(`        ${encodeField(mapper, field, args)}`);
    out.line("    },");
    out.line("    decode(r) {");
    out.line("        return {");
    for (const field of def.fields) out.line(`            ${field.name}: ${mapper.decodeExpression(field)},`);
    out.line("        };");
    out.line("    },");
    out.line("};");
}

function encodeField(mapper: TypeMapper, field: Declaration, args: boolean): string {
    const value = `v.${field.name}`;
    if (args && mapper.isDefaultedFlags(field)) return mapper.encodeStatement(field, `${value} ?? 0`);
    if (args && field.shape === "scalar" && mapper.isOptional(field)) {
        return mapper.encodeStatement(field, `${value} ?? null`);
    }
    return mapper.encodeStatement(field, value);
}

function emitUnion(out: ModuleWriter, mapper: TypeMapper, protocol: Protocol, def: UnionDef): void {
    const name = pascalCase(def.name);
    const disc = def.discriminant;
    const discName = disc.name;
    const discType = disc.type;
    let discMethod: string;
    if (discType.kind === "primitive" && (discType.name === "int" || discType.name === "unsigned int")) {
        discMethod = discType.name === "int" ? "int" : "uint";
    } else if (discType.kind === "named" && protocol.enumByName.has(discType.name)) {
        discMethod = "int";
    } else {
        throw new Error(`${def.name}: unsupported discriminant type`);
    }
    const member = (typeExpr: string, decl: Declaration | null): string =>
        decl === null
            ? `{ ${discName}: ${typeExpr} }`
            : `{ ${discName}: ${typeExpr}; ${decl.name}: ${mapper.declType(decl)} }`;
    out.line(`/** \`union ${def.name} switch (${discName})\` */`);
    out.line(`export type ${name} =`);
    const members: string[] = def.arms.map((arm) =>
        member(arm.cases.map((c) => mapper.literalType(c)).join(" | "), arm.decl),
    );
    if (def.defaultArm !== undefined) {
        const discTs = discType.kind === "named" ? mapper.baseType(discType) : "number";
        members.push(member(discTs, def.defaultArm));
    }
    members.forEach((m, i) => {
        out.line(`    | ${m}${i === members.length - 1 ? ";" : ""}`);
    });
    const xdrError = (): string => out.use(XDR_MODULE, "XdrError", true);
    // With a default arm, `{ d: number }` overlaps every case (numbers are assignable to numeric
    // enums), so TypeScript cannot narrow by the discriminant: read the arm's field through a cast.
    const armValue = (decl: Declaration): string =>
        def.defaultArm === undefined
            ? `v.${decl.name}`
            : `(v as { ${decl.name}: ${mapper.declType(decl)} }).${decl.name}`;
    out.line(codecHeader(out, name));
    out.line("    encode(w, v) {");
    out.line(`        w.${discMethod}(v.${discName});`);
    out.line(`        switch (v.${discName}) {`);
    for (const arm of def.arms) {
        for (const c of arm.cases) out.line(`            case ${mapper.valueExpr(c)}:`);
        if (arm.decl !== null) out.line(`                ${mapper.encodeStatement(arm.decl, armValue(arm.decl))}`);
        out.line("                return;");
    }
    out.line("            default:");
    if (def.defaultArm === undefined) {
        out.line(
            `                throw new ${xdrError()}(\`${def.name}: no arm for ${discName} \${String((v as { ${discName}: unknown }).${discName})}\`);`,
        );
    } else {
        if (def.defaultArm !== null) {
            out.line(`                ${mapper.encodeStatement(def.defaultArm, armValue(def.defaultArm))}`);
        }
        out.line("                return;");
    }
    out.line("        }");
    out.line("    },");
    out.line("    decode(r) {");
    out.line(`        const ${discName} = r.${discMethod}();`);
    out.line(`        switch (${discName}) {`);
    for (const arm of def.arms) {
        for (const c of arm.cases) out.line(`            case ${mapper.valueExpr(c)}:`);
        const literal = arm.cases.length === 1 ? mapper.valueExpr(arm.cases[0]!) : discName;
        const fields = arm.decl === null ? "" : `, ${arm.decl.name}: ${mapper.decodeExpression(arm.decl)}`;
        const cast = arm.cases.length === 1 ? "" : ` as ${arm.cases.map((c) => mapper.literalType(c)).join(" | ")}`;
        out.line(`                return { ${discName}: ${literal}${cast}${fields} };`);
    }
    out.line("            default:");
    if (def.defaultArm === undefined) {
        out.line(`                throw new ${xdrError()}(\`${def.name}: no arm for ${discName} \${${discName}}\`);`);
    } else {
        const fields =
            def.defaultArm === null ? "" : `, ${def.defaultArm.name}: ${mapper.decodeExpression(def.defaultArm)}`;
        out.line(`                return { ${discName}${fields} };`);
    }
    out.line("        }");
    out.line("    },");
    out.line("};");
}
