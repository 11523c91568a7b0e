/**
 * The VirtualMachine component under the real engine, booting the test host's Debian cloud guest
 * under TCG: up with a reserved IP (cloud-init's hostname, user and keys read back through the
 * guest agent, never over the network), a second up that changes nothing, memory and vCPUs grown
 * live (the same QEMU process), a second key (a new seed with a new instance-id, swapped live
 * into the cdrom; cloud-init applies it at the next boot), two VMs sharing one base image (the base
 * outlives the first VM), and destroy leaving nothing. Bad input fails with the field named and
 * nothing created.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Network, VirtualMachine, type VirtualMachineArgs } from "pulumi-libvirt";
import { guestExec, guestReadFile, waitForAgent } from "../helpers/guest-agent";
import { loadTestHost } from "../helpers/test-host";
import { listNames, virsh, virshMaybe } from "../helpers/virsh";
import { cliScenario } from "./harness";

const PREFIX = "pltest-clivm";
const POOL = `${PREFIX}-pool`;
const NET = `${PREFIX}-net`;
const VM1 = `${PREFIX}-vm1`;
const VM2 = `${PREFIX}-vm2`;
const SUBNET = "10.253.191";
const RESERVED_IP = `${SUBNET}.10`;
const USER = "labuser";
const HOSTNAME = "vm-one";
/** TCG on two shared cores: a boot takes 60-110 s on a quiet machine, minutes on a busy one. */
const STEP_TIMEOUT_MS = 20 * 60_000;
const BOOT_TIMEOUT_MS = 10 * 60_000;

function ed25519PublicKey(comment: string): string {
    const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    return `ssh-ed25519 ${Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64")} ${comment}`;
}

const KEY1 = ed25519PublicKey("first@pltest");
const KEY2 = ed25519PublicKey("second@pltest");

interface Shape {
    vm1?: { memory: number; vcpus: number; keys: string[] };
    vm2?: boolean;
}

function common(): Omit<VirtualMachineArgs, "name"> {
    const host = loadTestHost();
    return {
        image: host.cloudGuestImage,
        pool: POOL,
        network: NET,
        type: "qemu",
        user: USER,
        domain: {
            os: { kernel: host.cloudGuestKernel, initrd: host.cloudGuestInitrd, cmdline: host.cloudGuestCmdline },
            shutdownTimeoutSeconds: 20,
        },
    };
}

function program(shape: Shape) {
    return async () => {
        // Isolated (no forward): the guests reach nothing but the bridge's DHCP server.
        const net = new Network("net", {
            name: NET,
            ips: [
                {
                    address: `${SUBNET}.1`,
                    prefix: 24,
                    dhcp: { ranges: [{ start: `${SUBNET}.100`, end: `${SUBNET}.200` }] },
                },
            ],
        });
        const outputs: Record<string, unknown> = {};
        if (shape.vm1) {
            const vm1 = new VirtualMachine("vm1", {
                ...common(),
                name: VM1,
                network: net,
                ip: RESERVED_IP,
                memory: shape.vm1.memory,
                maxMemory: 768,
                vcpus: shape.vm1.vcpus,
                maxVcpus: 2,
                hostname: HOSTNAME,
                sshAuthorizedKeys: shape.vm1.keys,
                userData: { write_files: [{ path: "/etc/pltest-marker", content: "merged\n" }] },
            });
            Object.assign(outputs, {
                ip: vm1.ipAddress,
                mac: vm1.macAddress,
                ssh: vm1.sshCommand,
                console: vm1.consoleCommand,
                vnc: vm1.vncAddress,
                instanceId: vm1.seed.instanceId,
                basePath: vm1.baseImage.path,
            });
        }
        if (shape.vm2) {
            const vm2 = new VirtualMachine("vm2", {
                ...common(),
                name: VM2,
                network: net,
                memory: 512,
                sshAuthorizedKeys: [KEY2],
                waitForIp: false,
            });
            outputs.base2Path = vm2.baseImage.path;
        }
        return outputs;
    };
}

/**
 * Runs `fn`, which makes programs fail on purpose: the Pulumi runtime in this process also raises
 * those failures as unhandled rejections, which node's test runner would count against the file.
 * They are collected instead (and must be the expected errors), then the runner's listeners return.
 */
