/**
 * What only the runtime schema knows about a kind's arguments, by path (`waitForIp.source`,
 * `devices.disks[].device`), read from zod's JSON Schema of the args schema: the defaults zod fills
 * in (`.default(x)`; primitives only, as schema.json's `default` takes nothing else) and which
 * numbers are integers (`.int()`; TypeScript has only `number`).
 */
import { z } from "zod";
import type { JsonSchema } from "./json-schema";

export interface RuntimeFacts {
    readonly defaults: ReadonlyMap<string, string | number | boolean>;
    readonly integers: ReadonlySet<string>;
}

export function runtimeFactsOf(args: z.ZodType): RuntimeFacts {
    const json = z.toJSONSchema(args, { io: "input", unrepresentable: "any" }) as JsonSchema;
    const found = new Map<string, string | number | boolean>();
    const integers = new Set<string>();
    const walk = (schema: JsonSchema | undefined, path: string, seen: ReadonlySet<string>): void => {
        if (schema === undefined) return;
        if (schema.$ref !== undefined) {
            const key = schema.$ref.replace("#/$defs/", "");
            if (!seen.has(key)) walk(json.$defs?.[key], path, new Set(seen).add(key));
            return;
        }
        if (schema.type === "integer") integers.add(path);
        const value = schema.default;
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
            if (!found.has(path)) found.set(path, value);
        }
        for (const member of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
            walk(member, path, seen);
        for (const [key, child] of Object.entries(schema.properties ?? {}))
            walk(child, path === "" ? key : `${path}.${key}`, seen);
        walk(schema.items, `${path}[]`, seen);
    };
    walk(json, "", new Set());
    return { defaults: found, integers };
}
