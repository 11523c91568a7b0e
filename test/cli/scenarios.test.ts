/**
 * The scenarios that matter most, under the real Pulumi engine: reservations added and removed on a
 * running network (same dnsmasq), a restart-class change held back then applied gracefully, a
 * failed create that leaves nothing, adoption, ignoreChanges, protect, delete-before-replace for
 * explicit names, --target, and stack outputs (secrets: secrets.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DhcpHost, Domain, type DomainArgs, Network, StoragePool, Volume } from "pulumi-libvirt";
import { loadTestHost } from "../helpers/test-host";
import { listNames, virsh, virshMaybe } from "../helpers/virsh";
import { type CliScenario, cliScenario, onlySame } from "./harness";

/** Runs `body` on a fresh scenario and always removes what it made. */
async function withScenario(prefix: string, body: (s: CliScenario) => Promise<void>): Promise<void> {
    const s = cliScenario(prefix);
    try {
        await body(s);
    } finally {
        s.cleanup();
    }
}

function tinyGuest(name: string, extra: Partial<DomainArgs> = {}): DomainArgs {
    const host = loadTestHost();
    return {
        name,
        type: "qemu",
        memory: 64,
        vcpu: 1,
        os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
        shutdownTimeoutSeconds: 5,
        devices: { serials: [{ type: "pty" }] },
        ...extra,
    };
}

const pidOf = (domain: string) => readFileSync(`/run/libvirt/qemu/${domain}.pid`, "utf8").trim();
const dnsmasqOf = (network: string) => readFileSync(`/run/libvirt/network/${network}.pid`, "utf8").trim();

