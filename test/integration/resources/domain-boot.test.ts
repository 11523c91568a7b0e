/**
 * Boots the test host's tiny guest (direct kernel boot, `type: "qemu"`, 128 MiB, no balloon) on an
 * isolated pltest network whose DHCP server has a reservation for the guest's MAC, and checks that
 * `waitForIp` (lease source) makes the reserved address the Domain's `ipAddresses` output. The
 * guest only talks DHCP to the local bridge.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { assertTinyGuest, loadTestHost } from "../../helpers/test-host";
import { createTransientNetwork, listNames, removeTestObjects, virsh } from "../../helpers/virsh";
import { captureLog, createChecked, handler, qemuPid, updateChecked } from "./domain-helpers";

const PREFIX = "pltest-domboot-";
const NETWORK = `${PREFIX}net`;
const MAC = "52:54:00:fd:72:01";
const RESERVED = "10.253.72.42";
/** A network without DHCP, for a NIC that never gets an address. */
const QUIET_NETWORK = `${PREFIX}quiet`;
const QUIET_MAC = "52:54:00:fd:72:02";
const host = loadTestHost();
const scratch = mkdtempSync(join(tmpdir(), PREFIX));
const consoleLog = join(scratch, "console.log");

before(() => {
    assertTinyGuest(host);
    removeTestObjects(PREFIX);
    createTransientNetwork(scratch, {
        name: NETWORK,
        bridge: "pltdb0",
        subnet: "10.253.72",
        dhcp: { hosts: [{ mac: MAC, ip: RESERVED }] },
    });
    createTransientNetwork(scratch, { name: QUIET_NETWORK, bridge: "pltdb1", subnet: "10.253.73" });
});
after(async () => {
    removeTestObjects(PREFIX);
    rmSync(scratch, { recursive: true, force: true });
    await defaultPool.closeAll();
});

