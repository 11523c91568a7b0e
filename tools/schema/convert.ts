/**
 * JSON Schema (as zod's toJSONSchema writes it for an args schema's input side) to Pulumi schema
 * types. Objects with properties become named types under `types`; records become maps; unions
 * become `oneOf`; anything unrepresentable becomes `pulumi.json#/Any`. Each property is annotated
 * (replaceOnChanges, secret) from its model path, and two types are shared only when their shape
 * and annotations are identical.
 */
import { ANY_TYPE, type ObjectTypeSpec, type PropertySpec, type TypeSpec } from "./pulumi-types";

/** JSON Schema as zod emits it (the subset read here). */
export interface JsonSchema {
    type?: string | string[];
    properties?: Record<string, JsonSchema>;
    required?: string[];
    additionalProperties?: JsonSchema | boolean;
    items?: JsonSchema;
    prefixItems?: JsonSchema[];
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
    allOf?: JsonSchema[];
    enum?: unknown[];
    const?: unknown;
    $ref?: string;
    $defs?: Record<string, JsonSchema>;
    description?: string;
}

/** A path from the resource root; numbers stand for "any list item". */
export type SchemaPath = (string | number)[];

export interface Annotator {
    /** Markers for the property at a path (args spelling). */
    annotate(path: SchemaPath): { replaceOnChanges?: boolean; secret?: boolean };
}

export class TypeRegistry {
    readonly types: Record<string, ObjectTypeSpec> = {};
    private readonly byShape = new Map<string, string>();

    constructor(private readonly packageName: string) {}

    token(name: string): string {
        return `${this.packageName}:index:${name}`;
    }

    /** Registers an object type, reusing an identical one; returns its token. */
    add(preferredName: string, spec: ObjectTypeSpec): string {
        const shape = JSON.stringify(spec);
        const existing = this.byShape.get(shape);
        if (existing !== undefined) return existing;
        let name = preferredName;
        for (let n = 2; this.types[this.token(name)] !== undefined; n++) name = `${preferredName}${n}`;
        const token = this.token(name);
        this.types[token] = spec;
        this.byShape.set(shape, token);
        return token;
    }
}

function pascal(text: string): string {
    return text
        .replace(/(^|[-_\s])(\w)/g, (_m, _sep, c: string) => c.toUpperCase())
        .replace(/^\w/, (c) => c.toUpperCase());
}

/** "hosts" → "Host", "entries" → "Entry": a name for one item of a list. */
function singular(name: string): string {
    if (name.endsWith("ies")) return `${name.slice(0, -3)}y`;
    if (name.endsWith("ses") || name.endsWith("xes")) return name.slice(0, -2);
    if (name.endsWith("s") && !name.endsWith("ss")) return name.slice(0, -1);
    return `${name}Item`;
}

function primitiveOf(value: unknown): TypeSpec["type"] | undefined {
    if (typeof value === "string") return "string";
    if (typeof value === "boolean") return "boolean";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return undefined;
}

export class SchemaConverter {
    /** $defs being converted (recursion guard): def name → token. */
    private readonly inProgress = new Map<string, string>();

    constructor(
        private readonly registry: TypeRegistry,
        private readonly defs: Record<string, JsonSchema>,
        private readonly annotator: Annotator,
        /** Preferred type names of shared definitions, by $defs key. */
        private readonly defNames: Readonly<Record<string, string>> = {},
    ) {}

    /** The properties of an object schema, annotated, with its required keys. */
    properties(
        schema: JsonSchema,
        path: SchemaPath,
        hint: string,
        skip: readonly string[] = [],
    ): { properties: Record<string, PropertySpec>; required: string[] } {
        const properties: Record<string, PropertySpec> = {};
        for (const [key, child] of Object.entries(schema.properties ?? {})) {
            if (skip.includes(key)) continue;
            const childPath = [...path, key];
            const spec: PropertySpec = { ...this.type(child, childPath, `${hint}${pascal(key)}`) };
            if (child.description) spec.description = child.description;
            const marks = this.annotator.annotate(childPath);
            if (marks.replaceOnChanges) spec.replaceOnChanges = true;
            if (marks.secret) spec.secret = true;
            properties[key] = spec;
        }
        const required = (schema.required ?? []).filter((key) => key in properties);
        return { properties, required };
    }

