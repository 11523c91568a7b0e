/**
 * Turns the walked argument types into the documented types both outputs are written from: every
 * property gets its description (the field's JSDoc plus what a change to it does, where that differs
 * from its parent), `secret` and `replaceOnChanges` from its path. One object type can need several
 * variants (the same zod schema under fields that change differently); identical ones are shared.
 */
import { secretPathsOf } from "../../provider/model/secret";
import { HIDDEN_INPUT_KEYS } from "../../provider/resources/shared/check";
import type { SchemaKind } from "./kinds";
import { runtimeFactsOf } from "./runtime-facts";
import { type ChangeNote, modelChangeNote, resourceFieldChangeNote } from "./change-notes";
import type { FieldShape, ObjectShape, SchemaPath, TypeRef } from "./type-model";

/** A type in the documented form: objects are referred to by their final name. */
export type DocType =
    | Exclude<
          TypeRef,
          { kind: "object" } | { kind: "array" } | { kind: "map" } | { kind: "union" } | { kind: "generated" }
      >
    /** Integers: zod `.int()` arguments and integer outputs of kinds.ts (TypeScript says `number`). */
    | { kind: "primitive"; name: "integer" }
    | { kind: "named"; name: string }
    | { kind: "array"; items: DocType }
    | { kind: "map"; values: DocType }
    | { kind: "union"; members: DocType[] };

export interface DocProperty {
    readonly name: string;
    readonly type: DocType;
    readonly optional: boolean;
    readonly description: string;
    readonly secret: boolean;
    readonly replaceOnChanges: boolean;
    /** The value zod fills in when the field is left out. */
    readonly default?: string | number | boolean;
}

export interface DocObject {
    readonly name: string;
    /** The zod schema's variable it comes from (`natSchema`), if one. */
    readonly source?: string;
    readonly properties: readonly DocProperty[];
}

/** Inputs the SDK sets itself and users never pass. */
export const HIDDEN_INPUTS: readonly string[] = HIDDEN_INPUT_KEYS;

export function formatPath(path: SchemaPath): string {
    return path.reduce<string>((text, s) => (typeof s === "number" ? `${text}[]` : text ? `${text}.${s}` : s), "");
}

/** Everything of one kind the context of a walk needs. */
interface KindContext {
    /** The kind's descriptor; a component has none (its JSDoc says how its changes apply). */
    readonly entry: SchemaKind | undefined;
    readonly secretPaths: readonly string[];
    readonly defaults: ReadonlyMap<string, string | number | boolean>;
    /** Paths of numbers zod requires to be integers. */
    readonly integers: ReadonlySet<string>;
}

export class Materializer {
    /** Every object type, by final name, in the order first met. */
    readonly objects = new Map<string, DocObject>();
    private readonly byShape = new Map<string, string>();
    /** Object ids being built (recursion): id → the name reserved for it. */
    private readonly building = new Map<number, string>();

    constructor(private readonly shapes: readonly ObjectShape[]) {}

    /** The root argument type of a kind, named `name`. */
    root(entry: SchemaKind, shape: ObjectShape, name: string): DocObject {
        const context: KindContext = {
            entry,
            secretPaths: secretPathsOf(entry.args),
            ...runtimeFactsOf(entry.args),
        };
        const fields = shape.fields.filter((f) => !HIDDEN_INPUTS.includes(f.name));
        const properties = fields.map((field) => this.property(context, field, [field.name], undefined, false));
        const object = { name, properties };
        this.objects.set(name, object);
        return object;
    }

    /** A component's arguments or outputs (hand-written types with their JSDoc; no policy table). */
    component(shape: ObjectShape, name: string, secretPaths: readonly string[] = []): DocObject {
        const context: KindContext = { entry: undefined, secretPaths, defaults: new Map(), integers: new Set() };
        const properties = shape.fields.map((field) => this.property(context, field, [field.name], undefined, false));
        const object = { name, properties };
        this.objects.set(name, object);
        return object;
    }

