/**
 * Seeing through zod's wrappers, for the code that walks an argument schema by hand (the secret paths,
 * check's "did you mean"): `.optional()`, `.default()` and the like wrap the schema that says what a
 * field holds.
 */
import type { z } from "zod";

/** A schema's definition (zod's internal `_zod.def`), or undefined for what is no zod schema. */
export type ZodDef = { type: string } & Record<string, any>;

export function zodDefOf(schema: unknown): ZodDef | undefined {
    return (schema as { _zod?: { def?: ZodDef } })?._zod?.def;
}

/** The wrappers that hold one schema as `innerType` and change only whether or how a value is given. */
const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

/** The schema a wrapper definition wraps; undefined when the definition is no wrapper. */
export function wrappedSchema(def: ZodDef): z.ZodType | undefined {
    return WRAPPERS.has(def.type) ? def.innerType : undefined;
}
