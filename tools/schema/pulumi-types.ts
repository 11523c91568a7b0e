/** The parts of Pulumi's package schema (pkg/codegen/schema/pulumi.json) this generator writes. */

/** A type reference: primitive, array, map, named type or union. */
export interface TypeSpec {
    type?: "boolean" | "integer" | "number" | "string" | "array" | "object";
    items?: TypeSpec;
    additionalProperties?: TypeSpec;
    $ref?: string;
    oneOf?: TypeSpec[];
}

/** A property: its type plus documentation and lifecycle markers. */
export interface PropertySpec extends TypeSpec {
    description?: string;
    secret?: boolean;
    replaceOnChanges?: boolean;
    const?: unknown;
    default?: string | number | boolean;
}

/** A named object type in the `types` section. */
export interface ObjectTypeSpec {
    type: "object";
    description?: string;
    properties: Record<string, PropertySpec>;
    required?: string[];
}

/** A named enum type in the `types` section (a string-literal union of the SDK). */
export interface EnumTypeSpec {
    type: "string" | "number" | "integer" | "boolean";
    description?: string;
    enum: Array<{ value: string | number | boolean }>;
}

/** A resource in the `resources` section. */
export interface ResourceSpec {
    description: string;
    properties: Record<string, PropertySpec>;
    required: string[];
    inputProperties: Record<string, PropertySpec>;
    requiredInputs: string[];
    isComponent?: boolean;
}

/** The whole package schema. */
export interface PackageSpec {
    name: string;
    displayName: string;
    version: string;
    description: string;
    keywords: string[];
    license: string;
    repository?: string;
    config: { variables: Record<string, PropertySpec> };
    language: { nodejs: { packageName: string } };
    types: Record<string, ObjectTypeSpec | EnumTypeSpec>;
    resources: Record<string, ResourceSpec>;
}

/** Pulumi's built-in "any value" type. */
export const ANY_TYPE: TypeSpec = { $ref: "pulumi.json#/Any" };
