/**
 * Tier (d): every example under the real Pulumi engine: up, a preview and a refresh that expect no
 * changes (the CLI fails them otherwise), an edit applied live (the guests keep their QEMU
 * processes, checked with virsh), the stack's outputs, destroy, and nothing of the example left.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { guestExec, guestReadFile, waitForAgent } from "../helpers/guest-agent";
import { loadTestHost } from "../helpers/test-host";
import { listNames, virsh } from "../helpers/virsh";
import { cliScenario, exampleModule, onlySame } from "./harness";

interface ExampleCase {
    name: string;
    /** The stack config for this test's prefix and subnets. */
    config(prefix: string): Record<string, string>;
    /** The domains the example defines for that prefix. */
    domains(prefix: string): string[];
    /** A config edit that libvirt applies to the running guests. */
    liveEdit: Record<string, string>;
    /** Per-test timeout (the cloud guest boots under TCG: minutes on a busy machine). */
    timeoutMs?: number;
    /** More checks after the first up (the cloud guest: cloud-init applied, seen through the agent). */
    afterUp?(prefix: string): Promise<void>;
}

function guest(): Record<string, string> {
    const host = loadTestHost();
    return { kernel: host.guestKernel, initrd: host.guestInitrd, shutdownTimeoutSeconds: "5" };
}

/** An OpenSSH line for a fresh ed25519 key: the vm example's user gets it. */
function ed25519PublicKey(comment: string): string {
    const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    return `ssh-ed25519 ${Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64")} ${comment}`;
}

const EXAMPLE_KEY = ed25519PublicKey("example@pltest");

const CASES: ExampleCase[] = [
    {
        name: "minimal",
        config: (prefix) => ({ prefix, ...guest() }),
        domains: (prefix) => [`${prefix}-vm`],
        liveEdit: { currentMemoryMiB: "48" },
    },
    {
        name: "lab",
        config: (prefix) => ({
            prefix,
            subnet: "10.253.206",
            poolPath: `/var/lib/libvirt/${prefix}-pool`,
            ...guest(),
        }),
        domains: (prefix) => [`${prefix}-vm1`, `${prefix}-vm2`],
        liveEdit: { vcpus: "2" },
    },
    {
        name: "multi-host",
        config: (prefix) => {
            const host = loadTestHost();
            return {
                prefix,
                hostA: host.unixUri,
                hostB: host.tcpUri,
                subnetA: "10.253.207",
                subnetB: "10.253.208",
                ...guest(),
            };
        },
        domains: (prefix) => [`${prefix}-a-vm`, `${prefix}-b-vm`],
        liveEdit: { currentMemoryMiB: "48" },
    },
    {
        name: "vm",
        config: (prefix) => ({
            prefix,
            subnet: "10.253.209",
            poolPath: `/var/lib/libvirt/${prefix}-pool`,
            sshKey: EXAMPLE_KEY,
            shutdownTimeoutSeconds: "20",
        }),
        domains: (prefix) => [`${prefix}-vm`],
        liveEdit: { memoryMiB: "768" },
        timeoutMs: 20 * 60_000,
        async afterUp(prefix) {
            const domain = `${prefix}-vm`;
            await waitForAgent(domain, 10 * 60_000);
            const status = await guestExec(domain, "/usr/bin/cloud-init", ["status", "--wait"], 10 * 60_000);
            assert.equal(status.stdout.trim().split("\n").pop(), "status: done", status.stdout + status.stderr);
            assert.equal((await guestExec(domain, "/bin/hostname")).stdout.trim(), domain);
            assert.equal(guestReadFile(domain, "/home/lab/.ssh/authorized_keys").trim(), EXAMPLE_KEY);
        },
    },
];

/** The pid of a running domain's QEMU (libvirt writes its pid file). */
function qemuPid(domain: string): string {
    return readFileSync(`/run/libvirt/qemu/${domain}.pid`, "utf8").trim();
}

for (const example of CASES) {
    describe(`the ${example.name} example under the real Pulumi engine`, { concurrency: 1 }, () => {
        const prefix = `pltest-cli-${example.name}`;
        // An example that waits for a cloud image to boot gets a longer bound, inside its test timeout.
        const s = cliScenario(prefix, {
            operationBoundMs: example.timeoutMs === undefined ? undefined : example.timeoutMs - 60_000,
        });
        const program = exampleModule(example.name);
        const domains = example.domains(prefix);

        const timeout = { timeout: example.timeoutMs };
        test("up creates it; preview and refresh then expect no changes", timeout, async (t) => {
            try {
                await s.config(example.config(prefix));
                const up = await s.up(program);
                t.diagnostic(`up: ${JSON.stringify(up.result.summary.resourceChanges)}`);
                assert.equal(up.result.summary.result, "succeeded");
                for (const d of domains) assert.match(virsh(["domstate", d]), /running/, `${d} runs`);
                await example.afterUp?.(prefix);
                const preview = await s.preview(program, { expectNoChanges: true });
                assert.ok(onlySame(preview.result.changeSummary), JSON.stringify(preview.result.changeSummary));
                const refresh = await s.refresh({ expectNoChanges: true });
                assert.deepEqual(refresh.steps.changes, [], "refresh found no drift");
            } catch (e) {
                s.cleanup();
                throw e;
            }
        });

        test("an edit is applied live: the guests keep their QEMU processes", timeout, async () => {
            try {
                const before = domains.map(qemuPid);
                await s.config(example.liveEdit);
                const up = await s.up(program);
                assert.deepEqual(
                    up.steps.changes.sort(),
                    domains.map((_, i) => `update ${updatedName(example.name, i)}`).sort(),
                );
                assert.deepEqual(domains.map(qemuPid), before, "same QEMU processes");
                const outputs = await (await s.stack()).outputs();
                assert.ok(Object.keys(outputs).length > 0, "the stack has the example's outputs");
            } catch (e) {
                s.cleanup();
                throw e;
            }
        });

        test("destroy leaves nothing of it", timeout, async () => {
            try {
                const destroy = await s.destroy();
                assert.equal(destroy.result.summary.result, "succeeded");
                for (const kind of ["domain", "network", "pool"] as const) {
                    assert.deepEqual(listNames(kind, prefix), [], `no ${kind} left`);
                }
            } finally {
                s.cleanup();
            }
        });
    });
}

/** The logical name of the i-th domain of each example (what the engine's steps are named). */
function updatedName(example: string, i: number): string {
    if (example === "minimal") return "vm";
    if (example === "lab") return `vm${i + 1}`;
    if (example === "vm") return "vm-domain";
    return i === 0 ? "vm-a" : "vm-b";
}
