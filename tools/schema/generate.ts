/**
 * The one generator behind the SDK's types and `schema.json`. It walks every kind's argument type
 * (`z.input` of its args schema, read by the TypeScript compiler with the JSDoc of each field) and
 * its descriptor in kinds.ts (outputs, secrets, replace rules), documents each property (JSDoc plus
 * the change class its policy table gives), and writes from that one walk:
 * - sdk/generated/inputs.ts and outputs.ts: plain interfaces the SDK classes use;
 * - sdk/generated/resources.ts and kinds.ts: the SDK classes and the facts they act on;
 * - schema.json: Pulumi's package schema. Dynamic resources are served under the runtime token
 *   `pulumi-nodejs:dynamic/libvirt:<Kind>`; the schema names them `libvirt:index:<Kind>`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type ComponentKind, componentKinds } from "./components";
import { kindsModule, resourcesModule, typeToken } from "./emit-classes";
import { inputsModule, outputsModule, type RootDoc } from "./emit-ts";
import { SchemaWriter } from "./emit-schema";
import { type SchemaKind, schemaKinds } from "./kinds";
import { type DocObject, type DocProperty, type DocType, Materializer } from "./materialize";
import type { PackageSpec, PropertySpec, ResourceSpec } from "./pulumi-types";
import { argumentProgram, TypeWalker } from "./type-walk";

export const PACKAGE_NAME = "libvirt";

/** Where the generated SDK types go, from the repository root. */
export const GENERATED_INPUTS = "sdk/generated/inputs.ts";
export const GENERATED_OUTPUTS = "sdk/generated/outputs.ts";
export const GENERATED_RESOURCES = "sdk/generated/resources.ts";
export const GENERATED_KINDS = "sdk/generated/kinds.ts";
/** Every generated SDK file. */
export const GENERATED_SDK_FILES = [GENERATED_INPUTS, GENERATED_OUTPUTS, GENERATED_RESOURCES, GENERATED_KINDS] as const;

export function projectRoot(): string {
    let folder = __dirname;
    while (!existsSync(join(folder, "package.json"))) folder = dirname(folder);
    return folder;
}

