/**
 * Maps `.x` declarations to TypeScript type expressions and to the XdrWriter / XdrReader calls
 * that encode and decode them, recording the imports each use needs.
 */

import type { Declaration, PrimitiveName, StructDef, TypeSpec, Value } from "./model";
import type { ModuleWriter } from "./module-writer";
import { pascalCase } from "./naming";
import type { Protocol } from "./protocol";

export const XDR_MODULE = "../xdr";
export const CONSTANTS_MODULE = "./constants";

const NUMBER_PRIMITIVES: Readonly<Record<PrimitiveName, { ts: string; method: string }>> = {
    int: { ts: "number", method: "int" },
    "unsigned int": { ts: "number", method: "uint" },
    char: { ts: "number", method: "int" },
    "unsigned char": { ts: "number", method: "uint" },
    short: { ts: "number", method: "int" },
    "unsigned short": { ts: "number", method: "uint" },
    hyper: { ts: "bigint", method: "hyper" },
    "unsigned hyper": { ts: "bigint", method: "uhyper" },
    bool: { ts: "boolean", method: "bool" },
    float: { ts: "number", method: "float" },
    double: { ts: "number", method: "double" },
};

export function primitiveInfo(name: PrimitiveName): { ts: string; method: string } {
    return NUMBER_PRIMITIVES[name];
}

export class TypeMapper {
    constructor(
        private readonly protocol: Protocol,
        private readonly out: ModuleWriter,
    ) {}

    /** The TypeScript expression of a value (a constant name, an enum member, or a literal). */
    valueExpr(v: Value, asValue = true): string {
        if (v.kind === "number") return v.value.toString();
        const symbol = this.protocol.symbols.get(v.name);
        if (symbol === undefined) throw new Error(`unknown constant ${v.name}`);
        if (symbol.kind === "member") {
            return `${this.out.use(CONSTANTS_MODULE, pascalCase(symbol.enumName), asValue)}.${symbol.name}`;
        }
        if (!asValue) return symbol.value.toString();
        return this.out.use(CONSTANTS_MODULE, symbol.name, true);
    }

    /** A value as a literal type (for union discriminants). */
    literalType(v: Value): string {
        if (v.kind === "ref") {
            const symbol = this.protocol.symbols.get(v.name);
            if (symbol?.kind === "member") return this.valueExpr(v, false);
            if (symbol?.kind === "const") return symbol.value.toString();
        }
        return this.valueExpr(v, false);
    }

    private sizeExpr(decl: Declaration): string {
        if (decl.size === undefined) return this.out.use(XDR_MODULE, "XDR_UNBOUNDED", true);
        return this.valueExpr(decl.size);
    }

    /** A named type's reference; for enums their TS enum, for the rest their interface/alias. */
    private namedType(name: string, asValue: boolean, codec: boolean): string {
        const e = this.protocol.enumByName.get(name);
        if (e !== undefined) return this.out.use(CONSTANTS_MODULE, pascalCase(name) + (codec ? "Codec" : ""), asValue);
        const t = this.protocol.typeByName.get(name);
        if (t === undefined) throw new Error(`unknown type ${name}`);
        return this.out.use(`./${t.module}`, pascalCase(name), asValue);
    }

    baseType(type: TypeSpec): string {
        switch (type.kind) {
            case "primitive":
                return NUMBER_PRIMITIVES[type.name].ts;
            case "string":
                return "string";
            case "opaque":
                return "Buffer";
            case "named": {
                const t = this.protocol.typeByName.get(type.name);
                if (t?.def.kind === "typedef") return this.declType(t.def.decl);
                return this.namedType(type.name, false, false);
            }
        }
    }

    private isCharType(type: TypeSpec): boolean {
        return type.kind === "primitive" && (type.name === "char" || type.name === "unsigned char");
    }

    declType(decl: Declaration): string {
        const base = this.baseType(decl.type);
        switch (decl.shape) {
            case "scalar":
                return base;
            case "optional":
                return `${base} | null`;
            default:
                if (decl.type.kind === "string") return "string";
                if (decl.type.kind === "opaque" || this.isCharType(decl.type)) return "Buffer";
                return base.includes("|") ? `(${base})[]` : `${base}[]`;
        }
    }

