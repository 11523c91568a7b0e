/**
 * Loads the `.x` files and headers of one libvirt release and resolves them into one model:
 * every constant and enum member evaluated, every type reference checked, and the procedure
 * enums turned into programs with their procedures, argument/return/message types and
 * annotations.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ExprError, type ExprResult, evaluateCExpr } from "./c-expr";
import { parseHeader } from "./header-parser";
import type { Annotation, Declaration, HeaderFile, StructDef, TypedefDef, UnionDef, Value, XdrFile } from "./model";
import { SUPPLEMENT_FILE, SUPPLEMENT_HEADER } from "./supplement";
import { parseXdr } from "./xdr-parser";

/** Generated module that holds the types of a `.x` file. */
export type TypeModule = "virnet" | "remote-types" | "qemu";

export interface ConstSymbol {
    readonly kind: "const";
    readonly name: string;
    readonly origin: string;
    readonly value: bigint | string;
    /** A `long long` constant (emitted as a bigint). */
    readonly longLong: boolean;
    /** Literal text when the definition was a plain number (keeps hex as written). */
    readonly literal?: string;
}

export interface EnumMemberSymbol {
    readonly kind: "member";
    readonly name: string;
    readonly enumName: string;
    readonly origin: string;
    readonly value: bigint;
}

export type SymbolEntry = ConstSymbol | EnumMemberSymbol;

export interface ResolvedEnum {
    readonly name: string;
    readonly origin: string;
    readonly source: "xdr" | "header";
    readonly members: readonly {
        readonly name: string;
        readonly value: bigint;
        readonly annotations: readonly Annotation[];
    }[];
}

export interface TypeEntry {
    readonly def: TypedefDef | StructDef | UnionDef;
    readonly origin: string;
    readonly module: TypeModule;
}

export type StreamDirection = "read" | "write" | null;

export interface Procedure {
    /** The enum member, e.g. `REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME`. */
    readonly constName: string;
    /** Without the program's prefix, e.g. `DOMAIN_LOOKUP_BY_NAME`. */
    readonly name: string;
    readonly number: number;
    /** `.x` struct names by the naming convention, or null when absent. */
    readonly args: string | null;
    readonly ret: string | null;
    readonly msg: string | null;
    readonly stream: StreamDirection;
    readonly priority: "high" | "low";
    readonly annotations: readonly Annotation[];
}

export interface Program {
    /** `remote`, `qemu`, `keepalive`. */
    readonly key: string;
    readonly enumName: string;
    readonly procPrefix: string;
    readonly programConst: string;
    readonly versionConst: string;
    readonly program: number;
    readonly version: number;
    readonly procedures: readonly Procedure[];
}

export interface Protocol {
    readonly libvirtVersion: string;
    readonly xdrFiles: readonly XdrFile[];
    readonly headers: readonly HeaderFile[];
    /** `.x` consts then header defines, in input order. */
    readonly consts: readonly ConstSymbol[];
    /** `.x` enums then header enums, in input order. */
    readonly enums: readonly ResolvedEnum[];
    readonly symbols: ReadonlyMap<string, SymbolEntry>;
    /** Every `.x` typedef, struct and union, in input order. */
    readonly types: readonly TypeEntry[];
    readonly typeByName: ReadonlyMap<string, TypeEntry>;
    readonly enumByName: ReadonlyMap<string, ResolvedEnum>;
    readonly programs: readonly Program[];
}

export class ProtocolError extends Error {
    override readonly name = "ProtocolError";
}

/** Input order of the `.x` files; others found in the directory follow, sorted. */
const XDR_ORDER = ["virnetprotocol.x", "virkeepaliveprotocol.x", "remote_protocol.x", "qemu_protocol.x"];

export function typeModuleOf(file: string): TypeModule {
    if (file === "virnetprotocol.x" || file === "virkeepaliveprotocol.x") return "virnet";
    if (file === "remote_protocol.x") return "remote-types";
    if (file === "qemu_protocol.x") return "qemu";
    throw new ProtocolError(`no generated module is assigned to ${file}`);
}

export interface ProtocolSources {
    readonly libvirtVersion: string;
    readonly xdr: readonly { readonly file: string; readonly text: string }[];
    readonly headers: readonly { readonly file: string; readonly text: string }[];
}

