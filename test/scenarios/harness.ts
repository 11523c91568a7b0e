/**
 * What every scenario test needs: a throwaway project folder (where the program and the provider
 * host run, with `node_modules/pulumi-libvirt` linked to this repository), the engine emulator over
 * a state file there, clean-up of the test's libvirt objects before and after, and the probes the
 * scenarios assert with (process ids, what virsh sees).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultPool } from "../../provider/rpc";
import { type EmulatorOptions, EngineEmulator, EngineError } from "../../tools/engine";
import type { RunSummary, StateFile, StateResource } from "../../tools/engine";
import { linkPackage } from "../../tools/lab/project";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import { removeTestObjects, virsh } from "../helpers/virsh";

export interface Scenario {
    dir: string;
    stateFile: string;
    prefix: string;
    engine(options?: Partial<EmulatorOptions>): EngineEmulator;
    /** The resources of the state file. */
    state(): StateResource[];
    /** Removes the test's libvirt objects, pool folders and project folder; closes the connections. */
    cleanup(): Promise<void>;
}

/**
 * A scenario whose libvirt objects all start with `prefix` (which must start with "pltest-").
 * Leftovers of an earlier failed run are removed first.
 */
export function scenario(prefix: string, project = "libvirt-lab"): Scenario {
    removeAll(prefix);
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    linkPackage(dir, PROJECT_ROOT);
    const stateFile = join(dir, "state.json");
    return {
        dir,
        stateFile,
        prefix,
        engine: (options) => new EngineEmulator({ stateFile, project, stack: "pltest", cwd: dir, ...options }),
        state: () =>
            existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as StateFile).resources : [],
        cleanup: async () => {
            removeAll(prefix);
            rmSync(dir, { recursive: true, force: true });
            // The provider runtime's connections (the same module instance: it is loaded through the link).
            await defaultPool.closeAll();
        },
    };
}

/** Runs an `up` of `program` that must fail; the engine's error (its message and the run's summary). */
export async function failedUp(s: Scenario, program: () => void): Promise<EngineError> {
    const failure = await s
        .engine()
        .up(program)
        .then(
            () => assert.fail("the up should have failed"),
            (e: unknown) => e,
        );
    assert.ok(failure instanceof EngineError, String(failure));
    return failure;
}

/** The folder scenario pools keep their volumes in. */
export function poolPath(prefix: string): string {
    return `/var/lib/libvirt/${prefix}-pool`;
}

function removeAll(prefix: string): void {
    removeTestObjects(prefix);
    rmSync(poolPath(prefix), { recursive: true, force: true });
}

/** The lab's graceful-shutdown wait in the scenarios. */
export const LAB_SHUTDOWN_SECONDS = 3;

/** The lab's config for a scenario: its own prefix, subnet, pool folder and the test host's guest. */
export function labConfig(prefix: string, subnet: string): Record<string, string> {
    const host = loadTestHost();
    return {
        prefix,
        subnet,
        poolPath: poolPath(prefix),
        kernel: host.guestKernel,
        initrd: host.guestInitrd,
        // The tiny guest powers off on ACPI within seconds once booted; one still booting is powered off soon.
        shutdownTimeoutSeconds: String(LAB_SHUTDOWN_SECONDS),
    };
}

/** The compiled example programs. */
export function exampleProgram(name: "lab" | "minimal" | "multi-host"): string {
    return join(PROJECT_ROOT, "dist", "examples", name, "index.js");
}

/** "op name" for each step, e.g. "update vm1" (the logical name is the URN's last part). */
export function ops(summary: RunSummary): string[] {
    return summary.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`);
}

/** How many steps of one kind the run made on libvirt resources (the stack's own resource aside). */
export function libvirtSteps(summary: RunSummary, op: string): number {
    return summary.steps.filter((s) => s.op === op && s.urn.includes("dynamic/libvirt:")).length;
}

/** The steps that did something (anything but same). */
export function changes(summary: RunSummary): string[] {
    return ops(summary).filter((s) => !s.startsWith("same "));
}

/** The outputs of a resource of the state, by logical name. */
export function outputsOf(s: Scenario, name: string): Record<string, unknown> {
    const r = s.state().find((x) => x.urn.endsWith(`::${name}`));
    if (!r)
        throw new Error(`no resource ${name} in the state (have: ${s.state().map((x) => x.urn.split("::").pop())})`);
    return r.outputs;
}

function pidFile(path: string, what: string): number {
    if (!existsSync(path)) throw new Error(`${path} is missing: ${what} is not running`);
    return Number(readFileSync(path, "utf8").trim());
}

/** The QEMU process of a running domain (libvirt writes its pid file). */
export function qemuPid(domain: string): number {
    return pidFile(`/run/libvirt/qemu/${domain}.pid`, `domain ${domain}`);
}

/** The dnsmasq of an active network: a restart of the network gives a new one. */
export function dnsmasqPid(network: string): number {
    return pidFile(`/run/libvirt/network/${network}.pid`, `network ${network}`);
}

/** The `<host>` entries of a network's live DHCP configuration, as "mac ip". */
export function dhcpHosts(network: string): string[] {
    const xml = virsh(["net-dumpxml", network]);
    return [...xml.matchAll(/<host\b[^>]*>/g)]
        .map((m) => `${/mac='([^']+)'/.exec(m[0])?.[1] ?? "-"} ${/ip='([^']+)'/.exec(m[0])?.[1] ?? "-"}`)
        .sort();
}

/** Names of the domains, networks and pools whose names start with prefix. */
export function objectsOf(prefix: string): string[] {
    const list = (args: string[]) =>
        virsh(args)
            .split("\n")
            .map((l) => l.trim())
            .filter((n) => n.startsWith(prefix));
    return [
        ...list(["list", "--all", "--name"]),
        ...list(["net-list", "--all", "--name"]),
        ...list(["pool-list", "--all", "--name"]),
    ];
}

/** Milliseconds as "12.3 s" for diagnostics. */
export function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}