function packageVersion(root: string): string {
    return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/** An output declared in kinds.ts as a documented type. */
function outputType(spec: PropertySpec): DocType {
    if (spec.oneOf) return { kind: "union", members: spec.oneOf.map(outputType) };
    switch (spec.type) {
        case "string":
        case "boolean":
        case "number":
        case "integer":
            return { kind: "primitive", name: spec.type };
        case "array":
            return { kind: "array", items: spec.items ? outputType(spec.items) : { kind: "any" } };
        default:
            return { kind: "any" };
    }
}

/** A kind's outputs: every argument echoed, plus the computed outputs of its descriptor. */
function outputsOf(entry: SchemaKind, inputs: DocObject): DocObject {
    const required = new Set([
        ...inputs.properties.filter((p) => !p.optional).map((p) => p.name),
        ...entry.requiredOutputs,
    ]);
    const properties = new Map<string, DocProperty>(
        inputs.properties.map((p) => [p.name, { ...p, optional: !required.has(p.name) }]),
    );
    for (const [name, spec] of Object.entries(entry.outputs)) {
        const echoed = properties.get(name);
        properties.set(name, {
            name,
            type: echoed?.type ?? outputType(spec),
            optional: !required.has(name),
            description: spec.description ?? echoed?.description ?? "",
            secret: spec.secret === true || echoed?.secret === true,
            replaceOnChanges: echoed?.replaceOnChanges ?? false,
        });
    }
    return { name: `${entry.kind}Outputs`, properties: [...properties.values()] };
}

/** Everything the generator writes, from one walk. */
export interface Generated {
    readonly schema: PackageSpec;
    /** Each kind's documented arguments (for the docs tables) and every object type by name. */
    readonly kinds: ReadonlyArray<{ readonly entry: SchemaKind; readonly inputs: DocObject }>;
    readonly objects: ReadonlyMap<string, DocObject>;
    /** Files of the SDK, by path from the repository root. */
    readonly files: Readonly<Record<string, string>>;
}

function resourceSpec(entry: SchemaKind, inputs: DocObject, outputs: DocObject, writer: SchemaWriter): ResourceSpec {
    const input = writer.properties(inputs, entry.kind);
    const output = writer.properties(outputs, entry.kind);
    return {
        description: `${entry.description}\n\nRuntime type token: \`${typeToken(PACKAGE_NAME, entry.kind)}\` (a Pulumi dynamic resource from the \`pulumi-libvirt\` npm package).`,
        properties: output.properties,
        required: output.required.sort(),
        inputProperties: input.properties,
        requiredInputs: input.required.sort(),
    };
}

const cache = new Map<string, Generated>();

/** Generates everything for the given kinds (default: every registered kind). */
export function generate(
    kinds: readonly SchemaKind[] = schemaKinds,
    root: string = projectRoot(),
    components: readonly ComponentKind[] = componentKinds,
): Generated {
    const cacheKey = `${root}\0${[...kinds, ...components].map((k) => k.kind).join(",")}`;
    const cached = cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const program = argumentProgram(root, [
        ...kinds.map((k) => k.sdkArgs),
        ...components.flatMap((c) => [c.args, c.outputs]),
    ]);
    const walker = new TypeWalker(program, root);
    const shapes = kinds.map((entry) => walker.object(walker.typeAt(entry.sdkArgs), `${entry.kind}Args`));
    const materializer = new Materializer(walker.objects);
    const roots = kinds.map((entry, i) => {
        const inputs = materializer.root(entry, shapes[i]!, `${entry.kind}Args`);
        return { entry, inputs, outputs: outputsOf(entry, inputs) };
    });
    const rootNames = new Set(roots.map((r) => r.inputs.name));
    // The SDK's generated types: the kinds' (components keep their hand-written types).
    const objects = [...materializer.objects.values()].filter((o) => !rootNames.has(o.name));
    const componentRoots = components.map((component) => {
        const args = walker.object(walker.typeAt(component.args), `${component.kind}Args`);
        const outputs = walker.classOutputs(component.outputs, `${component.kind}Outputs`);
        return {
            component,
            inputs: materializer.component(args, `${component.kind}Args`, component.secretPaths),
            outputs: materializer.component(outputs, `${component.kind}Outputs`),
        };
    });
    for (const { inputs, outputs } of componentRoots) rootNames.add(inputs.name).add(outputs.name);
    const schemaObjects = [...materializer.objects.values()].filter((o) => !rootNames.has(o.name));

    const writer = new SchemaWriter(PACKAGE_NAME);
    writer.reserve(schemaObjects);
    const resources: Record<string, ResourceSpec> = {};
    for (const { entry, inputs, outputs } of roots) {
        resources[`${PACKAGE_NAME}:index:${entry.kind}`] = resourceSpec(entry, inputs, outputs, writer);
    }
    writer.addObjects(schemaObjects);
    for (const { component, inputs, outputs } of componentRoots) {
        const input = writer.properties(inputs, component.kind);
        const output = writer.properties(outputs, component.kind);
        resources[`${PACKAGE_NAME}:index:${component.kind}`] = {
            description: `${component.description}\n\nA component resource of the \`pulumi-libvirt\` npm package (class \`${component.kind}\`).`,
            isComponent: true,
            properties: output.properties,
            required: output.required.sort(),
            inputProperties: input.properties,
            requiredInputs: input.required.sort(),
        };
    }
    const types = Object.fromEntries(Object.entries(writer.types).sort(([a], [b]) => a.localeCompare(b)));
    const schema: PackageSpec = {
        name: PACKAGE_NAME,
        displayName: "libvirt",
        version: packageVersion(root),
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
    const inputRoots: RootDoc[] = roots.map(({ entry, inputs }) => ({
        object: inputs,
        doc: `The arguments of a ${entry.kind}: every property may be a plain value, a Promise or an Output. ${entry.description}`,
    }));
    const outputRoots: RootDoc[] = roots.map(({ entry, outputs }) => ({
        object: outputs,
        doc: `What a ${entry.kind} holds once created: its arguments as given and what the provider computed.`,
    }));
    const generated: Generated = {
        schema,
        kinds: roots.map(({ entry, inputs }) => ({ entry, inputs })),
        objects: materializer.objects,
        files: {
            [GENERATED_INPUTS]: inputsModule(inputRoots, objects),
            [GENERATED_OUTPUTS]: outputsModule(outputRoots, objects),
            [GENERATED_RESOURCES]: resourcesModule(roots, PACKAGE_NAME),
            [GENERATED_KINDS]: kindsModule(roots),
            "schema.json": `${JSON.stringify(schema, null, 4)}\n`,
        },
    };
    cache.set(cacheKey, generated);
    return generated;
}

/**
 * Forgets earlier generations. A component's hand-written types refer to generated interfaces
 * (`DomainArgs["cpu"]`), so after writing new files `npm run schema` generates once more from them.
 */
export function forgetGenerated(): void {
    cache.clear();
}

/** The package schema for the given kinds (default: every registered kind). */
export function generateSchema(kinds: readonly SchemaKind[] = schemaKinds): PackageSpec {
    return generate(kinds).schema;
}

/** The schema as written to schema.json. */
export function schemaText(kinds: readonly SchemaKind[] = schemaKinds): string {
    return generate(kinds).files["schema.json"]!;
}