/** Reads `<dir>/*.x`, `<dir>/include/*.h` and the release from `<dir>/README.md`. */
export function readProtocolDir(dir: string, libvirtVersion?: string): ProtocolSources {
    const xdrNames = readdirSync(dir)
        .filter((f) => f.endsWith(".x"))
        .sort((a, b) => {
            const ia = XDR_ORDER.indexOf(a);
            const ib = XDR_ORDER.indexOf(b);
            if (ia >= 0 && ib >= 0) return ia - ib;
            if (ia >= 0 || ib >= 0) return ia >= 0 ? -1 : 1;
            return a < b ? -1 : a > b ? 1 : 0;
        });
    const includeDir = join(dir, "include");
    const headerNames = readdirSync(includeDir)
        .filter((f) => f.endsWith(".h"))
        .sort();
    let version = libvirtVersion;
    if (version === undefined) {
        let readme = "";
        try {
            readme = readFileSync(join(dir, "README.md"), "utf8");
        } catch {
            // handled below
        }
        version = /libvirt (\d+\.\d+\.\d+)/.exec(readme)?.[1];
        if (version === undefined)
            throw new ProtocolError(`cannot tell the libvirt release of ${dir}; pass --libvirt-version`);
    }
    return {
        libvirtVersion: version,
        xdr: xdrNames.map((file) => ({ file, text: readFileSync(join(dir, file), "utf8") })),
        headers: headerNames.map((file) => ({ file, text: readFileSync(join(includeDir, file), "utf8") })),
    };
}

export function loadProtocol(dir: string, libvirtVersion?: string): Protocol {
    return buildProtocol(readProtocolDir(dir, libvirtVersion));
}

export function buildProtocol(sources: ProtocolSources): Protocol {
    const xdrFiles = sources.xdr.map((s) => parseXdr(s.text, s.file));
    const headers = [
        ...sources.headers.map((s) => parseHeader(s.text, s.file)),
        parseHeader(SUPPLEMENT_HEADER, SUPPLEMENT_FILE),
    ];
    const resolver = new Resolver(xdrFiles, headers);
    return resolver.build(sources.libvirtVersion);
}

type Pending =
    | { kind: "xconst"; name: string; origin: string; value: Value }
    | { kind: "define"; name: string; origin: string; expr: string }
    | {
          kind: "member";
          name: string;
          enumName: string;
          origin: string;
          expr?: string;
          xvalue?: Value;
          previous?: string;
      };

class Resolver {
    private readonly pending = new Map<string, Pending>();
    private readonly resolved = new Map<string, SymbolEntry | null>();
    private readonly resolving = new Set<string>();

    constructor(
        private readonly xdrFiles: readonly XdrFile[],
        private readonly headers: readonly HeaderFile[],
    ) {
        const add = (p: Pending): void => {
            const existing = this.pending.get(p.name);
            if (existing !== undefined) {
                if (existing.kind === "define" && p.kind === "define" && existing.expr === p.expr) return;
                throw new ProtocolError(`${p.name} is defined twice (${existing.origin} and ${p.origin})`);
            }
            this.pending.set(p.name, p);
        };
        /** An enum's members (of a `.x` file or a header): each knows the one before it, for implicit values. */
        const addMembers = <M extends { name: string }>(
            enumName: string,
            origin: string,
            members: readonly M[],
            explicitValue: (m: M) => { xvalue?: Value } | { expr?: string },
        ): void => {
            members.forEach((m, i) => {
                const previous = i > 0 ? members[i - 1]!.name : undefined;
                add({
                    kind: "member",
                    name: m.name,
                    enumName,
                    origin,
                    ...explicitValue(m),
                    ...(previous !== undefined ? { previous } : {}),
                });
            });
        };
        for (const file of xdrFiles) {
            for (const def of file.definitions) {
                if (def.kind === "const") add({ kind: "xconst", name: def.name, origin: file.file, value: def.value });
                if (def.kind === "enum") {
                    addMembers(def.name, file.file, def.members, (m) =>
                        m.value !== undefined ? { xvalue: m.value } : {},
                    );
                }
            }
        }
        for (const header of headers) {
            for (const e of header.enums) {
                addMembers(e.name, header.file, e.members, (m) => (m.expr !== undefined ? { expr: m.expr } : {}));
            }
            for (const d of header.defines) add({ kind: "define", name: d.name, origin: header.file, expr: d.expr });
        }
    }

    /** The symbol, or null for a define that is not a constant (casts, aliases of types...). */
    lookup(name: string): SymbolEntry | null | undefined {
        if (this.resolved.has(name)) return this.resolved.get(name);
        const p = this.pending.get(name);
        if (p === undefined) return undefined;
        if (this.resolving.has(name)) throw new ProtocolError(`${name} is defined in terms of itself`);
        this.resolving.add(name);
        try {
            const entry = this.resolvePending(p);
            this.resolved.set(name, entry);
            return entry;
        } finally {
            this.resolving.delete(name);
        }
    }

