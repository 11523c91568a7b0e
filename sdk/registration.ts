/**
 * What every resource class (sdk/generated/resources.ts) registers, from its kind's facts
 * (sdk/generated/kinds.ts; both generated from the kind's descriptor in tools/schema/kinds.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { hiddenInputs } from "./hidden-inputs";
import { derivedSecretOutputs, withSecretInputs } from "./secrets";

/** What a kind's class acts on at run time. */
export interface KindFacts {
    /** Whether the class has a static `get`: an `id` in the options then needs no arguments. */
    readonly gettable: boolean;
    /** The arguments a declaration cannot do without, in their interface's order. */
    readonly required: readonly string[];
    /** Every property the class declares (its arguments echoed and what the provider computes). */
    readonly properties: readonly string[];
    /** Argument paths the SDK wraps in `pulumi.secret()` (`devices.graphics[].password`). */
    readonly secretInputs: readonly string[];
    /** Outputs always marked secret (`additionalSecretOutputs`). */
    readonly secretOutputs: readonly string[];
    /** Outputs derived from another input, by that input's path: secret when it is an Output or a Promise. */
    readonly derivedOutputs: Readonly<Record<string, string>>;
}

/**
 * The props and options a class registers with (`__provider` is added by stub.ts). Every declared property is
 * in the props, as `undefined` unless given: Pulumi makes an Output only for keys present there, so
 * an argument left out (the automatic `name` above all) would otherwise be `undefined` on the
 * instance; undefined values are not sent to the engine. The props are a fresh object each time.
 */
export function registration(
    facts: KindFacts,
    name: string,
    args: object | undefined,
    opts: pulumi.CustomResourceOptions | undefined,
): { props: Record<string, unknown>; options: pulumi.CustomResourceOptions | undefined } {
    // `get` (opts.id) reads an existing object and needs no arguments.
    if (!facts.gettable || opts?.id === undefined) {
        for (const key of facts.required) {
            if ((args as Record<string, unknown> | undefined)?.[key] === undefined) {
                throw new Error(`Missing required property '${key}'`);
            }
        }
    }
    const placeholders = Object.fromEntries(facts.properties.map((property) => [property, undefined]));
    const props = withSecretInputs(facts.secretInputs, { ...placeholders, ...args, ...hiddenInputs(name) });
    const secretOutputs = [...facts.secretOutputs, ...derivedSecretOutputs(facts.derivedOutputs, args)];
    const options =
        secretOutputs.length === 0 ? opts : pulumi.mergeOptions(opts, { additionalSecretOutputs: secretOutputs });
    return { props, options };
}

/** Whether `obj` carries the brand `type` (also when made by another copy of this package). */
export function isInstanceOfKind(obj: unknown, type: string): boolean {
    return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === type;
}
