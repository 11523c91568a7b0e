/**
 * Shared pieces of the live XML tests: the zero-drift assertion (the same normalisation the
 * provider's diff applies, and nothing more), RelaxNG validation of what our writers emit, and a
 * guard that the private subnets the tests use are not routed on this machine already.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { parseIp } from "../../../provider/model/addresses";
import {
    classifyChanges,
    findPolicyRow,
    formatChangePath,
    type PolicyKind,
} from "../../../provider/model/change-policy";
import { isAddressInSubnet } from "../../../provider/model/common";
import { changePolicyTables } from "../../../provider/model/policies";

export { assertValidXml } from "../../unit/xml/relaxng";

/** Every object of these tests is named with this prefix, so cleanup touches nothing else. */
export const PREFIX = "pltest-xmllive-";

/** The model without properties set to undefined, which mean the same as absent ones. */
export function plain<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The model without empty objects and lists either: the change classifier reads them as absent
 * (libvirt prints an empty `<features/>` for a probed qcow2 v3 image, for instance).
 */
export function withoutEmpty<T>(value: T): T {
    const strip = (node: unknown): unknown => {
        if (Array.isArray(node)) return node.map(strip);
        if (!isObject(node)) return node;
        const result: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(node)) {
            const stripped = strip(child);
            const empty =
                stripped === undefined ||
                (isObject(stripped) && Object.keys(stripped).length === 0) ||
                (Array.isArray(stripped) && stripped.length === 0);
            if (!empty) result[key] = stripped;
        }
        return result;
    };
    return strip(plain(value)) as T;
}

type Path = (string | number)[];

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Copies into `expected` the values the policy table marks as reported only (`ignore`) from `read`,
 * the values it keeps as libvirt has them where the model leaves them unset (`unsetKeepsCurrent`),
 * values libvirt rewrote into an equivalent form (`equivalent`), libvirt's defaults where one side leaves them out (`defaultValue`), and drops from it the
 * values libvirt never reports (`notReadBack`).
 */
function alignReportedValues(
    kind: PolicyKind,
    expected: unknown,
    read: unknown,
    path: Path,
    models: { written: unknown; read: unknown },
): unknown {
    const table = changePolicyTables[kind];
    const row = path.length > 0 ? findPolicyRow(table, path) : undefined;
    if (row?.ignore) return read;
    if (row?.unsetKeepsCurrent && expected === undefined) return read;
    const context = { path: formatChangePath(path), oldValue: read, newValue: expected };
    if (row?.equivalent?.({ ...context, oldModel: models.read, newModel: models.written })) return read;
    if (row?.notReadBack && read === undefined) return undefined;
    if (row?.defaultValue !== undefined && expected === undefined && read === row.defaultValue) return read;
    if (row?.defaultValue !== undefined && read === undefined && expected === row.defaultValue) return undefined;
    if (isObject(expected) || isObject(read)) {
        const e = isObject(expected) ? expected : {};
        const r = isObject(read) ? read : {};
        const result: Record<string, unknown> = {};
        for (const key of new Set([...Object.keys(e), ...Object.keys(r)])) {
            const value = alignReportedValues(kind, e[key], r[key], [...path, key], models);
            if (value !== undefined) result[key] = value;
        }
        return Object.keys(result).length > 0 || expected !== undefined ? result : undefined;
    }
    if (Array.isArray(expected) && Array.isArray(read)) {
        return expected.map((item, index) => alignReportedValues(kind, item, read[index], [...path, index], models));
    }
    return expected;
}

/**
 * Zero drift: the model read back from libvirt is exactly the model written, apart from values the
 * policy table says libvirt fills in where the model left them unset (UUID, bridge MAC, defaults)
 * and values that are reported rather than configured (a volume's key and allocation). Also checks
 * that the change classifier, which drives `pulumi preview`, sees no change at all.
 */
export function assertZeroDrift<T>(kind: PolicyKind, written: T, read: T, label: string): void {
    const changes = classifyChanges(kind, read, written);
    assert.deepEqual(changes, [], `${label}: the classifier sees drift: ${JSON.stringify(changes, null, 1)}`);
    const expected = plain(alignReportedValues(kind, plain(written), read, [], { written, read }));
    assert.deepEqual(
        withoutEmpty(read),
        withoutEmpty(expected),
        `${label}: the model read back differs from the one written`,
    );
}

/** A subnet used by a test, as "address/prefix". */
function overlaps(a: string, b: string): boolean {
    const [aAddress, aPrefix] = a.split("/") as [string, string];
    const [bAddress, bPrefix] = b.split("/") as [string, string];
    if (parseIp(aAddress)?.family !== parseIp(bAddress)?.family) return false;
    return (
        isAddressInSubnet(aAddress, bAddress, Number(bPrefix)) || isAddressInSubnet(bAddress, aAddress, Number(aPrefix))
    );
}

/**
 * Fails when any of `subnets` overlaps a route this machine already has (other than routes through
 * bridges of these tests, left by an earlier run that cleanup is about to remove).
 */
export function assertSubnetsUnrouted(subnets: readonly string[], ownBridges: (dev: string) => boolean): void {
    for (const family of ["-4", "-6"]) {
        const routes = JSON.parse(execFileSync("ip", ["-j", family, "route", "show"], { encoding: "utf8" })) as {
            dst: string;
            dev?: string;
        }[];
        for (const route of routes) {
            if (route.dst === "default" || (route.dev !== undefined && ownBridges(route.dev))) continue;
            const dst = route.dst.includes("/") ? route.dst : `${route.dst}/${family === "-4" ? 32 : 128}`;
            for (const subnet of subnets) {
                assert.ok(
                    !overlaps(subnet, dst),
                    `test subnet ${subnet} collides with the route ${dst} dev ${route.dev}; pick another`,
                );
            }
        }
    }
}

/** The kernel's interface index of a link, or undefined when it does not exist. */
export function linkIndex(name: string): number | undefined {
    try {
        const [link] = JSON.parse(
            execFileSync("ip", ["-j", "link", "show", "dev", name], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "ignore"],
            }),
        ) as {
            ifindex: number;
        }[];
        return link?.ifindex;
    } catch {
        return undefined;
    }
}
