/**
 * The generator's intermediate form: the argument types of every kind as the TypeScript compiler
 * sees them (`z.input` of each args schema), reduced to what both outputs need. schema.json and
 * the SDK's interfaces are both written from this one form, so they cannot disagree.
 */

/** A type at one place in an argument tree. */
export type TypeRef =
    | { kind: "primitive"; name: "string" | "number" | "boolean" }
    | { kind: "literal"; value: string | number | boolean | null }
    | { kind: "array"; items: TypeRef }
    | { kind: "map"; values: TypeRef }
    | { kind: "object"; id: number }
    | { kind: "union"; members: TypeRef[] }
    /** An interface of sdk/generated (met in hand-written SDK types such as the component's args). */
    | { kind: "generated"; name: string }
    /** A resource class of the SDK, passed as such (a component's `pool: StoragePool`). */
    | { kind: "resource"; name: string }
    | { kind: "any" };

/** One property of an object type, with the JSDoc written next to its zod field. */
export interface FieldShape {
    readonly name: string;
    readonly type: TypeRef;
    readonly optional: boolean;
    readonly doc: string;
}

/** An object type of the arguments (a zod object schema, or an inline one). */
export interface ObjectShape {
    readonly id: number;
    /** Preferred name: the schema's variable (`natSchema` → `Nat`) or the place it was met. */
    readonly name: string;
    /** The zod schema's variable (`natSchema`), when the object is one; docs link to it. */
    readonly source?: string;
    readonly fields: FieldShape[];
}

/** A path from the resource root; numbers stand for "any list item". */
export type SchemaPath = (string | number)[];
