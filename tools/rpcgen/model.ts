/**
 * The intermediate model shared by the parsers and the emitters.
 *
 * The `.x` parser produces one {@link XdrFile} per input file; the header parser produces
 * {@link HeaderEnum}s and {@link HeaderDefine}s. Values are kept as unevaluated {@link Value}s or
 * expression text until the symbol table resolves them, so that definitions may refer to names
 * defined later or in another file.
 */

/** A number literal or a reference to a named constant, as written in a `.x` file. */
export type Value = { readonly kind: "number"; readonly value: bigint; readonly text: string } | RefValue;

export interface RefValue {
    readonly kind: "ref";
    readonly name: string;
}

/** XDR scalar types that need no declaration. */
export type PrimitiveName =
    | "int"
    | "unsigned int"
    | "hyper"
    | "unsigned hyper"
    | "char"
    | "unsigned char"
    | "short"
    | "unsigned short"
    | "bool"
    | "float"
    | "double";

export type TypeSpec =
    | { readonly kind: "primitive"; readonly name: PrimitiveName }
    | { readonly kind: "string" }
    | { readonly kind: "opaque" }
    | { readonly kind: "named"; readonly name: string };

/**
 * One declaration: `T x`, `T *x`, `T x[N]`, `T x<N>` or `T x<>`.
 * `size` is absent for scalars, optionals and unbounded variable arrays.
 */
export interface Declaration {
    readonly name: string;
    readonly type: TypeSpec;
    readonly shape: "scalar" | "optional" | "fixed" | "variable";
    readonly size?: Value;
}

export interface ConstDef {
    readonly kind: "const";
    readonly name: string;
    readonly value: Value;
}

export interface EnumMember {
    readonly name: string;
    /** Absent when the member takes the previous value plus one. */
    readonly value?: Value;
    /** Annotations (`@key: value`) from the comment right before the member. */
    readonly annotations: readonly Annotation[];
}

export interface Annotation {
    readonly key: string;
    readonly value: string;
}

export interface EnumDef {
    readonly kind: "enum";
    readonly name: string;
    readonly members: readonly EnumMember[];
}

export interface TypedefDef {
    readonly kind: "typedef";
    readonly name: string;
    readonly decl: Declaration;
}

export interface StructDef {
    readonly kind: "struct";
    readonly name: string;
    readonly fields: readonly Declaration[];
}

export interface UnionArm {
    /** Case labels; several labels may share one arm. */
    readonly cases: readonly Value[];
    /** `null` for a `void` arm. */
    readonly decl: Declaration | null;
}

export interface UnionDef {
    readonly kind: "union";
    readonly name: string;
    readonly discriminant: Declaration;
    readonly arms: readonly UnionArm[];
    /** `undefined` when there is no default arm; `null` for `default: void;`. */
    readonly defaultArm?: Declaration | null;
}

export type Definition = ConstDef | EnumDef | TypedefDef | StructDef | UnionDef;

export interface XdrFile {
    /** File name without directory, e.g. `remote_protocol.x`. */
    readonly file: string;
    readonly definitions: readonly Definition[];
}

/** `typedef enum { ... } name;` from a C header. */
export interface HeaderEnum {
    readonly name: string;
    readonly file: string;
    readonly members: readonly { readonly name: string; readonly expr?: string }[];
}

/** `# define NAME value` from a C header (object-like macros only). */
export interface HeaderDefine {
    readonly name: string;
    readonly file: string;
    readonly expr: string;
}

export interface HeaderFile {
    readonly file: string;
    readonly enums: readonly HeaderEnum[];
    readonly defines: readonly HeaderDefine[];
}
