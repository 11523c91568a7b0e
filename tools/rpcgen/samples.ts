/**
 * Sample values for every `.x` type, synthesised from the parsed model, so that the round-trip
 * tests cover new types without edits. Variant 0 is minimal (zeros, empty strings and arrays,
 * absent optionals); variants 1 and up push numbers to their limits, fill optionals, use arrays
 * of two elements, non-ASCII strings and odd byte counts (to exercise padding), and pick
 * successive union arms.
 */

import type { Declaration, PrimitiveName, TypeSpec, UnionDef } from "./model";
import type { Protocol } from "./protocol";

/** Beyond this nesting depth every value is minimal, which keeps samples finite and small. */
const MAX_DEPTH = 8;

const STRINGS = ["", "héllo wörld ✓ 🚀", "a"];
const BYTES = [[], [0, 1, 2, 0x7f, 0x80, 0xff, 42], [0xaa]];

const PRIMITIVES: Readonly<Record<PrimitiveName, readonly unknown[]>> = {
    int: [0, 2147483647, -2147483648],
    "unsigned int": [0, 4294967295, 1],
    char: [0, 127, -128],
    "unsigned char": [0, 255, 1],
    short: [0, 32767, -32768],
    "unsigned short": [0, 65535, 1],
    hyper: [0n, (1n << 63n) - 1n, -(1n << 63n)],
    "unsigned hyper": [0n, (1n << 64n) - 1n, 1n],
    bool: [false, true, true],
    float: [0, 1.5, -0.25],
    double: [0, Math.PI, -1e300],
};

export class SampleBuilder {
    constructor(private readonly protocol: Protocol) {}

    /** How many variants cover a type at its top level (every arm of a union, at least 3). */
    variantCount(name: string): number {
        const t = this.protocol.typeByName.get(name);
        if (t?.def.kind === "union") return Math.max(3, t.def.arms.length + (t.def.defaultArm !== undefined ? 1 : 0));
        return 3;
    }

    /** A sample value of the named type (typedef, struct, union or enum). */
    sample(name: string, variant: number): unknown {
        return this.named(name, variant, 0);
    }

    private size(decl: Declaration): number | undefined {
        if (decl.size === undefined) return undefined;
        if (decl.size.kind === "number") return Number(decl.size.value);
        const symbol = this.protocol.symbols.get(decl.size.name);
        if (symbol === undefined || typeof symbol.value !== "bigint") throw new Error(`unknown size ${decl.size.name}`);
        return Number(symbol.value);
    }

    private named(name: string, variant: number, depth: number): unknown {
        const e = this.protocol.enumByName.get(name);
        if (e !== undefined) {
            const members = e.members;
            const pick = variant === 0 ? 0 : variant === 1 ? members.length - 1 : Math.floor(members.length / 2);
            return Number(members[pick]!.value);
        }
        const t = this.protocol.typeByName.get(name);
        if (t === undefined) throw new Error(`unknown type ${name}`);
        const def = t.def;
        const v = depth >= MAX_DEPTH ? 0 : variant;
        if (def.kind === "typedef") return this.decl(def.decl, v, depth + 1);
        if (def.kind === "struct") {
            const out: Record<string, unknown> = {};
            def.fields.forEach((f, i) => {
                // Vary the variant per field so one sample mixes absent and present optionals.
                out[f.name] = this.decl(f, v === 0 ? 0 : ((v + i) % 2) + 1, depth + 1);
            });
            return out;
        }
        return this.union(def, v, depth);
    }

    private union(def: UnionDef, variant: number, depth: number): unknown {
        const disc = def.discriminant.name;
        const armCount = def.arms.length + (def.defaultArm !== undefined ? 1 : 0);
        const index = variant % armCount;
        const inner = variant === 0 ? 0 : 1;
        if (index < def.arms.length) {
            const arm = def.arms[index]!;
            const c = arm.cases[variant % arm.cases.length]!;
            const value = c.kind === "number" ? c.value : (this.protocol.symbols.get(c.name)!.value as bigint);
            const out: Record<string, unknown> = { [disc]: Number(value) };
            if (arm.decl !== null) out[arm.decl.name] = this.decl(arm.decl, inner, depth + 1);
            return out;
        }
        // The default arm: a discriminant that no case names.
        const taken = new Set(
            def.arms.flatMap((a) =>
                a.cases.map((c) =>
                    c.kind === "number" ? c.value : (this.protocol.symbols.get(c.name)!.value as bigint),
                ),
            ),
        );
        let d = 0n;
        while (taken.has(d)) d++;
        const out: Record<string, unknown> = { [disc]: Number(d) };
        if (def.defaultArm) out[def.defaultArm.name] = this.decl(def.defaultArm, inner, depth + 1);
        return out;
    }

    private base(type: TypeSpec, variant: number, depth: number): unknown {
        if (type.kind === "primitive") return PRIMITIVES[type.name][variant % 3];
        if (type.kind === "named") return this.named(type.name, variant, depth);
        throw new Error(`${type.kind} has no scalar sample`);
    }

    private bytes(variant: number, max: number | undefined): Buffer {
        const bytes = BYTES[variant % 3]!;
        return Buffer.from(max === undefined ? bytes : bytes.slice(0, max));
    }

    decl(decl: Declaration, variant: number, depth: number): unknown {
        const type = decl.type;
        const isChar = type.kind === "primitive" && (type.name === "char" || type.name === "unsigned char");
        switch (decl.shape) {
            case "scalar":
                return this.base(type, variant, depth);
            case "optional":
                return variant === 0 || depth >= MAX_DEPTH ? null : this.base(type, variant, depth);
            case "fixed": {
                const n = this.size(decl)!;
                if (type.kind === "opaque" || isChar) {
                    return Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + variant * 101) & 0xff));
                }
                return Array.from({ length: n }, (_, i) => this.base(type, (variant + i) % 3, depth));
            }
            case "variable": {
                const max = this.size(decl);
                if (type.kind === "string") {
                    const s = STRINGS[variant % 3]!;
                    return max === undefined || Buffer.byteLength(s) <= max ? s : "x".repeat(Math.min(max, 3));
                }
                if (type.kind === "opaque" || isChar) return this.bytes(variant, max);
                const count = variant === 0 || depth >= MAX_DEPTH ? 0 : Math.min(2, max ?? 2);
                return Array.from({ length: count }, (_, i) => this.base(type, i + 1, depth));
            }
        }
    }
}
