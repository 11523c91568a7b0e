/**
 * Secrets on the program side. Every argument a kind's schema declares with `secret()` (see
 * provider/model/secret.ts) is wrapped in `pulumi.secret()` here, whatever the program passed, so
 * the engine encrypts it in the state and never prints it; the outputs that echo one are marked with
 * `additionalSecretOutputs`. Nothing here lists fields by hand: a new secret argument is handled by
 * declaring it in its schema.
 */
import * as pulumi from "@pulumi/pulumi";
import { secretPathsOf } from "../provider/model/secret";
import { cloudInitArgsSchema } from "../provider/resources/cloud-init/args";
import { dhcpHostArgsSchema } from "../provider/resources/dhcp-host/args";
import { dnsHostArgsSchema } from "../provider/resources/dns-host/args";
import { domainArgsSchema } from "../provider/resources/domain/args";
import { domainSnapshotArgsSchema } from "../provider/resources/domain-snapshot/args";
import { secretOutputKeys as domainSecretOutputs } from "../provider/resources/domain/outputs";
import { networkArgsSchema } from "../provider/resources/network/args";
import { storagePoolArgsSchema } from "../provider/resources/storage-pool/args";
import { volumeArgsSchema } from "../provider/resources/volume/args";
import type { KindKey } from "./stub";

/** The secret argument paths of each kind, from its argument schema. */
export const secretInputPaths: Readonly<Record<KindKey, readonly string[]>> = {
    domain: secretPathsOf(domainArgsSchema),
    network: secretPathsOf(networkArgsSchema),
    storagePool: secretPathsOf(storagePoolArgsSchema),
    volume: secretPathsOf(volumeArgsSchema),
    dhcpHost: secretPathsOf(dhcpHostArgsSchema),
    dnsHost: secretPathsOf(dnsHostArgsSchema),
    cloudInit: secretPathsOf(cloudInitArgsSchema),
    domainSnapshot: secretPathsOf(domainSnapshotArgsSchema),
};

/** Outputs a kind's provider fills with secret values besides the echoed inputs (Domain's passwords). */
const extraSecretOutputs: Readonly<Partial<Record<KindKey, readonly string[]>>> = {
    domain: domainSecretOutputs,
};

/**
 * The outputs to mark secret: a top-level secret argument's echo (same name) and the kind's own
 * secret outputs. A nested secret (a graphics password inside `devices`) is not echoed: the
 * provider removes it from the echo (Domain moves it to `graphicsPasswords`).
 */
export function secretOutputs(kind: KindKey): string[] {
    const echoed = secretInputPaths[kind].filter((path) => !/[.[]/.test(path));
    return [...new Set([...echoed, ...(extraSecretOutputs[kind] ?? [])])];
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

/** The arguments with every secret argument of the kind wrapped in pulumi.secret(). */
export function withSecretInputs<T extends object>(kind: KindKey, args: T): T {
    let result: unknown = args;
    for (const path of secretInputPaths[kind]) result = markAt(result, segmentsOf(path));
    return result as T;
}

/** The options with the kind's secret outputs added to `additionalSecretOutputs`. */
export function withSecretOutputs(
    kind: KindKey,
    opts: pulumi.CustomResourceOptions | undefined,
): pulumi.CustomResourceOptions | undefined {
    const keys = secretOutputs(kind);
    return keys.length === 0 ? opts : pulumi.mergeOptions(opts, { additionalSecretOutputs: keys });
}