async function expectingProgramErrors(fn: () => Promise<void>): Promise<unknown[]> {
    const runners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const seen: unknown[] = [];
    process.on("unhandledRejection", (reason) => seen.push(reason));
    try {
        await fn();
        await sleep(1000);
    } finally {
        process.removeAllListeners("unhandledRejection");
        for (const listener of runners) process.on("unhandledRejection", listener);
    }
    return seen;
}

function qemuPid(domain: string): string {
    return readFileSync(`/var/run/libvirt/qemu/${domain}.pid`, "utf8").trim();
}

function poolVolumes(): string[] {
    return (virshMaybe(["vol-list", POOL]) ?? "")
        .split("\n")
        .map((l) => l.trim().split(/\s+/)[0])
        .filter((v): v is string => Boolean(v))
        .sort();
}

function backingOf(path: string): string {
    const info = JSON.parse(execFileSync("qemu-img", ["info", "-U", "--output=json", path], { encoding: "utf8" }));
    return info["backing-filename"] as string;
}

function authorizedKeys(domain: string): string[] {
    return guestReadFile(domain, `/home/${USER}/.ssh/authorized_keys`)
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"))
        .sort();
}

async function cloudInitDone(domain: string): Promise<void> {
    await waitForAgent(domain, BOOT_TIMEOUT_MS);
    const status = await guestExec(domain, "/usr/bin/cloud-init", ["status", "--wait"], BOOT_TIMEOUT_MS);
    // --wait prints a dot per poll before the status line.
    assert.equal(status.stdout.trim().split("\n").pop(), "status: done", status.stdout + status.stderr);
    assert.equal(status.exitCode, 0, status.stdout + status.stderr);
}

