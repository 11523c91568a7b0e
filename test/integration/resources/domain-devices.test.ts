/**
 * Hot plug through update on a running `type: "qemu"` guest: adding a NIC and a virtio disk,
 * setting a NIC's link down and swapping a cdrom's medium happen on the running guest (same QEMU
 * process) and in the definition; the MAC the definition holds is the one plugged.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { createTransientNetwork, removeTestObjects, virsh } from "../../helpers/virsh";
import { createChecked, handler, qemuPid, updateChecked } from "./domain-helpers";

const PREFIX = "pltest-domdev-";
const NETWORK = `${PREFIX}net`;
const MAC = "52:54:00:fd:73:01";
const scratch = mkdtempSync(join(tmpdir(), PREFIX));
const disk = join(scratch, "extra.qcow2");
const isoA = join(scratch, "a.iso");
const isoB = join(scratch, "b.iso");

before(() => {
    removeTestObjects(PREFIX);
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", disk, "16M"]);
    // Any file serves as cdrom media for QEMU; the guest never reads them.
    writeFileSync(isoA, Buffer.alloc(2048));
    writeFileSync(isoB, Buffer.alloc(2048));
    createTransientNetwork(scratch, { name: NETWORK, bridge: "pltdd0", subnet: "10.253.73" });
});
after(async () => {
    removeTestObjects(PREFIX);
    rmSync(scratch, { recursive: true, force: true });
    await defaultPool.closeAll();
});

describe("devices change live on a running guest", { timeout: 120_000 }, () => {
    let id = "";
    let name = "";
    let inputs: Properties = {};
    let outs: Properties = {};
    let pid: number | undefined;
    const cdrom = (file: string) => ({
        device: "cdrom",
        source: { file },
        target: { dev: "sda", bus: "sata" },
        readonly: true,
    });

    before(async () => {
        ({ id, outs, inputs } = await createChecked({
            namePrefix: `${PREFIX}vm`,
            type: "qemu",
            memory: 128,
            // Without ACPI, QEMU's i440fx PCI bus cannot hot plug.
            features: { acpi: true },
            shutdownTimeoutSeconds: 0,
            devices: { interfaces: [], disks: [cdrom(isoA)] },
        }));
        name = outs.name as string;
        pid = qemuPid(name);
        assert.ok(pid);
    });

    test("adding a NIC and a virtio disk plugs them into the running guest", async () => {
        const next = {
            ...inputs,
            devices: {
                interfaces: [{ source: { network: NETWORK }, mac: MAC, model: "virtio" }],
                disks: [
                    cdrom(isoA),
                    { source: { file: disk }, target: { dev: "vdb", bus: "virtio" }, driver: { type: "qcow2" } },
                ],
            },
        };
        ({ outs, inputs } = await updateChecked(id, inputs, outs, next));
        assert.equal(qemuPid(name), pid, "no restart");
        assert.equal(outs.pendingRestart, false);
        assert.deepEqual(outs.macAddresses, [MAC]);
        assert.match(virsh(["domiflist", name]), new RegExp(MAC), "live");
        assert.match(virsh(["domiflist", name, "--inactive"]), new RegExp(MAC), "definition");
        assert.match(virsh(["domblklist", name]), /vdb\s+\S*extra\.qcow2/, "live");
        assert.match(virsh(["domblklist", name, "--inactive"]), /vdb\s+\S*extra\.qcow2/, "definition");
    });

    test("a NIC's link state and a cdrom's medium change live", async () => {
        const devices = inputs.devices as { interfaces: Properties[]; disks: Properties[] };
        const next = {
            ...inputs,
            devices: {
                interfaces: [{ ...devices.interfaces[0], linkUp: false }],
                disks: [cdrom(isoB), devices.disks[1]],
            },
        };
        ({ outs, inputs } = await updateChecked(id, inputs, outs, next));
        assert.equal(qemuPid(name), pid, "no restart");
        assert.match(virsh(["domif-getlink", name, MAC]), /down/);
        assert.match(virsh(["domblklist", name]), /sda\s+\S*b\.iso/, "the new medium is in the running guest");
        assert.match(virsh(["domblklist", name, "--inactive"]), /sda\s+\S*b\.iso/);
        assert.equal(outs.pendingRestart, false);
    });

    test("a disk on a bus that cannot hot plug waits for a restart instead", async () => {
        const devices = inputs.devices as { interfaces: Properties[]; disks: Properties[] };
        const next = {
            ...inputs,
            devices: {
                ...devices,
                disks: [...devices.disks, { device: "cdrom", target: { dev: "sdb", bus: "sata" }, readonly: true }],
            },
        };
        ({ outs, inputs } = await updateChecked(id, inputs, outs, next));
        assert.equal(qemuPid(name), pid, "no restart with the default policy");
        assert.equal(outs.pendingRestart, true);
        assert.deepEqual(outs.pendingChanges, ["devices.disks[2]"]);
        assert.doesNotMatch(virsh(["domblklist", name]), /sdb/);
        assert.match(virsh(["domblklist", name, "--inactive"]), /sdb/);
        await handler.delete(id, outs);
    });
});
