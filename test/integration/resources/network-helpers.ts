/**
 * What the Network, DhcpHost and DnsHost tests look at from outside our code: virsh's view of a
 * network, its dnsmasq process (a live change keeps it; a restart replaces it) and its bridge.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Properties, ResourceHandler } from "../../../provider/resources/shared/handler";
import { virsh } from "../../helpers/virsh";

/** Where libvirt keeps the pid of a network's dnsmasq. */
const DNSMASQ_PID_DIR = "/var/run/libvirt/network";

/** The pid of a running network's dnsmasq (checked to be alive). */
export function dnsmasqPid(network: string): number {
    const file = `${DNSMASQ_PID_DIR}/${network}.pid`;
    assert.ok(existsSync(file), `no dnsmasq pid file ${file}: is dnsmasq installed and the network running?`);
    const pid = Number(readFileSync(file, "utf8").trim());
    assert.ok(Number.isInteger(pid) && pid > 0, `bad pid in ${file}`);
    process.kill(pid, 0); // throws when the process is gone
    return pid;
}

/**
 * The kernel's index of a network's bridge device: a network restart deletes and re-creates the
 * bridge (new index), an in-place change keeps it.
 */
export function bridgeIfindex(network: string): number {
    const bridge = netInfo(network).bridge;
    const file = `/sys/class/net/${bridge}/ifindex`;
    assert.ok(existsSync(file), `bridge ${bridge} of ${network} does not exist`);
    return Number(readFileSync(file, "utf8").trim());
}

/** virsh's facts about a network: active, autostart, bridge. */
export function netInfo(network: string): { active: boolean; autostart: boolean; bridge: string; uuid: string } {
    const lines = Object.fromEntries(
        virsh(["net-info", network])
            .split("\n")
            .map((line) => line.split(/:\s+/))
            .filter((parts) => parts.length === 2)
            .map(([key, value]) => [key!.trim(), value!.trim()]),
    );
    return {
        active: lines.Active === "yes",
        autostart: lines.Autostart === "yes",
        bridge: lines.Bridge ?? "",
        uuid: lines.UUID ?? "",
    };
}

/** The running network's XML. */
export function liveXml(network: string): string {
    return virsh(["net-dumpxml", network]);
}

/** The persistent configuration's XML. */
export function configXml(network: string): string {
    return virsh(["net-dumpxml", "--inactive", network]);
}

/** How often `needle` occurs in `text`. */
export function count(text: string, needle: string): number {
    return text.split(needle).length - 1;
}

/** Runs `check` and fails the test on any failure; returns the checked inputs. */
export async function checked(handler: ResourceHandler, news: Properties, olds: Properties = {}): Promise<Properties> {
    const result = await handler.check(olds, news);
    assert.deepEqual(result.failures ?? [], [], `check failed: ${JSON.stringify(result.failures)}`);
    return result.inputs as Properties;
}

/** Defines and starts an isolated test network with virsh (independent of our code). */
export function virshNetwork(name: string, subnet: string, extra = ""): void {
    const xml = `<network><name>${name}</name><ip address='${subnet}.1' prefix='24'><dhcp><range start='${subnet}.100' end='${subnet}.200'/>${extra}</dhcp></ip></network>`;
    const file = `/tmp/${name}.xml`;
    writeFileSync(file, xml);
    try {
        virsh(["net-define", file]);
    } finally {
        rmSync(file, { force: true });
    }
    virsh(["net-start", name]);
}

/** Asserts that a promise rejects with a message matching every pattern; returns the message. */
export async function rejectsWith(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
    const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    assert.ok(error instanceof Error, "expected the operation to fail");
    for (const pattern of patterns) assert.match(error.message, pattern);
    return error.message;
}

/**
 * Asserts that check refuses `news` at `property` with every pattern (what preview shows), and
 * that create, run anyway with those inputs, refuses it too (the network may change in between).
 */
export async function refusedAtCheckAndCreate(
    handler: ResourceHandler,
    news: Properties,
    property: string,
    ...patterns: RegExp[]
): Promise<string> {
    const result = await handler.check({}, news);
    const failure = result.failures?.find((f) => f.property === property);
    assert.ok(failure, `check should refuse ${property}: ${JSON.stringify(result.failures)}`);
    for (const pattern of patterns) assert.match(failure.reason, pattern);
    await rejectsWith(handler.create(result.inputs as Properties), ...patterns);
    return failure.reason;
}