    /** True when the declaration (directly or through typedefs) is an optional pointer. */
    isOptional(decl: Declaration): boolean {
        if (decl.shape === "optional") return true;
        if (decl.shape !== "scalar" || decl.type.kind !== "named") return false;
        const t = this.protocol.typeByName.get(decl.type.name);
        return t?.def.kind === "typedef" && this.isOptional(t.def.decl);
    }

    /** `flags` of an `*_args` struct, optional for callers and encoded as 0 when absent. */
    isDefaultedFlags(decl: Declaration): boolean {
        return (
            decl.name === "flags" &&
            decl.shape === "scalar" &&
            decl.type.kind === "primitive" &&
            (decl.type.name === "unsigned int" || decl.type.name === "int")
        );
    }

    private elementEncoder(type: TypeSpec): string {
        if (type.kind === "primitive") return `(w, x) => w.${NUMBER_PRIMITIVES[type.name].method}(x)`;
        if (type.kind === "named") return `${this.namedType(type.name, true, true)}.encode`;
        throw new Error(`${type.kind} cannot be an array element`);
    }

    private elementDecoder(type: TypeSpec): string {
        if (type.kind === "primitive") return `(r) => r.${NUMBER_PRIMITIVES[type.name].method}()`;
        if (type.kind === "named") return `${this.namedType(type.name, true, true)}.decode`;
        throw new Error(`${type.kind} cannot be an array element`);
    }

    /** A statement writing `value` (an expression of the declaration's type) to `w`. */
    encodeStatement(decl: Declaration, value: string): string {
        const type = decl.type;
        switch (decl.shape) {
            case "scalar":
                if (type.kind === "primitive") return `w.${NUMBER_PRIMITIVES[type.name].method}(${value});`;
                if (type.kind === "named") return `${this.namedType(type.name, true, true)}.encode(w, ${value});`;
                throw new Error(`${decl.name}: ${type.kind} needs a size`);
            case "optional":
                if (type.kind === "string" || type.kind === "opaque")
                    throw new Error(`${decl.name}: optional ${type.kind}`);
                return `w.optional(${value}, ${this.elementEncoder(type)});`;
            case "fixed": {
                const size = this.sizeExpr(decl);
                if (type.kind === "opaque") return `w.fixedOpaque(${value}, ${size});`;
                if (this.isCharType(type)) return `w.fixedChars(${value}, ${size});`;
                if (type.kind === "string") throw new Error(`${decl.name}: fixed-size string`);
                return `w.fixedArray(${value}, ${size}, ${this.elementEncoder(type)});`;
            }
            case "variable": {
                const size = this.sizeExpr(decl);
                if (type.kind === "string") return `w.string(${value}, ${size});`;
                if (type.kind === "opaque") return `w.opaque(${value}, ${size});`;
                if (this.isCharType(type)) return `w.chars(${value}, ${size});`;
                return `w.array(${value}, ${size}, ${this.elementEncoder(type)});`;
            }
        }
    }

    /** An expression reading the declaration from `r`. */
    decodeExpression(decl: Declaration): string {
        const type = decl.type;
        switch (decl.shape) {
            case "scalar":
                if (type.kind === "primitive") return `r.${NUMBER_PRIMITIVES[type.name].method}()`;
                if (type.kind === "named") return `${this.namedType(type.name, true, true)}.decode(r)`;
                throw new Error(`${decl.name}: ${type.kind} needs a size`);
            case "optional":
                return `r.optional(${this.elementDecoder(type)})`;
            case "fixed": {
                const size = this.sizeExpr(decl);
                if (type.kind === "opaque") return `r.fixedOpaque(${size})`;
                if (this.isCharType(type)) return `r.fixedChars(${size})`;
                return `r.fixedArray(${size}, ${this.elementDecoder(type)})`;
            }
            case "variable": {
                const size = this.sizeExpr(decl);
                if (type.kind === "string") return `r.string(${size})`;
                if (type.kind === "opaque") return `r.opaque(${size})`;
                if (this.isCharType(type)) return `r.chars(${size})`;
                return `r.array(${size}, ${this.elementDecoder(type)})`;
            }
        }
    }

    /** True for a struct named `*_args`, whose flags and optional pointers callers may omit. */
    static isArgs(def: StructDef): boolean {
        return def.name.endsWith("_args");
    }
}