/** Waits (up to 60 s) until the guest's console log matches; QEMU truncates it at every start. */
async function consoleShows(pattern: RegExp): Promise<void> {
    for (let i = 0; i < 240; i++) {
        if (existsSync(consoleLog) && pattern.test(readFileSync(consoleLog, "utf8"))) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.fail(`the guest's console never showed ${pattern}: ${readFileSync(consoleLog, "utf8").slice(-500)}`);
}

describe("a booting guest gets its reserved address as the ipAddresses output", { timeout: 120_000 }, () => {
    test("create with waitForIp (lease) yields exactly the reserved address; read keeps it; delete removes it", async () => {
        const { id, outs } = await createChecked({
            namePrefix: `${PREFIX}tiny`,
            type: "qemu",
            memory: 128,
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            devices: {
                interfaces: [{ source: { network: NETWORK }, mac: MAC, model: "virtio" }],
                serials: [{ type: "file", path: consoleLog }],
                memballoon: { model: "none" },
            },
            waitForIp: { source: "lease", timeoutSeconds: 90 },
            shutdownTimeoutSeconds: 0,
        });
        const name = outs.name as string;
        assert.deepEqual(outs.macAddresses, [MAC]);
        assert.deepEqual(outs.ipAddresses, [[RESERVED]], `console: ${readFileSync(consoleLog, "utf8").slice(-500)}`);
        assert.match(virsh(["domifaddr", name, "--source", "lease"]), new RegExp(RESERVED.replaceAll(".", "\\.")));

        const read = await handler.read(id, outs);
        assert.deepEqual((read.props as Properties).ipAddresses, [[RESERVED]]);

        await handler.delete(id, outs);
        assert.deepEqual(listNames("domain", PREFIX), []);
    });

    test("waitForIp waits only for the interfaces it names", async () => {
        // The second NIC sits on a network without DHCP: it never gets an address, and the wait,
        // told to watch interface 0 only, must not wait for it. (Source arp cannot be tried here:
        // libvirt 9.0 fails to read this kernel's neighbour table, "wrong nlmsg len".)
        const { id, outs } = await createChecked({
            namePrefix: `${PREFIX}two`,
            type: "qemu",
            memory: 128,
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            devices: {
                interfaces: [
                    { source: { network: NETWORK }, mac: MAC, model: "virtio" },
                    { source: { network: QUIET_NETWORK }, mac: QUIET_MAC, model: "virtio" },
                ],
                serials: [{ type: "file", path: consoleLog }],
                memballoon: { model: "none" },
            },
            waitForIp: { source: "lease", timeoutSeconds: 90, interfaces: [0] },
            shutdownTimeoutSeconds: 0,
        });
        assert.deepEqual(outs.macAddresses, [MAC, QUIET_MAC]);
        assert.deepEqual(
            outs.ipAddresses,
            [[RESERVED], []],
            `console: ${readFileSync(consoleLog, "utf8").slice(-500)}`,
        );
        await handler.delete(id, outs);
    });

    test("on a booted guest: the balloon moves memory live, a NIC comes and goes live, graceful restarts by ACPI, force powers off", async () => {
        let { id, outs, inputs } = await createChecked({
            namePrefix: `${PREFIX}live`,
            type: "qemu",
            memory: 128,
            features: { acpi: true },
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            devices: {
                interfaces: [{ source: { network: NETWORK }, mac: MAC, model: "virtio" }],
                serials: [{ type: "file", path: consoleLog }],
                memballoon: { model: "virtio" },
            },
            // Booted far enough to have its balloon driver and ACPI daemon: it asked for its lease.
            waitForIp: { source: "lease", timeoutSeconds: 90 },
            shutdownTimeoutSeconds: 30,
        });
        const name = outs.name as string;
        const pid = qemuPid(name);

        // The balloon: the guest's driver gives the memory back (QEMU reports what the guest holds).
        ({ outs, inputs } = await updateChecked(id, inputs, outs, { ...inputs, currentMemory: 96 }));
        let actual = "";
        for (let i = 0; i < 40 && !/actual 98304/.test(actual); i++) {
            actual = virsh(["dommemstat", name]);
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
        assert.match(actual, /actual 98304/, "the guest holds 96 MiB");
        assert.equal(qemuPid(name), pid);

        // A NIC plugged, then unplugged, while the guest runs (the guest's kernel releases it).
        const devices = inputs.devices as Properties;
        const nics = devices.interfaces as Properties[];
        const second = { source: { network: QUIET_NETWORK }, mac: QUIET_MAC, model: "virtio" };
        // The new NIC's network has no DHCP: the wait watches the first interface only.
        ({ outs, inputs } = await updateChecked(id, inputs, outs, {
            ...inputs,
            devices: { ...devices, interfaces: [...nics, second] },
            waitForIp: { source: "lease", timeoutSeconds: 90, interfaces: [0] },
        }));
        assert.match(virsh(["domiflist", name]), new RegExp(QUIET_MAC));
        ({ outs, inputs } = await updateChecked(id, inputs, outs, {
            ...inputs,
            devices: { ...devices, interfaces: nics },
        }));
        let listed = virsh(["domiflist", name]);
        for (let i = 0; i < 40 && listed.includes(QUIET_MAC); i++) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            listed = virsh(["domiflist", name]);
        }
        assert.doesNotMatch(listed, new RegExp(QUIET_MAC), "the running guest no longer has the NIC");
        assert.doesNotMatch(virsh(["domiflist", name, "--inactive"]), new RegExp(QUIET_MAC));
        assert.equal(qemuPid(name), pid, "all of it without a restart");
        assert.equal(outs.pendingRestart, false);

        // graceful: the power button, and this guest shuts down well before the timeout.
        const graceful = await captureLog(() =>
            updateChecked(id, inputs, outs, { ...inputs, cpu: { mode: "maximum" }, restartPolicy: "graceful" }),
        );
        ({ outs, inputs } = graceful.result);
        assert.ok(
            graceful.lines.some((l) => l.includes("restarted (the guest shut down when asked)")),
            graceful.lines.join(" | "),
        );
        const afterGraceful = qemuPid(name);
        assert.ok(afterGraceful !== undefined && afterGraceful !== pid, "a new QEMU process");

        // force: powered off at once, no power button.
        const forced = await captureLog(() =>
            updateChecked(id, inputs, outs, { ...inputs, cpu: { mode: "host-model" }, restartPolicy: "force" }),
        );
        ({ outs, inputs } = forced.result);
        assert.ok(
            forced.lines.some((l) => l.includes("restarted (powered off (force))")),
            forced.lines.join(" | "),
        );
        const afterForce = qemuPid(name);
        assert.ok(afterForce !== undefined && afterForce !== afterGraceful, "a new QEMU process");
        assert.equal(outs.pendingRestart, false);
        assert.match(virsh(["dumpxml", name, "--inactive"]), /<cpu mode='host-model'/);

        // The restarted guest's old lease still counts for waitForIp: wait until its ACPI daemon
        // runs (it starts before the guest asks for a lease) so that delete's power button is seen.
        await consoleShows(/asking for a DHCP lease/);
        const deleted = await captureLog(() => handler.delete(id, outs));
        assert.ok(
            deleted.lines.some((l) => l.endsWith(`Domain '${name}': shut down`)),
            `delete shuts the guest down gracefully too: ${deleted.lines.join(" | ")}`,
        );
        assert.deepEqual(listNames("domain", `${PREFIX}live`), []);
    });
});