    /** A type reference for a schema at a path; `hint` names object types found there. */
    type(schema: JsonSchema, path: SchemaPath, hint: string): TypeSpec {
        if (schema.$ref !== undefined) return this.reference(schema.$ref, path, hint);
        const variants = (schema.anyOf ?? schema.oneOf ?? []).filter((v) => v.type !== "null");
        if (variants.length === 1) return this.type(variants[0]!, path, hint);
        if (variants.length > 1) {
            const converted = variants.map((v, i) => this.type(v, path, `${hint}Option${i + 1}`));
            const unique = [...new Map(converted.map((c) => [JSON.stringify(c), c])).values()];
            return unique.length === 1 ? unique[0]! : { oneOf: unique };
        }
        if (schema.allOf?.length) return this.type(schema.allOf[0]!, path, hint);
        if (schema.const !== undefined) {
            const type = primitiveOf(schema.const);
            return type ? { type } : ANY_TYPE;
        }
        if (schema.enum?.length) {
            const types = [...new Set(schema.enum.map(primitiveOf))];
            return types.length === 1 && types[0] ? { type: types[0] } : ANY_TYPE;
        }
        const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
        switch (type) {
            case "string":
            case "boolean":
            case "integer":
            case "number":
                return { type };
            case "array":
                if (schema.items === undefined) return { type: "array", items: ANY_TYPE };
                return {
                    type: "array",
                    items: this.type(schema.items, [...path, 0], singular(hint)),
                };
            case "object":
                return this.object(schema, path, hint);
            default:
                return ANY_TYPE;
        }
    }

    private object(schema: JsonSchema, path: SchemaPath, hint: string): TypeSpec {
        if (schema.properties !== undefined && Object.keys(schema.properties).length > 0) {
            const { properties, required } = this.properties(schema, path, hint);
            const spec: ObjectTypeSpec = { type: "object", properties };
            if (required.length > 0) spec.required = required;
            if (schema.description) spec.description = schema.description;
            return { $ref: `#/types/${this.registry.add(hint, spec)}` };
        }
        const values = schema.additionalProperties;
        if (typeof values === "object") return { type: "object", additionalProperties: this.type(values, path, hint) };
        return { type: "object", additionalProperties: ANY_TYPE };
    }

    private reference(ref: string, path: SchemaPath, hint: string): TypeSpec {
        const match = /^#\/\$defs\/(.+)$/.exec(ref);
        const def = match ? this.defs[match[1]!] : undefined;
        if (!match || def === undefined) return ANY_TYPE;
        const key = match[1]!;
        const pending = this.inProgress.get(key);
        // A recursive reference: the type is being built; refer to it by its reserved token.
        if (pending !== undefined) return { $ref: `#/types/${pending}` };
        const name = this.defNames[key] ?? hint;
        if (def.type !== "object" || def.properties === undefined) return this.type(def, path, name);
        const token = this.registry.token(name);
        this.inProgress.set(key, token);
        try {
            const { properties, required } = this.properties(def, path, name);
            const spec: ObjectTypeSpec = { type: "object", properties };
            if (required.length > 0) spec.required = required;
            const added = this.registry.add(name, spec);
            if (added !== token) {
                // The reserved name was taken by a different shape: a recursive self-reference
                // would point at the wrong type, so recursion keeps the reserved one only when free.
                const text = JSON.stringify(this.registry.types[added]).replaceAll(
                    `#/types/${token}"`,
                    `#/types/${added}"`,
                );
                this.registry.types[added] = JSON.parse(text) as ObjectTypeSpec;
            }
            return { $ref: `#/types/${added}` };
        } finally {
            this.inProgress.delete(key);
        }
    }
}
