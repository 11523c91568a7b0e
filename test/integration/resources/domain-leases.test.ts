/**
 * waitForIp from DHCP leases counts only a lease the guest itself obtained: a guest recreated with a
 * reserved MAC finds its predecessor's lease still held by dnsmasq, and must not report it as its
 * own address before it has asked for one. The tiny guest (direct kernel boot, `type: "qemu"`)
 * takes the lease first; the guests after it have no kernel and no disk, so they never ask.
 * The same guest restarted counts the lease it held before at once (leases-before.ts says why):
 * the first guest, restarted into a kernel that never starts its init, still reports its address. A MAC
 * the same guest did not have is screened as a new guest's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import { assertTinyGuest, loadTestHost } from "../../helpers/test-host";
import { createTransientNetwork, removeTestObjects, virsh } from "../../helpers/virsh";
import { createChecked, handler, qemuPid, updateChecked } from "./domain-helpers";

const PREFIX = "pltest-domlease-";
const NETWORK = `${PREFIX}net`;
const MAC = "52:54:00:fd:74:01";
const OTHER_MAC = "52:54:00:fd:74:02";
/** No kernel, no disk, boot from disk only: the firmware never sends a DHCP request. */
const NO_BOOT = { boot: ["hd"] };
const RESERVED = "10.253.74.42";
const host = loadTestHost();
const scratch = mkdtempSync(join(tmpdir(), PREFIX));

before(() => {
    assertTinyGuest(host);
    removeTestObjects(PREFIX);
    createTransientNetwork(scratch, {
        name: NETWORK,
        bridge: "pltdl0",
        subnet: "10.253.74",
        dhcp: { hosts: [{ mac: MAC, ip: RESERVED }] },
    });
});
after(async () => {
    removeTestObjects(PREFIX);
    rmSync(scratch, { recursive: true, force: true });
    await defaultPool.closeAll();
});

test("a recreated guest with the same MAC does not take its predecessor's lease as its own", {
    timeout: 180_000,
}, async () => {
    const first = await createChecked({
        namePrefix: `${PREFIX}first`,
        type: "qemu",
        memory: 128,
        os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
        devices: {
            interfaces: [{ source: { network: NETWORK }, mac: MAC, model: "virtio" }],
            memballoon: { model: "none" },
        },
        waitForIp: { source: "lease", timeoutSeconds: 90 },
        shutdownTimeoutSeconds: 0,
    });
    assert.deepEqual(first.outs.ipAddresses, [[RESERVED]]);
    // An update that does not restart the guest keeps counting the lease this run obtained.
    const kept = await updateChecked(first.id, first.inputs, first.outs, { ...first.inputs, title: "still running" });
    assert.deepEqual(kept.outs.ipAddresses, [[RESERVED]]);
    // The same guest restarted counts its own lease from before at once: restarted with an init that
    // does not exist (the kernel stops before anything asks for an address), it still reports it.
    const pidBefore = qemuPid(first.inputs.name as string);
    const restarted = await updateChecked(first.id, kept.inputs, kept.outs, {
        ...kept.inputs,
        os: { ...(kept.inputs.os as object), cmdline: "console=ttyS0 rdinit=/no-such-init" },
        restartPolicy: "force",
        waitForIp: { source: "lease", timeoutSeconds: 5 },
    });
    assert.deepEqual(restarted.diff.replaces ?? [], []);
    const pidAfter = qemuPid(first.inputs.name as string);
    assert.ok(pidAfter !== undefined && pidAfter !== pidBefore, `restarted: QEMU ${pidBefore} -> ${pidAfter}`);
    assert.deepEqual(restarted.outs.ipAddresses, [[RESERVED]]);
    await handler.delete(first.id, restarted.outs);
    // dnsmasq still holds the lease (checked with virsh): the situation the wait must see through.
    assert.match(virsh(["net-dhcp-leases", NETWORK]), new RegExp(`${MAC}.*${RESERVED.replaceAll(".", "\\.")}`));

    const second = {
        namePrefix: `${PREFIX}second`,
        type: "qemu",
        memory: 64,
        os: NO_BOOT,
        devices: {
            interfaces: [{ source: { network: NETWORK }, mac: MAC, model: "virtio" }],
            memballoon: { model: "none" },
        },
        waitForIp: { source: "lease", timeoutSeconds: 5 },
        shutdownTimeoutSeconds: 0,
    };
    const checked = await handler.check({}, second);
    assert.deepEqual(checked.failures ?? [], []);
    await assert.rejects(
        handler.create(checked.inputs!),
        /no IP address from source 'lease' within 5 s; saw interface 0 \(52:54:00:fd:74:01\): no address/,
    );
    // The old lease is still there, and libvirt's own lease source still reports it for the new guest.
    assert.match(
        virsh(["domifaddr", checked.inputs!.name as string, "--source", "lease"]),
        new RegExp(RESERVED.replaceAll(".", "\\.")),
    );
    removeTestObjects(`${PREFIX}second`);

    // The same guest given the reserved MAC by an update (this guest refuses the hot plug; the
    // restart applies it) is screened as a new guest: the lease is its predecessor's, and libvirt's
    // lease source reports it all the same.
    const third = await createChecked({
        ...second,
        namePrefix: `${PREFIX}third`,
        devices: { ...second.devices, interfaces: [{ source: { network: NETWORK }, mac: OTHER_MAC, model: "virtio" }] },
        waitForIp: false,
    });
    await assert.rejects(
        updateChecked(third.id, third.inputs, third.outs, {
            ...third.inputs,
            devices: { ...second.devices },
            restartPolicy: "force",
            waitForIp: { source: "lease", timeoutSeconds: 5 },
        }),
        /no IP address from source 'lease' within 5 s; saw interface 0 \(52:54:00:fd:74:01\): no address/,
    );
    assert.match(
        virsh(["domifaddr", third.inputs.name as string, "--source", "lease"]),
        new RegExp(RESERVED.replaceAll(".", "\\.")),
    );
    removeTestObjects(`${PREFIX}third`);
});