    private note(context: KindContext, path: SchemaPath): ChangeNote {
        const { entry } = context;
        if (entry === undefined) return { text: "", alwaysReplaces: false };
        const [top, ...rest] = path;
        if (typeof top === "string" && entry.resourceFields.includes(top)) {
            const replaces = top === "uri" || (entry.replaceFields ?? []).includes(top);
            if (rest.length === 0) return resourceFieldChangeNote(entry.policyKind, top, replaces);
            // Below a resource field (`cloneFrom.pool`): the field's own rule covers it.
            return resourceFieldChangeNote(entry.policyKind, top, replaces);
        }
        const modelPath = typeof top === "string" ? [entry.renames?.[top] ?? top, ...rest] : path;
        return modelChangeNote(entry.policyKind, modelPath);
    }

    private property(
        context: KindContext,
        field: FieldShape,
        path: SchemaPath,
        parentNote: string | undefined,
        parentReplaces: boolean,
    ): DocProperty {
        const note = this.note(context, path);
        const ownNote = note.text === parentNote ? "" : note.text;
        const replaceOnChanges = !parentReplaces && this.alwaysReplaces(context, field.type, path, new Set());
        const secret = context.secretPaths.includes(formatPath(path));
        const secretNote = secret ? "Secret: the SDK wraps it in `pulumi.secret()`, whatever the program passes." : "";
        const fallback = context.defaults.get(formatPath(path));
        const defaultNote = fallback === undefined ? "" : `Default: \`${JSON.stringify(fallback)}\`.`;
        const description = [field.doc, defaultNote, ownNote, secretNote].filter((t) => t !== "").join(" ");
        return {
            name: field.name,
            type: this.type(context, field.type, path, note.text, parentReplaces || replaceOnChanges),
            optional: field.optional,
            description,
            secret,
            replaceOnChanges,
            ...(fallback === undefined ? {} : { default: fallback }),
        };
    }

    /** True when a change anywhere at or below `path` replaces the resource. */
    private alwaysReplaces(context: KindContext, type: TypeRef, path: SchemaPath, seen: Set<number>): boolean {
        if (!this.note(context, path).alwaysReplaces) return false;
        switch (type.kind) {
            case "array":
                return this.alwaysReplaces(context, type.items, [...path, 0], seen);
            case "map":
                return true;
            case "union":
                return type.members.every((m) => this.alwaysReplaces(context, m, path, seen));
            case "object": {
                if (seen.has(type.id)) return true;
                const inner = new Set(seen).add(type.id);
                return this.shapes[type.id]!.fields.every((f) =>
                    this.alwaysReplaces(context, f.type, [...path, f.name], inner),
                );
            }
            default:
                return true;
        }
    }

    private type(context: KindContext, type: TypeRef, path: SchemaPath, note: string, replaced: boolean): DocType {
        switch (type.kind) {
            case "array":
                return { kind: "array", items: this.type(context, type.items, [...path, 0], note, replaced) };
            case "map":
                return { kind: "map", values: this.type(context, type.values, path, note, replaced) };
            case "union":
                return { kind: "union", members: type.members.map((m) => this.type(context, m, path, note, replaced)) };
            case "object":
                return { kind: "named", name: this.object(context, type.id, path, note, replaced) };
            case "generated":
                return { kind: "named", name: type.name };
            case "primitive":
                return type.name === "number" && context.integers.has(formatPath(path))
                    ? { kind: "primitive", name: "integer" }
                    : type;
            default:
                return type;
        }
    }

    private object(context: KindContext, id: number, path: SchemaPath, note: string, replaced: boolean): string {
        const reserved = this.building.get(id);
        if (reserved !== undefined) return reserved;
        const shape = this.shapes[id]!;
        const name = this.freeName(shape.name);
        this.building.set(id, name);
        try {
            const properties = shape.fields.map((field) =>
                this.property(context, field, [...path, field.name], note, replaced),
            );
            const key = JSON.stringify({ base: shape.name, properties }).replaceAll(
                `"name":"${name}"`,
                '"name":"(self)"',
            );
            const existing = this.byShape.get(key);
            if (existing !== undefined) return existing;
            this.byShape.set(key, name);
            this.objects.set(name, { name, ...(shape.source ? { source: shape.source } : {}), properties });
            return name;
        } finally {
            this.building.delete(id);
        }
    }

    private freeName(preferred: string): string {
        let name = preferred;
        for (let n = 2; this.objects.has(name) || [...this.building.values()].includes(name); n++)
            name = `${preferred}${n}`;
        return name;
    }
}
