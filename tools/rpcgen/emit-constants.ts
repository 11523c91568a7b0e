/**
 * Emits the constants module: every `.x` const and enum (with an `XdrCodec` for each `.x`
 * enum), then every enum and numeric or string `#define` of the C headers.
 */

import { ModuleWriter } from "./module-writer";
import { enumCodecName, pascalCase } from "./naming";
import type { ConstSymbol, Protocol, ResolvedEnum } from "./protocol";
import { XDR_MODULE } from "./type-mapper";

export function emitConstantsModule(protocol: Protocol): ModuleWriter {
    const out = new ModuleWriter("./constants");
    out.suppress(
        "lint/suspicious/noDuplicateEnumValues: C enums have aliases (e.g. SNAPSHOT_LIST_ROOTS = DESCENDANTS)",
    );
    const origins: string[] = [];
    for (const f of protocol.xdrFiles) origins.push(f.file);
    for (const h of protocol.headers) origins.push(h.file);
    for (const origin of origins) {
        const consts = protocol.consts.filter((c) => c.origin === origin);
        const enums = protocol.enums.filter((e) => e.origin === origin);
        if (consts.length === 0 && enums.length === 0) continue;
        out.line(`// ---- ${origin} ----`);
        out.line();
        for (const c of consts) out.line(`export const ${c.name} = ${constLiteral(c)};`);
        if (consts.length > 0) out.line();
        for (const e of enums) emitEnum(out, e);
    }
    return out;
}

function constLiteral(c: ConstSymbol): string {
    if (typeof c.value === "string") return JSON.stringify(c.value);
    if (c.longLong) return `${c.value}n`;
    if (c.literal !== undefined && /^0[xX]/.test(c.literal)) return `0x${c.value.toString(16)}`;
    return c.value.toString();
}

function emitEnum(out: ModuleWriter, e: ResolvedEnum): void {
    const name = pascalCase(e.name);
    out.line(`/** \`${e.name}\` (${e.origin}) */`);
    out.line(`export enum ${name} {`);
    for (const m of e.members) out.line(`    ${m.name} = ${m.value},`);
    out.line("}");
    if (e.source === "xdr") {
        out.line(`export const ${enumCodecName(e.name)}: ${out.use(XDR_MODULE, "XdrCodec", false)}<${name}> = {`);
        out.line("    encode(w, v) {");
        out.line("        w.int(v);");
        out.line("    },");
        out.line("    decode(r) {");
        out.line("        return r.int();");
        out.line("    },");
        out.line("};");
    }
    out.line();
}