describe("VirtualMachine under the real engine", { concurrency: 1, timeout: 6 * STEP_TIMEOUT_MS }, () => {
    const s = cliScenario(PREFIX, { operationBoundMs: STEP_TIMEOUT_MS - 60_000 });

    before(() => {
        virsh(["pool-define-as", POOL, "dir", "--target", `/var/lib/libvirt/${POOL}`]);
        virsh(["pool-build", POOL]);
        virsh(["pool-start", POOL]);
    });
    after(() => s.cleanup());

    test("up: the guest boots from the shared base with a reserved IP; cloud-init applied the hostname, user and keys", {
        timeout: STEP_TIMEOUT_MS,
    }, async (t) => {
        const started = Date.now();
        const up = await s.up(program({ vm1: { memory: 512, vcpus: 1, keys: [KEY1] } }));
        const seconds = (Date.now() - started) / 1000;
        t.diagnostic(`up -> ipAddress (one VM, TCG, this machine): ${seconds.toFixed(1)} s`);
        assert.equal(up.result.summary.result, "succeeded");
        assert.deepEqual([...up.steps.changes].sort(), [
            "create net",
            "create vm1",
            "create vm1-base",
            "create vm1-disk",
            "create vm1-domain",
            "create vm1-ip",
            "create vm1-seed",
        ]);
        const out = up.result.outputs;
        assert.equal(out.ip?.value, RESERVED_IP);
        assert.match(String(out.mac?.value), /^52:54:00(:[0-9a-f]{2}){3}$/);
        assert.equal(out.ssh?.value, `ssh ${USER}@${RESERVED_IP}`);
        assert.equal(out.console?.value, `virsh -c qemu:///system console ${VM1}`);
        assert.match(String(out.vnc?.value), /^127\.0\.0\.1, port chosen at each start: virsh .* vncdisplay /);
        assert.match(virsh(["vncdisplay", VM1]), /^127\.0\.0\.1:\d+/);
        // The reservation is in the network, and the lease the guest holds is the reserved address.
        assert.match(virsh(["net-dumpxml", NET]), new RegExp(`<host mac='${out.mac?.value}' ip='${RESERVED_IP}'/>`));
        assert.match(virsh(["net-dhcp-leases", NET]), new RegExp(`${out.mac?.value}\\s+ipv4\\s+${RESERVED_IP}/24`));
        // The disk is an overlay of the base, named by the image's sha256.
        const volumes = poolVolumes();
        assert.equal(volumes.filter((v) => v.startsWith("base-")).length, 1, volumes.join());
        assert.equal(backingOf(`/var/lib/libvirt/${POOL}/${VM1}-disk.qcow2`), out.basePath?.value);

        await cloudInitDone(VM1);
        assert.equal((await guestExec(VM1, "/bin/hostname")).stdout.trim(), HOSTNAME);
        assert.deepEqual(authorizedKeys(VM1), [KEY1]);
        const sudo = await guestExec(VM1, "/bin/sh", ["-c", `cat /etc/sudoers.d/*`]);
        assert.match(sudo.stdout, new RegExp(`^${USER} ALL=\\(ALL\\) NOPASSWD:ALL$`, "m"));
        assert.equal(guestReadFile(VM1, "/etc/pltest-marker"), "merged\n", "the user's userData was merged in");
        const id = await guestExec(VM1, "/usr/bin/cloud-init", ["query", "instance_id"]);
        assert.equal(id.stdout.trim(), out.instanceId?.value);
    });

    test("a second up changes nothing", { timeout: STEP_TIMEOUT_MS }, async () => {
        const up = await s.up(program({ vm1: { memory: 512, vcpus: 1, keys: [KEY1] } }));
        assert.deepEqual(up.steps.changes, []);
    });

    test("memory and vCPUs grow live, up to their declared maximums: the same QEMU process", {
        timeout: STEP_TIMEOUT_MS,
    }, async () => {
        const pid = qemuPid(VM1);
        const up = await s.up(program({ vm1: { memory: 640, vcpus: 2, keys: [KEY1] } }));
        assert.deepEqual(up.steps.changes, ["update vm1-domain"]);
        assert.equal(qemuPid(VM1), pid, "the same QEMU process: applied live");
        assert.equal(virsh(["vcpucount", VM1, "--live", "--active"]).trim(), "2");
        // The balloon deflates as fast as the guest's driver lets it: poll for the new size.
        const deadline = Date.now() + 120_000;
        while (!/^Used memory:\s+655360 KiB$/m.test(virsh(["dominfo", VM1])) && Date.now() < deadline)
            await sleep(1000);
        assert.match(virsh(["dominfo", VM1]), /^Used memory:\s+655360 KiB$/m);
        assert.match(virsh(["dominfo", VM1]), /^Max memory:\s+786432 KiB$/m);
    });

    test("a second key makes a new seed (new instance-id) swapped live into the cdrom; cloud-init applies it at the next boot", {
        timeout: STEP_TIMEOUT_MS,
    }, async () => {
        const pid = qemuPid(VM1);
        const before = await s.stack().then((st) => st.outputs());
        const up = await s.up(program({ vm1: { memory: 640, vcpus: 2, keys: [KEY1, KEY2] } }));
        assert.ok(up.steps.changes.includes("create-replacement vm1-seed"), up.steps.changes.join());
        assert.ok(up.steps.changes.includes("update vm1-domain"), up.steps.changes.join());
        assert.deepEqual(
            up.steps.changes.filter((c) => !c.endsWith("vm1-seed") && !c.endsWith("vm1-domain")),
            [],
        );
        const newId = up.result.outputs.instanceId?.value as string;
        assert.notEqual(newId, before.instanceId?.value);
        assert.equal(qemuPid(VM1), pid, "the medium changed without a restart");
        assert.equal(poolVolumes().filter((v) => v.includes("-seed-")).length, 1, "the old seed is gone");
        // The guest still has the old instance's keys until it boots again.
        await waitForAgent(VM1, BOOT_TIMEOUT_MS);
        assert.deepEqual(authorizedKeys(VM1), [KEY1]);
        const bootId = guestReadFile(VM1, "/proc/sys/kernel/random/boot_id");
        virsh(["reboot", VM1]);
        const deadline = Date.now() + BOOT_TIMEOUT_MS;
        for (;;) {
            try {
                if (guestReadFile(VM1, "/proc/sys/kernel/random/boot_id") !== bootId) break;
            } catch {}
            assert.ok(Date.now() < deadline, "the guest did not come back after the reboot");
            await sleep(2000);
        }
        await cloudInitDone(VM1);
        const id = await guestExec(VM1, "/usr/bin/cloud-init", ["query", "instance_id"]);
        assert.equal(id.stdout.trim(), newId, "cloud-init saw a new instance");
        assert.deepEqual(authorizedKeys(VM1), [KEY1, KEY2].sort());
    });

    test("two VMs share one base image; the base outlives the first VM and its reservation goes with it", {
        timeout: STEP_TIMEOUT_MS,
    }, async () => {
        const both = await s.up(program({ vm1: { memory: 640, vcpus: 2, keys: [KEY1, KEY2] }, vm2: true }));
        assert.equal(both.result.outputs.base2Path?.value, both.result.outputs.basePath?.value);
        const base = both.result.outputs.basePath?.value as string;
        assert.equal(poolVolumes().filter((v) => v.startsWith("base-")).length, 1, poolVolumes().join());
        assert.equal(backingOf(`/var/lib/libvirt/${POOL}/${VM2}-disk.qcow2`), base);

        const onlyVm2 = await s.up(program({ vm2: true }));
        assert.ok(onlyVm2.steps.changes.includes("delete vm1-base"), onlyVm2.steps.changes.join());
        assert.ok(
            onlyVm2.diagnostics.some((d) => d.includes("left in place") && d.includes(`${VM2}-disk.qcow2`)),
            `the kept base is explained: ${JSON.stringify(onlyVm2.diagnostics)}`,
        );
        assert.deepEqual(listNames("domain", PREFIX), [VM2]);
        assert.ok(
            poolVolumes().some((v) => v.startsWith("base-")),
            "the base is still there for vm2",
        );
        assert.doesNotMatch(virsh(["net-dumpxml", NET]), new RegExp(`ip='${RESERVED_IP}'`), "the reservation is gone");
        assert.deepEqual(
            poolVolumes().filter((v) => v.startsWith(VM1)),
            [],
        );
    });

    test("destroy leaves nothing: no domain, no volume (the base goes with the last VM), no network", {
        timeout: STEP_TIMEOUT_MS,
    }, async () => {
        const destroyed = await s.destroy();
        assert.equal(destroyed.result.summary.result, "succeeded");
        assert.deepEqual(listNames("domain", PREFIX), []);
        assert.deepEqual(listNames("network", PREFIX), []);
        assert.deepEqual(poolVolumes(), []);
    });

    test("bad input fails naming the field and value, and creates nothing", { timeout: STEP_TIMEOUT_MS }, async () => {
        const bad = (args: Partial<VirtualMachineArgs>) => async () => {
            new VirtualMachine("bad", { ...common(), name: `${PREFIX}-bad`, network: "default", ...args });
        };
        const stray = await expectingProgramErrors(async () => {
            await assert.rejects(
                s.up(bad({ sshAuthorizedKeys: ["ssh-ed25519 not-a-key me@host"] })),
                /sshAuthorizedKeys\[0\] "ssh-ed25519 not-a-key me@host" is not an SSH public key/,
            );
            await assert.rejects(s.up(bad({ hostname: "bad_host!" })), /hostname "bad_host!" is not a host name/);
            await assert.rejects(
                s.up(bad({ image: "http://192.0.2.1/image.qcow2" })),
                /image "http:\/\/192\.0\.2\.1\/image\.qcow2" is a plain http URL without a sha256/,
            );
            await assert.rejects(
                s.preview(bad({ pool: `${PREFIX}-no-such-pool` })),
                /pool "pltest-clivm-no-such-pool" does not exist on qemu:\/\/\/system/,
            );
            // A key given as an Output is checked in the gate every child waits for.
            await assert.rejects(
                s.up(async () => {
                    const { output } = await import("@pulumi/pulumi");
                    new VirtualMachine("bad", {
                        ...common(),
                        name: `${PREFIX}-bad`,
                        network: "default",
                        sshAuthorizedKeys: output(["not a key"]),
                    });
                }),
                /sshAuthorizedKeys\[0\] "not a key" is not an SSH public key/,
            );
        });
        for (const reason of stray)
            assert.match(String(reason), /VirtualMachine 'bad': /, "only the expected failures");
        assert.deepEqual(listNames("domain", PREFIX), []);
        assert.deepEqual(poolVolumes(), []);
    });
});