describe("scenarios under the real Pulumi engine", { concurrency: 1 }, () => {
    test("DhcpHosts are added and removed on the running network: same dnsmasq", () =>
        withScenario("pltest-cli-dhcp", async (s) => {
            const net = `${s.prefix}-net`;
            const program = (hosts: number[]) => async () => {
                const n = new Network("net", {
                    name: net,
                    ips: [
                        {
                            address: "10.253.209.1",
                            prefix: 24,
                            dhcp: { ranges: [{ start: "10.253.209.100", end: "10.253.209.199" }] },
                        },
                    ],
                });
                for (const h of hosts) {
                    new DhcpHost(`host${h}`, {
                        network: n.name,
                        mac: `52:54:00:fd:d1:${h}`,
                        ip: `10.253.209.${h}`,
                        name: `guest${h}`,
                    });
                }
            };
            await s.up(program([11]));
            const dnsmasq = dnsmasqOf(net);
            const add = await s.up(program([11, 12]));
            assert.deepEqual(add.steps.changes, ["create host12"]);
            assert.match(virsh(["net-dumpxml", net]), /ip='10\.253\.209\.12'/);
            const remove = await s.up(program([12]));
            assert.deepEqual(remove.steps.changes, ["delete host11"]);
            assert.doesNotMatch(virsh(["net-dumpxml", net]), /ip='10\.253\.209\.11'/);
            assert.equal(dnsmasqOf(net), dnsmasq, "the network was never restarted");
            await s.destroy();
            assert.deepEqual(listNames("network", s.prefix), []);
        }));

    test("a CPU mode change waits for a restart with restartPolicy never, and restarts with graceful", () =>
        withScenario("pltest-cli-cpu", async (s) => {
            const name = `${s.prefix}-vm`;
            const program = (extra: Partial<DomainArgs>) => async () => {
                const vm = new Domain("vm", tinyGuest(name, extra));
                return { pendingRestart: vm.pendingRestart };
            };
            await s.up(program({ cpu: { mode: "host-model" } }));
            const pid = pidOf(name);
            const held = await s.up(program({ cpu: { mode: "host-passthrough" }, restartPolicy: "never" }));
            assert.deepEqual(held.steps.changes, ["update vm"]);
            assert.equal(held.result.outputs.pendingRestart?.value, true);
            assert.equal(pidOf(name), pid, "restartPolicy never: the guest was left alone");
            assert.match(virsh(["dumpxml", name, "--inactive"]), /<cpu mode='host-passthrough'/);
            const applied = await s.up(program({ cpu: { mode: "host-model" }, restartPolicy: "graceful" }));
            assert.deepEqual(applied.steps.changes, ["update vm"]);
            assert.equal(applied.result.outputs.pendingRestart?.value, false);
            assert.notEqual(pidOf(name), pid, "graceful: the guest was restarted");
            assert.match(virsh(["dumpxml", name, "--inactive"]), /<cpu mode='host-model'/);
            await s.destroy();
        }));

    test("a create that fails leaves nothing in libvirt and nothing in the state", () =>
        withScenario("pltest-cli-fail", async (s) => {
            const name = `${s.prefix}-vm`;
            const program = async () => {
                new Domain("vm", tinyGuest(name, { os: { kernel: `/nonexistent/${s.prefix}/vmlinuz` } }));
            };
            await assert.rejects(s.up(program), /vmlinuz/);
            assert.equal(virshMaybe(["dominfo", name]), undefined, "the domain is not left defined");
            const state = await (await s.stack()).exportStack();
            const resources = (state.deployment as { resources?: { type: string }[] }).resources ?? [];
            assert.deepEqual(
                resources.filter((r) => r.type.includes("libvirt")),
                [],
                "no resource recorded",
            );
        }));

    test("adopt takes over a domain virsh defined, with its UUID", () =>
        withScenario("pltest-cli-adopt", async (s) => {
            const name = `${s.prefix}-vm`;
            const host = loadTestHost();
            const file = join(s.dir, "domain.xml");
            writeFileSync(
                file,
                `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type><kernel>${host.guestKernel}</kernel><initrd>${host.guestInitrd}</initrd>
  <cmdline>console=ttyS0</cmdline></os><devices><serial type='pty'/></devices></domain>`,
            );
            virsh(["define", file]);
            unlinkSync(file);
            const uuid = virsh(["domuuid", name]).trim();
            const up = await s.up(async () => {
                const vm = new Domain("vm", tinyGuest(name, { adopt: true, running: false }));
                return { uuid: vm.uuid };
            });
            assert.equal(up.result.outputs.uuid?.value, uuid, "adopted, not recreated");
            await s.destroy();
            assert.equal(virshMaybe(["dominfo", name]), undefined, "the adopted domain belonged to the stack");
        }));

    test("ignoreChanges, protect, delete-before-replace of explicit names, --target and stack outputs", () =>
        withScenario("pltest-cli-opts", async (s) => {
            const poolPath = `/var/lib/libvirt/${s.prefix}-pool`;
            const volumeName = (k: string) => `${s.prefix}-${k}.img`;
            interface Decl {
                capacity: { a: number; b: number };
                format: "raw" | "qcow2";
                protect: boolean;
                ignored: number;
            }
            const program = (d: Decl) => async () => {
                const pool = new StoragePool("pool", {
                    name: `${s.prefix}-pool`,
                    type: "dir",
                    target: { path: poolPath },
                });
                const a = new Volume(
                    "a",
                    { pool: pool.name, name: volumeName("a"), capacity: d.capacity.a, target: { format: d.format } },
                    { protect: d.protect },
                );
                const b = new Volume("b", { pool: pool.name, name: volumeName("b"), capacity: d.capacity.b });
                new Volume(
                    "ignored",
                    { pool: pool.name, name: volumeName("ignored"), capacity: d.ignored },
                    { ignoreChanges: ["capacity"] },
                );
                return { a: a.key, b: pulumi.output(b.capacity) };
            };
            const base: Decl = { capacity: { a: 8, b: 8 }, format: "raw", protect: false, ignored: 8 };
            await s.up(program(base));
            // pulumi stack output --json
            const outputs = await (await s.stack()).outputs();
            assert.equal(outputs.a?.value, `${poolPath}/${volumeName("a")}`);

            // ignoreChanges: a capacity change of "ignored" plans nothing.
            const ignored = await s.preview(program({ ...base, ignored: 16 }));
            assert.ok(onlySame(ignored.result.changeSummary), JSON.stringify(ignored.result.changeSummary));

            // --target: only the targeted volume grows.
            const urnA = `urn:pulumi:pltest::pltest-cli::pulumi-nodejs:dynamic/libvirt:Volume::a`;
            const targeted = await s.up(program({ ...base, capacity: { a: 16, b: 16 } }), { target: [urnA] });
            assert.deepEqual(targeted.steps.changes, ["update a"]);
            assert.match(
                virsh(["vol-info", volumeName("b"), "--pool", `${s.prefix}-pool`, "--bytes"]),
                /8388608 bytes/,
            );

            // An explicit name replaced in place: the old volume goes first (delete-before-replace).
            const grown = { ...base, capacity: { a: 16, b: 8 } };
            const replaced = await s.up(program({ ...grown, format: "qcow2" }));
            const order = replaced.steps.all.filter((st) => st.endsWith(" a"));
            assert.deepEqual(order, ["delete-replaced a", "replace a", "create-replacement a"]);
            assert.match(virsh(["vol-dumpxml", volumeName("a"), "--pool", `${s.prefix}-pool`]), /format type='qcow2'/);

            // protect: destroy refuses to delete it, and removing protect lets it go.
            await s.up(program({ ...grown, format: "qcow2", protect: true }));
            await assert.rejects(s.destroy(), /protect/);
            assert.ok(virshMaybe(["vol-info", volumeName("a"), "--pool", `${s.prefix}-pool`]), "still there");
            await s.up(program({ ...grown, format: "qcow2", protect: false }));
            await s.destroy();
            assert.deepEqual(listNames("pool", s.prefix), []);
        }));
});