    private numeric(name: string): ExprResult | undefined {
        const entry = this.lookup(name);
        if (entry === undefined || entry === null) return undefined;
        if (typeof entry.value === "string") return undefined;
        return { value: entry.value, longLong: entry.kind === "const" && entry.longLong };
    }

    valueOf(v: Value, context: string): bigint {
        if (v.kind === "number") return v.value;
        const r = this.numeric(v.name);
        if (r === undefined) throw new ProtocolError(`${context}: unknown constant ${v.name}`);
        return r.value;
    }

    private resolvePending(p: Pending): SymbolEntry | null {
        switch (p.kind) {
            case "xconst": {
                const value = this.valueOf(p.value, `${p.origin}: const ${p.name}`);
                return {
                    kind: "const",
                    name: p.name,
                    origin: p.origin,
                    value,
                    longLong: false,
                    ...(p.value.kind === "number" ? { literal: p.value.text } : {}),
                };
            }
            case "define": {
                const str = /^"((?:[^"\\]|\\.)*)"$/.exec(p.expr);
                if (str) {
                    return {
                        kind: "const",
                        name: p.name,
                        origin: p.origin,
                        value: JSON.parse(p.expr),
                        longLong: false,
                    };
                }
                try {
                    const r = evaluateCExpr(p.expr, (n) => this.numeric(n));
                    const literal = /^\s*\(?\s*(0[xX][0-9A-Fa-f]+|[1-9][0-9]*|0)\s*\)?\s*$/.exec(p.expr)?.[1];
                    return {
                        kind: "const",
                        name: p.name,
                        origin: p.origin,
                        value: r.value,
                        longLong: r.longLong,
                        ...(literal !== undefined ? { literal } : {}),
                    };
                } catch (err) {
                    if (err instanceof ExprError) return null;
                    throw err;
                }
            }
            case "member": {
                let value: bigint;
                const context = `${p.origin}: ${p.enumName}.${p.name}`;
                if (p.xvalue !== undefined) value = this.valueOf(p.xvalue, context);
                else if (p.expr !== undefined) {
                    try {
                        value = evaluateCExpr(p.expr, (n) => this.numeric(n)).value;
                    } catch (err) {
                        if (err instanceof ExprError) throw new ProtocolError(`${context}: ${err.message}`);
                        throw err;
                    }
                } else if (p.previous !== undefined) {
                    const prev = this.numeric(p.previous);
                    if (prev === undefined) throw new ProtocolError(`${context}: cannot resolve ${p.previous}`);
                    value = prev.value + 1n;
                } else value = 0n;
                return { kind: "member", name: p.name, enumName: p.enumName, origin: p.origin, value };
            }
        }
    }

    build(libvirtVersion: string): Protocol {
        const symbols = new Map<string, SymbolEntry>();
        for (const name of this.pending.keys()) {
            const entry = this.lookup(name);
            if (entry) symbols.set(name, entry);
        }
        const consts: ConstSymbol[] = [];
        const enums: ResolvedEnum[] = [];
        const types: TypeEntry[] = [];
        const resolveEnum = (
            name: string,
            origin: string,
            source: "xdr" | "header",
            members: readonly { name: string; annotations?: readonly Annotation[] }[],
        ): ResolvedEnum => ({
            name,
            origin,
            source,
            members: members.map((m) => {
                const s = symbols.get(m.name);
                if (s?.kind !== "member") throw new ProtocolError(`${origin}: ${name}.${m.name} did not resolve`);
                return { name: m.name, value: s.value, annotations: m.annotations ?? [] };
            }),
        });
        for (const file of this.xdrFiles) {
            for (const def of file.definitions) {
                if (def.kind === "const") consts.push(symbols.get(def.name) as ConstSymbol);
                else if (def.kind === "enum") enums.push(resolveEnum(def.name, file.file, "xdr", def.members));
                else types.push({ def, origin: file.file, module: typeModuleOf(file.file) });
            }
        }
        for (const header of this.headers) {
            for (const e of header.enums) enums.push(resolveEnum(e.name, header.file, "header", e.members));
            for (const d of header.defines) {
                const s = symbols.get(d.name);
                if (s?.kind === "const" && s.origin === header.file && !consts.includes(s)) consts.push(s);
            }
        }
        const typeByName = new Map<string, TypeEntry>();
        const enumByName = new Map<string, ResolvedEnum>();
        for (const e of enums) {
            if (enumByName.has(e.name)) throw new ProtocolError(`enum ${e.name} is defined twice`);
            enumByName.set(e.name, e);
        }
        for (const t of types) {
            if (typeByName.has(t.def.name) || enumByName.has(t.def.name)) {
                throw new ProtocolError(`type ${t.def.name} is defined twice`);
            }
            typeByName.set(t.def.name, t);
        }
        const protocol: Protocol = {
            libvirtVersion,
            xdrFiles: this.xdrFiles,
            headers: this.headers,
            consts,
            enums,
            symbols,
            types,
            typeByName,
            enumByName,
            programs: [],
        };
        checkTypes(protocol, (v, ctx) => this.valueOf(v, ctx));
        return { ...protocol, programs: buildPrograms(protocol) };
    }
}

