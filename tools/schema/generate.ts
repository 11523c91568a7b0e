/**
 * Builds the Pulumi package schema (`schema.json`) from every kind's args schema: inputs from the
 * zod schema's input side, outputs = inputs echoed + computed ones, `replaceOnChanges` where the
 * change policies can replace, `secret` on secrets. Dynamic resources are served under the runtime
 * token `pulumi-nodejs:dynamic/libvirt:<Kind>`; the schema names them `libvirt:index:<Kind>` and
 * documents the mapping (it describes the resources; it does not drive code generation).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { extraSchema, permissionsSchema } from "../../provider/model/common";
import { opaqueElementSchema } from "../../provider/model/opaque";
import { secretPathsOf } from "../../provider/model/secret";
import { type Annotator, type JsonSchema, SchemaConverter, type SchemaPath, TypeRegistry } from "./convert";
import { type SchemaKind, schemaKinds } from "./kinds";
import { canReplace, replaceRows } from "./policy-paths";
import type { PackageSpec, PropertySpec, ResourceSpec } from "./pulumi-types";

export const PACKAGE_NAME = "libvirt";

/** Shared model schemas that get their own type names instead of the first place they appear. */
function sharedDefinitions() {
    const registry = z.registry<{ id: string }>();
    registry.add(extraSchema, { id: "Extra" });
    registry.add(opaqueElementSchema, { id: "OpaqueElement" });
    registry.add(permissionsSchema, { id: "Permissions" });
    return registry;
}

function packageVersion(): string {
    let folder = __dirname;
    while (!existsSync(join(folder, "package.json"))) folder = dirname(folder);
    return (JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { version: string }).version;
}

function formatPath(path: SchemaPath): string {
    return path.reduce<string>((text, s) => (typeof s === "number" ? `${text}[]` : text ? `${text}.${s}` : s), "");
}

/** replaceOnChanges and secret markers for one kind's input paths. */
export function annotatorFor(entry: SchemaKind): Annotator {
    // Declared where the field is described (`secret()` in the args schema), not listed here.
    const secretPaths = secretPathsOf(entry.args);
    return {
        annotate(path) {
            const [top, ...rest] = path;
            const secret = secretPaths.includes(formatPath(path));
            if (typeof top !== "string") return {};
            if (entry.resourceFields.includes(top)) {
                // Not in the model, so the table's default does not apply; a row naming the field
                // itself (DhcpHost's `network`) does.
                const replaces =
                    rest.length === 0 &&
                    (top === "uri" ||
                        (entry.replaceFields ?? []).includes(top) ||
                        replaceRows(entry.policyKind).includes(top));
                return { replaceOnChanges: replaces || undefined, secret: secret || undefined };
            }
            const modelPath = [entry.renames?.[top] ?? top, ...rest];
            return {
                replaceOnChanges: canReplace(entry.policyKind, modelPath) || undefined,
                secret: secret || undefined,
            };
        },
    };
}

function resourceSpec(entry: SchemaKind, registry: TypeRegistry): ResourceSpec {
    const json = z.toJSONSchema(entry.args, {
        io: "input",
        unrepresentable: "any",
        metadata: sharedDefinitions(),
    }) as JsonSchema;
    const defNames = Object.fromEntries(Object.keys(json.$defs ?? {}).map((key) => [key, key]));
    const converter = new SchemaConverter(registry, json.$defs ?? {}, annotatorFor(entry), defNames);
    const { properties: inputs, required: requiredInputs } = converter.properties(json, [], entry.kind, [
        "namePrefix",
        "nameScope",
    ]);
    const properties: Record<string, PropertySpec> = { ...inputs };
    for (const [key, spec] of Object.entries(entry.outputs)) properties[key] = { ...properties[key], ...spec };
    const required = [...new Set([...requiredInputs, ...entry.requiredOutputs])].filter((key) => key in properties);
    return {
        description: `${entry.description}\n\nRuntime type token: \`pulumi-nodejs:dynamic/${PACKAGE_NAME}:${entry.kind}\` (a Pulumi dynamic resource from the \`pulumi-libvirt\` npm package).`,
        properties,
        required: required.sort(),
        inputProperties: inputs,
        requiredInputs: requiredInputs.sort(),
    };
}

/** The package schema for the given kinds (default: every registered kind). */
export function generateSchema(kinds: readonly SchemaKind[] = schemaKinds): PackageSpec {
    const registry = new TypeRegistry(PACKAGE_NAME);
    const resources: Record<string, ResourceSpec> = {};
    for (const entry of kinds) resources[`${PACKAGE_NAME}:index:${entry.kind}`] = resourceSpec(entry, registry);
    const types = Object.fromEntries(Object.entries(registry.types).sort(([a], [b]) => a.localeCompare(b)));
    return {
        name: PACKAGE_NAME,
        displayName: "libvirt",
        version: packageVersion(),
        description:
            "KVM/QEMU labs over libvirt's remote protocol, in pure TypeScript. The resources are Pulumi dynamic resources (npm package pulumi-libvirt); their runtime type tokens are pulumi-nodejs:dynamic/libvirt:<Type>, documented here as libvirt:index:<Type>.",
        keywords: ["pulumi", "libvirt", "kvm", "qemu", "category/infrastructure"],
        license: "Apache-2.0",
        config: {
            variables: {
                uri: {
                    type: "string",
                    description:
                        "Default libvirt connection URI for resources without a `uri` input (then LIBVIRT_DEFAULT_URI, then qemu:///system).",
                },
            },
        },
        language: { nodejs: { packageName: "pulumi-libvirt" } },
        types,
        resources,
    };
}

/** The schema as written to schema.json. */
export function schemaText(kinds: readonly SchemaKind[] = schemaKinds): string {
    return `${JSON.stringify(generateSchema(kinds), null, 4)}\n`;
}
