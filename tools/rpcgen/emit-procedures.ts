/**
 * Emits the procedure tables: per program a `<PROGRAM>_PROCEDURES` object keyed by procedure
 * name (number, codecs, stream direction, priority), the name → argument / return / message
 * type maps, and a lookup by number.
 */

import { ModuleWriter } from "./module-writer";
import { pascalCase } from "./naming";
import type { Program, Protocol } from "./protocol";
import { CONSTANTS_MODULE, XDR_MODULE } from "./type-mapper";

export function emitProceduresModule(protocol: Protocol): ModuleWriter {
    const out = new ModuleWriter("./procedures");
    out.suppress("lint/suspicious/noConfusingVoidType: the type maps use void for procedures without a payload");
    const codec = out.use(XDR_MODULE, "XdrCodec", false);
    out.line("/** Direction of a procedure's data stream, from the client's point of view. */");
    out.line('export type StreamDirection = "read" | "write" | null;');
    out.line();
    out.line("/** One procedure of one program, as the procedure tables describe it. */");
    out.line("export interface ProcedureInfo<Args = any, Ret = any, Message = any> {");
    out.line("    /** The procedure's name without the program prefix, e.g. `DOMAIN_LOOKUP_BY_NAME`. */");
    out.line("    readonly name: string;");
    out.line("    readonly program: number;");
    out.line("    readonly version: number;");
    out.line("    readonly number: number;");
    out.line(`    readonly args: ${codec}<Args> | null;`);
    out.line(`    readonly ret: ${codec}<Ret> | null;`);
    out.line("    /** Payload codec of an event (a server → client MESSAGE), null for calls. */");
    out.line(`    readonly message: ${codec}<Message> | null;`);
    out.line("    readonly stream: StreamDirection;");
    out.line('    readonly priority: "high" | "low";');
    out.line("}");
    out.line();
    for (const program of protocol.programs) emitProgram(out, protocol, program);
    return out;
}

function structRef(out: ModuleWriter, protocol: Protocol, name: string | null, asValue: boolean): string | null {
    if (name === null) return null;
    const t = protocol.typeByName.get(name)!;
    return out.use(`./${t.module}`, pascalCase(name), asValue);
}

function emitProgram(out: ModuleWriter, protocol: Protocol, program: Program): void {
    const upper = program.key.toUpperCase();
    const pascal = pascalCase(program.key);
    const table = `${upper}_PROCEDURES`;
    const enumName = out.use(CONSTANTS_MODULE, pascalCase(program.enumName), true);
    const programConst = out.use(CONSTANTS_MODULE, program.programConst, true);
    const versionConst = out.use(CONSTANTS_MODULE, program.versionConst, true);
    const procedures = [...program.procedures].sort((a, b) => a.number - b.number);

    out.line(`// ---- ${program.enumName} ----`);
    out.line();
    out.line(`/** Every procedure of ${upper}_PROGRAM, keyed by name without the \`${program.procPrefix}\` prefix. */`);
    out.line(`export const ${table} = {`);
    for (const p of procedures) {
        out.line(`    ${p.name}: {`);
        out.line(`        name: "${p.name}",`);
        out.line(`        program: ${programConst},`);
        out.line(`        version: ${versionConst},`);
        out.line(`        number: ${enumName}.${p.constName},`);
        out.line(`        args: ${structRef(out, protocol, p.args, true)},`);
        out.line(`        ret: ${structRef(out, protocol, p.ret, true)},`);
        out.line(`        message: ${structRef(out, protocol, p.msg, true)},`);
        out.line(`        stream: ${p.stream === null ? "null" : `"${p.stream}"`},`);
        out.line(`        priority: "${p.priority}",`);
        out.line("    },");
    }
    out.line("} as const;");
    out.line();
    out.line(`export type ${pascal}ProcedureName = keyof typeof ${table};`);
    out.line();
    const typeMap = (
        suffix: string,
        pick: (p: Program["procedures"][number]) => string | null,
        only: boolean,
    ): void => {
        if (only && procedures.every((p) => pick(p) === null)) {
            out.line(`export type ${pascal}Procedure${suffix} = Record<never, never>;`);
            out.line();
            return;
        }
        out.line(`export interface ${pascal}Procedure${suffix} {`);
        for (const p of procedures) {
            const name = pick(p);
            if (only && name === null) continue;
            out.line(`    ${p.name}: ${structRef(out, protocol, name, false) ?? "void"};`);
        }
        out.line("}");
        out.line();
    };
    out.line(`/** Argument type of each ${upper}_PROGRAM procedure (\`void\` when it takes none). */`);
    typeMap("Args", (p) => p.args, false);
    out.line(`/** Return type of each ${upper}_PROGRAM procedure (\`void\` when it returns nothing). */`);
    typeMap("Ret", (p) => p.ret, false);
    out.line(`/** Payload type of each ${upper}_PROGRAM event (procedures the server sends as MESSAGE). */`);
    typeMap("Message", (p) => p.msg, true);
    out.line(`export type ${pascal}EventName = keyof ${pascal}ProcedureMessage;`);
    out.line();
    out.line(`/** ${upper}_PROGRAM procedures by number. */`);
    out.line(`export const ${upper}_PROCEDURE_BY_NUMBER: ReadonlyMap<number, ProcedureInfo> = new Map(`);
    out.line(`    Object.values(${table} as Record<string, ProcedureInfo>).map((p) => [p.number, p]),`);
    out.line(");");
    out.line();
}