function checkTypes(protocol: Protocol, evaluate: (v: Value, context: string) => bigint): void {
    const checkDecl = (decl: Declaration, context: string): void => {
        if (decl.type.kind === "named") {
            const name = decl.type.name;
            if (!protocol.typeByName.has(name) && !protocol.enumByName.has(name)) {
                throw new ProtocolError(`${context}: unknown type ${name}`);
            }
        }
        if (decl.size !== undefined) {
            const size = evaluate(decl.size, context);
            if (size < 0n || size > 0xffffffffn) throw new ProtocolError(`${context}: invalid size ${size}`);
        }
    };
    for (const t of protocol.types) {
        const context = `${t.origin}: ${t.def.name}`;
        const def = t.def;
        if (def.kind === "typedef") checkDecl(def.decl, context);
        else if (def.kind === "struct") for (const f of def.fields) checkDecl(f, `${context}.${f.name}`);
        else {
            checkDecl(def.discriminant, `${context} discriminant`);
            for (const arm of def.arms) {
                for (const c of arm.cases) evaluate(c, `${context} case`);
                if (arm.decl) checkDecl(arm.decl, `${context}.${arm.decl.name}`);
            }
            if (def.defaultArm) checkDecl(def.defaultArm, `${context}.${def.defaultArm.name}`);
        }
    }
}

function buildPrograms(protocol: Protocol): Program[] {
    const programs: Program[] = [];
    for (const e of protocol.enums) {
        if (e.source !== "xdr" || !e.name.endsWith("_procedure")) continue;
        const key = e.name.slice(0, -"_procedure".length);
        const upper = key.toUpperCase();
        const procPrefix = `${upper}_PROC_`;
        const programConst = `${upper}_PROGRAM`;
        const versionConst = `${upper}_PROTOCOL_VERSION`;
        const constValue = (name: string): number => {
            const s = protocol.symbols.get(name);
            if (s?.kind !== "const" || typeof s.value !== "bigint") {
                throw new ProtocolError(`${e.origin}: program constant ${name} is missing`);
            }
            return Number(s.value);
        };
        const structName = (name: string, suffix: string): string | null => {
            const n = `${key}_${name.toLowerCase()}_${suffix}`;
            const t = protocol.typeByName.get(n);
            if (t === undefined) return null;
            if (t.def.kind !== "struct") throw new ProtocolError(`${n} is not a struct`);
            return n;
        };
        const procedures = e.members.map((m): Procedure => {
            if (!m.name.startsWith(procPrefix))
                throw new ProtocolError(`${e.origin}: ${m.name} lacks prefix ${procPrefix}`);
            const name = m.name.slice(procPrefix.length);
            const annotation = (k: string): string | undefined => m.annotations.find((a) => a.key === k)?.value;
            const readStream = annotation("readstream") !== undefined;
            const writeStream = annotation("writestream") !== undefined;
            if (readStream && writeStream) throw new ProtocolError(`${m.name} is both a read and a write stream`);
            const priority = annotation("priority") ?? "low";
            if (priority !== "low" && priority !== "high")
                throw new ProtocolError(`${m.name}: unknown priority ${priority}`);
            return {
                constName: m.name,
                name,
                number: Number(m.value),
                args: structName(name, "args"),
                ret: structName(name, "ret"),
                msg: structName(name, "msg"),
                stream: readStream ? "read" : writeStream ? "write" : null,
                priority,
                annotations: m.annotations,
            };
        });
        programs.push({
            key,
            enumName: e.name,
            procPrefix,
            programConst,
            versionConst,
            program: constValue(programConst),
            version: constValue(versionConst),
            procedures,
        });
    }
    return programs;
}
