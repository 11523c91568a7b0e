/**
 * Secret arguments are declared where they are described: a field's schema wrapped in `secret()`
 * (a VNC password, a LUKS passphrase). Everything else derives from that one mark, by walking a
 * kind's argument schema: the SDK wraps those inputs in `pulumi.secret()` and marks the outputs that
 * echo them, check never quotes their values in a failure, diff and read never print them, and the
 * schema generator flags them `secret`. A new secret argument is therefore handled by declaring it.
 *
 * Paths are written as users write them, with `[]` for any list index: `devices.graphics[].password`.
 */
import { z } from "zod";
import { wrappedSchema, zodDefOf } from "./zod-wrappers";

/** The schemas marked secret. A registry, so the mark survives `.optional()` and other wrappers around it. */
const secretSchemas = z.registry<{ secret: true }>();

/** Marks a field's schema as holding a secret; wrap the innermost schema (`secret(z.string()).optional()`). */
export function secret<S extends z.ZodType>(schema: S): S {
    secretSchemas.add(schema, { secret: true });
    return schema;
}

function walk(schema: z.ZodType, path: string, found: Set<string>, seen: Set<z.ZodType>): void {
    if (seen.has(schema)) return;
    seen.add(schema);
    if (secretSchemas.has(schema)) {
        found.add(path);
        return;
    }
    const def = zodDefOf(schema);
    if (def === undefined) return;
    const inner = wrappedSchema(def);
    if (inner !== undefined) {
        walk(inner, path, found, seen);
        return;
    }
    const join = (key: string) => (path === "" ? key : `${path}.${key}`);
    switch (def.type) {
        case "pipe":
            walk(def.in, path, found, seen);
            walk(def.out, path, found, seen);
            return;
        case "lazy":
            walk(def.getter(), path, found, seen);
            return;
        case "array":
            walk(def.element, `${path}[]`, found, seen);
            return;
        case "union":
            for (const option of def.options) walk(option, path, found, seen);
            return;
        case "record":
            walk(def.valueType, join("*"), found, seen);
            return;
        case "object":
            for (const [key, value] of Object.entries(def.shape as Record<string, z.ZodType>))
                walk(value, join(key), found, new Set(seen));
            return;
        default:
            return;
    }
}

/** The secret paths of an argument schema, sorted: `["devices.graphics[].password"]`. */
export function secretPathsOf(schema: z.ZodType): string[] {
    const found = new Set<string>();
    walk(schema, "", found, new Set());
    return [...found].sort();
}

/** A concrete path (`devices.graphics[2].password`) in the `[]` spelling of declared secret paths. */
export function pathPattern(path: string): string {
    return path.replace(/\[\d+\]/g, "[]");
}

/**
 * True when a concrete path is a secret or lies inside or above one (a failure or a change reported
 * on `devices.graphics[0]` as a whole carries the password as well).
 */
export function touchesSecret(secretPaths: readonly string[], path: string): boolean {
    const pattern = pathPattern(path);
    return secretPaths.some(
        (secretPath) =>
            pattern === secretPath ||
            secretPath.startsWith(`${pattern}.`) ||
            secretPath.startsWith(`${pattern}[`) ||
            pattern.startsWith(`${secretPath}.`) ||
            pattern.startsWith(`${secretPath}[`),
    );
}

function segmentsOf(path: string): string[] {
    return path
        .replaceAll("[]", ".[]")
        .split(".")
        .filter((segment) => segment !== "");
}

function removeAt(value: unknown, segments: readonly string[]): unknown {
    if (value === undefined || value === null || segments.length === 0) return value;
    const [head, ...rest] = segments;
    if (head === "[]") return Array.isArray(value) ? value.map((item) => removeAt(item, rest)) : value;
    if (typeof value !== "object" || Array.isArray(value)) return value;
    const record = value as Record<string, unknown>;
    if (!(head! in record)) return value;
    if (rest.length === 0) {
        const { [head!]: _removed, ...kept } = record;
        return kept;
    }
    return { ...record, [head!]: removeAt(record[head!], rest) };
}

/** A copy of `props` without the values at the secret paths (for outputs that echo the inputs). */
export function withoutSecrets<T extends Record<string, unknown>>(props: T, secretPaths: readonly string[]): T {
    let result: unknown = props;
    for (const path of secretPaths) result = removeAt(result, segmentsOf(path));
    return result as T;
}
