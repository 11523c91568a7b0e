/**
 * The SDK's resource classes as TypeScript, from each kind's descriptor and its documented
 * arguments and outputs (the same walk as the interfaces and schema.json):
 * - sdk/generated/kinds.ts: the facts a class acts on at run time (its required arguments, every
 *   property it declares, its secret inputs and outputs), read by sdk/registration.ts;
 * - sdk/generated/resources.ts: one class per kind, with a `declare`d, documented Output for every
 *   property, `get`, `isInstance` and a constructor that hands the facts to `registration`.
 * So no list of a kind's outputs or secrets is written by hand twice.
 */
import { secretPathsOf } from "../../provider/model/secret";
import { HEADER, jsDoc } from "./emit-ts";
import type { SchemaKind } from "./kinds";
import type { DocObject } from "./materialize";

/** A kind as the generator documented it. */
export interface KindRoot {
    readonly entry: SchemaKind;
    readonly inputs: DocObject;
    readonly outputs: DocObject;
}

/** The runtime export name of a kind (`StoragePool` -> `storagePool`), as the provider stub calls it. */
export function kindKey(kind: string): string {
    return kind.charAt(0).toLowerCase() + kind.slice(1);
}

/** The runtime type token Pulumi registers a kind's resources under. */
export function typeToken(packageName: string, kind: string): string {
    return `pulumi-nodejs:dynamic/${packageName}:${kind}`;
}

/** What sdk/registration.ts's `KindFacts` holds for one kind. */
function factsOf({ entry, inputs, outputs }: KindRoot): Record<string, unknown> {
    return {
        gettable: entry.getById !== undefined,
        required: inputs.properties.filter((p) => !p.optional).map((p) => p.name),
        properties: outputs.properties.map((p) => p.name),
        secretInputs: secretPathsOf(entry.args),
        secretOutputs: outputs.properties.filter((p) => p.secret).map((p) => p.name),
        derivedOutputs: entry.derivedOutputs ?? {},
    };
}

/** sdk/generated/kinds.ts. */
export function kindsModule(roots: readonly KindRoot[]): string {
    const keys = roots.map((r) => JSON.stringify(kindKey(r.entry.kind)));
    const facts = Object.fromEntries(roots.map((r) => [kindKey(r.entry.kind), factsOf(r)]));
    return [
        HEADER,
        'import type { KindFacts } from "../registration";',
        "",
        "/** The runtime's export name of each resource kind (what the provider stub calls). */",
        `export type KindKey = ${keys.join(" | ")};`,
        "",
        "/** What each kind's class checks, declares and marks secret (see sdk/registration.ts). */",
        `export const kindFacts: Readonly<Record<KindKey, KindFacts>> = ${JSON.stringify(facts, null, 4)};`,
        "",
    ].join("\n");
}

function classText(root: KindRoot, packageName: string): string[] {
    const { kind, description, getById } = root.entry;
    const key = kindKey(kind);
    const token = JSON.stringify(typeToken(packageName, kind));
    const argsOptional = root.inputs.properties.every((p) => p.optional);
    const lines = [
        ...jsDoc(description, ""),
        `export class ${kind} extends pulumi.CustomResource {`,
        "    /** Brand checked by `isInstance`; reliable across duplicate copies of this package. */",
        `    public readonly __pulumiType = ${token};`,
        "",
        `    /** True when \`obj\` is a ${kind}, even one from another copy of this package. */`,
        `    static override isInstance(obj: unknown): obj is ${kind} {`,
        `        return isInstanceOfKind(obj, ${token});`,
        "    }",
    ];
    if (getById !== undefined) {
        lines.push(
            "",
            ...jsDoc(
                `An existing ${kind}, looked up by id (${getById}) and read from libvirt; \`state\` may give its \`uri\` (a host other than the default). Needs @pulumi/pulumi 3.268 or later.`,
                "    ",
            ),
            "    static get(",
            "        name: string,",
            "        id: pulumi.Input<pulumi.ID>,",
            `        state?: ${kind}State,`,
            "        opts?: pulumi.CustomResourceOptions,",
            `    ): ${kind} {`,
            `        return new ${kind}(name, { ...state } as ${kind}Args, { ...opts, id });`,
            "    }",
        );
    }
    const sdkTypes = root.entry.outputs;
    for (const property of root.outputs.properties) {
        const type = sdkTypes[property.name]?.sdkType ?? `${kind}Outputs[${JSON.stringify(property.name)}]`;
        lines.push("", ...jsDoc(property.description, "    "));
        lines.push(`    declare public readonly ${property.name}: pulumi.Output<${type}>;`);
    }
    lines.push(
        "",
        "    /**",
        "     * @param name The resource's logical name, unique in the stack (automatic libvirt names start with it).",
        `     * @param args The arguments: see \`${kind}Args\`.`,
        "     * @param opts Resource options.",
        "     */",
        `    constructor(name: string, args${argsOptional ? "?" : ""}: ${kind}Args, opts?: pulumi.CustomResourceOptions) {`,
        `        const { props, options } = registration(kindFacts.${key}, name, args, opts);`,
        "        const stacks = pausePromiseStacks();",
        "        try {",
        `            super(${token}, name, withProviderText(${JSON.stringify(key)}, props), options);`,
        "        } catch (error) {",
        "            throw withCallerStack(error, stacks);",
        "        } finally {",
        "            resumePromiseStacks(stacks);",
        "        }",
        "    }",
        "}",
    );
    return lines;
}

/** sdk/generated/resources.ts. */
export function resourcesModule(roots: readonly KindRoot[], packageName: string): string {
    const kinds = roots.map((r) => r.entry.kind);
    const parts = [
        [
            HEADER,
            'import * as pulumi from "@pulumi/pulumi";',
            'import { pausePromiseStacks, resumePromiseStacks, withCallerStack } from "../promise-stacks";',
            'import { isInstanceOfKind, registration } from "../registration";',
            'import { withProviderText } from "../stub";',
            `import type { ${kinds.map((k) => `${k}Args`).join(", ")} } from "./inputs";`,
            'import { kindFacts } from "./kinds";',
            `import type { ${kinds.map((k) => `${k}Outputs`).join(", ")} } from "./outputs";`,
            "",
            `export type { ${kinds.map((k) => `${k}Args`).join(", ")} };`,
        ].join("\n"),
    ];
    for (const root of roots) {
        if (root.entry.getById === undefined) continue;
        const kind = root.entry.kind;
        parts.push(
            [
                `/** Properties of an existing ${kind}, for \`${kind}.get\`. */`,
                `export type ${kind}State = Partial<${kind}Args>;`,
            ].join("\n"),
        );
    }
    for (const root of roots) parts.push(classText(root, packageName).join("\n"));
    return `${parts.join("\n\n")}\n`;
}
