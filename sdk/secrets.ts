/**
 * Secrets on the program side. Every argument a kind's schema declares with `secret()` (see
 * provider/model/secret.ts) is wrapped in `pulumi.secret()` here, whatever the program passed, so
 * the engine encrypts it in the state and never prints it; the outputs that echo one are marked with
 * `additionalSecretOutputs`. Nothing here lists fields by hand: a new secret argument is handled by
 * declaring it in its schema (`npm run schema` writes the paths into sdk/generated/kinds.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { type KindKey, kindFacts } from "./generated/kinds";

/** The secret argument paths of each kind, from its argument schema. */
export const secretInputPaths: Readonly<Record<KindKey, readonly string[]>> = Object.fromEntries(
    Object.entries(kindFacts).map(([kind, facts]) => [kind, facts.secretInputs]),
) as Record<KindKey, readonly string[]>;

/**
 * The outputs a kind always marks secret: a top-level secret argument's echo (same name) and the
 * kind's own secret outputs. A nested secret (a graphics password inside `devices`) is not echoed:
 * the provider removes it from the echo (Domain moves it to `graphicsPasswords`).
 */
export function secretOutputs(kind: KindKey): string[] {
    return [...kindFacts[kind].secretOutputs];
}

function segmentsOf(path: string): string[] {
    return path
        .replaceAll("[]", ".[]")
        .split(".")
        .filter((segment) => segment !== "");
}

function isPromiseLike(value: unknown): boolean {
    return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** Wraps the value at `segments` below `value` in pulumi.secret(), looking through Outputs and Promises. */
function markAt(value: unknown, segments: readonly string[]): unknown {
    if (value === undefined || value === null) return value;
    if (segments.length === 0) return pulumi.secret(value as pulumi.Input<unknown>);
    if (pulumi.Output.isInstance(value) || isPromiseLike(value)) {
        // The structure is known only later: mark inside it then. The result holds the secret as a
        // nested Output, which the SDK serialises as a nested secret (the rest stays readable).
        const later: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
        return later.apply((resolved: unknown) => markAt(resolved, segments));
    }
    const [head, ...rest] = segments;
    if (head === "[]") return Array.isArray(value) ? value.map((item) => markAt(item, rest)) : value;
    if (typeof value !== "object" || Array.isArray(value)) return value;
    const record = value as Record<string, unknown>;
    if (!(head! in record)) return value;
    return { ...record, [head!]: markAt(record[head!], rest) };
}

/** The arguments with the value at each of `paths` wrapped in pulumi.secret(). */
export function withSecretInputs<T extends object>(paths: readonly string[], args: T): T {
    let result: unknown = args;
    for (const path of paths) result = markAt(result, segmentsOf(path));
    return result as T;
}

/**
 * The derived outputs (output -> the input path it comes from) whose input the program passed as an
 * Output or a Promise, at that path or above it. Whether such a value is secret is known only
 * later, so its derived outputs are marked; plain values leave them readable.
 */
export function derivedSecretOutputs(derived: Readonly<Record<string, string>>, args: object | undefined): string[] {
    return Object.keys(derived).filter((output) => {
        let value: unknown = args;
        for (const segment of segmentsOf(derived[output]!)) {
            if (pulumi.Output.isInstance(value) || isPromiseLike(value)) return true;
            if (typeof value !== "object" || value === null) return false;
            value = (value as Record<string, unknown>)[segment];
        }
        return pulumi.Output.isInstance(value) || isPromiseLike(value);
    });
}
