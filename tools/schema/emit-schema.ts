/**
 * The documented types as Pulumi schema: objects become named types, unions `oneOf` (a shorthand
 * such as memory as MiB or "2GiB" is `oneOf` number and string), string literals named enum types,
 * records maps, anything else `pulumi.json#/Any`.
 */
import type { DocObject, DocProperty, DocType } from "./materialize";
import { ANY_TYPE, type EnumTypeSpec, type ObjectTypeSpec, type PropertySpec, type TypeSpec } from "./pulumi-types";
import { pascal } from "./type-walk";

export class SchemaWriter {
    readonly types: Record<string, ObjectTypeSpec | EnumTypeSpec> = {};
    private readonly enumsByValues = new Map<string, string>();

    constructor(private readonly packageName: string) {}

    token(name: string): string {
        return `${this.packageName}:index:${name}`;
    }

    /** Reserves the names of every object type, so that an enum named after a property never takes one. */
    reserve(objects: readonly DocObject[]): void {
        for (const object of objects) this.types[this.token(object.name)] = { type: "object", properties: {} };
    }

    /** Writes every object type (after the resources, whose properties name the enums first). */
    addObjects(objects: readonly DocObject[]): void {
        for (const object of objects) {
            const { properties, required } = this.properties(object, object.name);
            const spec: ObjectTypeSpec = { type: "object", properties };
            if (required.length > 0) spec.required = required;
            this.types[this.token(object.name)] = spec;
        }
    }

    /** The property specs of an object and its required keys; `hint` names the enums found there. */
    properties(object: DocObject, hint: string): { properties: Record<string, PropertySpec>; required: string[] } {
        const properties: Record<string, PropertySpec> = {};
        for (const property of object.properties) properties[property.name] = this.property(property, hint);
        const required = object.properties.filter((p) => !p.optional).map((p) => p.name);
        return { properties, required };
    }

    private property(property: DocProperty, hint: string): PropertySpec {
        const spec: PropertySpec = { ...this.type(property.type, `${hint}${pascal(property.name)}`) };
        spec.description = property.description;
        if (property.default !== undefined) spec.default = property.default;
        if (property.replaceOnChanges) spec.replaceOnChanges = true;
        if (property.secret) spec.secret = true;
        return spec;
    }

    type(type: DocType, hint: string): TypeSpec {
        switch (type.kind) {
            case "primitive":
                return { type: type.name };
            case "literal":
                return this.union([type], hint);
            case "named":
                return { $ref: `#/types/${this.token(type.name)}` };
            case "resource":
                return { $ref: `#/resources/${this.token(type.name)}` };
            case "array":
                return { type: "array", items: this.type(type.items, hint) };
            case "map":
                return { type: "object", additionalProperties: this.type(type.values, hint) };
            case "union":
                return this.union(type.members, hint);
            default:
                return ANY_TYPE;
        }
    }

    private union(members: readonly DocType[], hint: string): TypeSpec {
        const specs: TypeSpec[] = [];
        const strings: string[] = [];
        const numbers: number[] = [];
        for (const member of members) {
            if (member.kind !== "literal") specs.push(this.type(member, hint));
            else if (typeof member.value === "string") strings.push(member.value);
            else if (typeof member.value === "number") numbers.push(member.value);
            else if (typeof member.value === "boolean") specs.push({ type: "boolean" });
            // null: Pulumi has no null type; an absent value means the same here.
        }
        if (strings.length > 0) specs.push(this.enumType("string", strings, hint));
        if (numbers.length > 0)
            specs.push(this.enumType(numbers.every(Number.isInteger) ? "integer" : "number", numbers, hint));
        const unique = [...new Map(specs.map((s) => [JSON.stringify(s), s])).values()];
        if (unique.length === 0) return ANY_TYPE;
        return unique.length === 1 ? unique[0]! : { oneOf: unique };
    }

    private enumType(type: EnumTypeSpec["type"], values: ReadonlyArray<string | number>, hint: string): TypeSpec {
        // The same set of values in another order is the same enum.
        const key = JSON.stringify([type, [...values].sort()]);
        let token = this.enumsByValues.get(key);
        if (token === undefined) {
            let name = hint;
            for (let n = 2; this.types[this.token(name)] !== undefined; n++) name = `${hint}${n}`;
            token = this.token(name);
            this.types[token] = { type, enum: values.map((value) => ({ value })) };
            this.enumsByValues.set(key, token);
        }
        return { $ref: `#/types/${token}` };
    }
}
