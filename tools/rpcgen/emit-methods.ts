/**
 * Emits the typed client methods: one camelCase method per callable procedure (not a stream,
 * not an event), each a thin call through the subclass's `callProcedure`.
 */

import type { StructDef } from "./model";
import { ModuleWriter } from "./module-writer";
import { camelCaseUpper, pascalCase } from "./naming";
import type { Procedure, Protocol } from "./protocol";
import { TypeMapper } from "./type-mapper";

export function isCallable(p: Procedure): boolean {
    return p.stream === null && p.msg === null;
}

export function emitMethodsModule(protocol: Protocol): ModuleWriter {
    const out = new ModuleWriter("./methods");
    const mapper = new TypeMapper(protocol, out);
    const options = out.use("../call-options", "CallOptions", false);
    for (const program of protocol.programs) {
        if (program.key === "keepalive") continue;
        const pascal = pascalCase(program.key);
        const call = program.key === "remote" ? "callProcedure" : `call${pascal}Procedure`;
        const nameType = out.use("./procedures", `${pascal}ProcedureName`, false);
        const argsMap = out.use("./procedures", `${pascal}ProcedureArgs`, false);
        const retMap = out.use("./procedures", `${pascal}ProcedureRet`, false);
        out.line(`/**`);
        out.line(
            ` * One typed method per callable procedure of ${program.key.toUpperCase()}_PROGRAM. Stream procedures`,
        );
        out.line(` * and events have no method here. Subclasses supply the transport through \`${call}\`.`);
        out.line(" */");
        out.line(`export abstract class ${pascal}ProcedureMethods {`);
        out.line(`    protected abstract ${call}<N extends ${nameType}>(`);
        out.line("        name: N,");
        out.line(`        args: ${argsMap}[N],`);
        out.line(`        options?: ${options},`);
        out.line(`    ): Promise<${retMap}[N]>;`);
        const seen = new Set<string>();
        for (const p of [...program.procedures].sort((a, b) => a.number - b.number)) {
            if (!isCallable(p)) continue;
            const method = methodName(p);
            if (seen.has(method)) throw new Error(`two procedures map to method ${method}`);
            seen.add(method);
            const ret = p.ret === null ? "void" : typeRef(out, protocol, p.ret);
            out.line();
            out.line(`    /** \`${p.constName}\` = ${p.number} */`);
            if (p.args === null) {
                out.line(`    ${method}(options?: ${options}): Promise<${ret}> {`);
                out.line(`        return this.${call}("${p.name}", undefined, options);`);
            } else {
                const def = protocol.typeByName.get(p.args)!.def as StructDef;
                const allOptional = def.fields.every((f) => mapper.isDefaultedFlags(f) || mapper.isOptional(f));
                const argType = typeRef(out, protocol, p.args);
                out.line(
                    `    ${method}(args: ${argType}${allOptional ? " = {}" : ""}, options?: ${options}): Promise<${ret}> {`,
                );
                out.line(`        return this.${call}("${p.name}", args, options);`);
            }
            out.line("    }");
        }
        out.line("}");
        out.line();
    }
    return out;
}

/** `DOMAIN_LOOKUP_BY_NAME` → `domainLookupByName`. */
export function methodName(p: Procedure): string {
    return camelCaseUpper(p.name);
}

function typeRef(out: ModuleWriter, protocol: Protocol, name: string): string {
    const t = protocol.typeByName.get(name)!;
    return out.use(`./${t.module}`, pascalCase(name), false);
}
