/**
 * A Domain and its DomainSnapshot as a Pulumi program through the engine emulator: the real SDK
 * classes and provider stubs, Pulumi's step rules and a state file between runs, against the real
 * libvirtd. The snapshot waits for the domain (it takes the Domain's `name` output); a second up
 * changes nothing; a new description is an in-place update; a new revertTrigger is an update that
 * reverts the (shut-off) domain, which the disk shows (written and read with qemu-io while the
 * guest is off); destroy deletes the snapshot before the domain. Then two external snapshots of a
 * shut-off domain: libvirt 9.0 cannot merge the older one while the newer exists (the delete is
 * refused, nothing changed); destroy deletes the newer one first, and both overlays are merged back
 * into the image with what was written into them.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { domainSnapshotHandler } from "../../../provider/resources/domain-snapshot/handler";
import { Domain, DomainSnapshot } from "../../../sdk";
import { listNames, virsh } from "../../helpers/virsh";
import { changes, ops, type Scenario, scenario } from "../../scenarios/harness";

const PREFIX = "pltest-snapengine";
const VM = `${PREFIX}-vm`;
const OFF = `${PREFIX}-off`;

let s: Scenario;
let disk = "";
before(() => {
    s = scenario(PREFIX);
    disk = join(s.dir, "disk.qcow2");
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", disk, "16M"]);
});
after(() => s.cleanup());

function program(description: string, revertTrigger: number) {
    return () => {
        const vm = new Domain("vm", {
            name: VM,
            type: "qemu",
            memory: 64,
            running: false,
            devices: {
                disks: [{ source: { file: disk }, target: { dev: "vda", bus: "virtio" }, driver: { type: "qcow2" } }],
            },
        });
        const snap = new DomainSnapshot("clean", { domain: vm.name, description, revertTrigger });
        return { snapshot: snap.name, state: snap.state, current: snap.current, created: snap.creationTime };
    };
}

/** Whether the first 512 bytes of an image hold that byte, as qemu-io reads them (the guest is off: no lock). */
function firstBlockIs(byte: number, image = disk): boolean {
    const hex = `0x${byte.toString(16).padStart(2, "0")}`;
    const out = execFileSync("qemu-io", ["-f", "qcow2", "-c", `read -P ${hex} 0 512`, image], { encoding: "utf8" });
    return !/Pattern verification failed/.test(out);
}

test("a domain and its snapshot through up, update, revert and destroy", async () => {
    const first = await s.engine().up(program("clean state", 1));
    assert.deepEqual(
        ops(first).filter((op) => op.startsWith("create ")),
        ["create vm", "create clean"],
    );
    const name = first.outputs.snapshot as string;
    assert.match(name, /^clean-[0-9a-f]{7}$/);
    assert.equal(first.outputs.state, "shutoff");
    assert.equal(first.outputs.current, true);
    assert.match(virsh(["snapshot-dumpxml", VM, name]), /<description>clean state<\/description>/);

    const second = await s.engine().up(program("clean state", 1));
    assert.deepEqual(changes(second), [], "a second up changes nothing");

    const described = await s.engine().up(program("clean, described again", 1));
    assert.deepEqual(changes(described), ["update clean"]);
    assert.equal(described.outputs.snapshot, name, "the same snapshot");
    assert.equal(described.outputs.created, first.outputs.created);
    assert.match(virsh(["snapshot-dumpxml", VM, name]), /<description>clean, described again<\/description>/);

    // Written after the snapshot, while the guest is off; a new trigger takes it back.
    execFileSync("qemu-io", ["-f", "qcow2", "-c", "write -P 0x5a 0 512", disk]);
    assert.ok(firstBlockIs(0x5a));
    const reverted = await s.engine().up(program("clean, described again", 2));
    assert.deepEqual(changes(reverted), ["update clean"]);
    assert.ok(firstBlockIs(0x00), "the block written after the snapshot is gone");
    assert.equal(virsh(["domstate", VM]).trim(), "shut off");

    const destroyed = await s.engine().destroy();
    assert.deepEqual(
        ops(destroyed).filter((op) => op.startsWith("delete ")),
        ["delete clean", "delete vm"],
        "the snapshot goes before its domain",
    );
    assert.deepEqual(listNames("domain", PREFIX), []);
    assert.doesNotMatch(execFileSync("qemu-img", ["snapshot", "-l", disk], { encoding: "utf8" }), new RegExp(name));
});

/** A shut-off domain with two external snapshots, the newer one taken after the older. */
function externalProgram(base: string, overlays: [string, string]) {
    return () => {
        const vm = new Domain("off", {
            name: OFF,
            type: "qemu",
            memory: 64,
            running: false,
            devices: {
                disks: [{ source: { file: base }, target: { dev: "vda", bus: "virtio" }, driver: { type: "qcow2" } }],
            },
        });
        const older = new DomainSnapshot("older", {
            domain: vm.name,
            kind: "external",
            disks: [{ target: "vda", overlay: overlays[0] }],
        });
        new DomainSnapshot(
            "newer",
            { domain: vm.name, kind: "external", disks: [{ target: "vda", overlay: overlays[1] }] },
            { dependsOn: [older] },
        );
    };
}

test("external snapshots of a shut-off domain: the older one refused while the newer exists, destroy merges both", async () => {
    const base = join(s.dir, "off.qcow2");
    const overlays: [string, string] = [join(s.dir, "off-older.qcow2"), join(s.dir, "off-newer.qcow2")];
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", base, "16M"]);
    const up = await s.engine().up(externalProgram(base, overlays));
    assert.deepEqual(
        ops(up).filter((op) => op.startsWith("create ")),
        ["create off", "create older", "create newer"],
    );
    assert.match(
        virsh(["domblklist", OFF]),
        new RegExp(`vda\\s+${overlays[1]}`),
        "the guest's disk is the newer overlay",
    );
    execFileSync("qemu-io", ["-f", "qcow2", "-c", "write -P 0x22 0 512", overlays[1]]);

    const older = s.state().find((r) => r.urn.endsWith("::older"))!;
    await assert.rejects(
        domainSnapshotHandler.delete(older.id!, older.outputs),
        (error: Error) =>
            /cannot delete: libvirt cannot merge/.test(error.message) &&
            /VIR_ERR_INVALID_ARG/.test(error.message) &&
            /Nothing was changed/.test(error.message),
    );
    assert.ok(existsSync(overlays[0]), "the older overlay is kept");
    assert.equal(virsh(["snapshot-list", OFF, "--name"]).trim().split("\n").length, 2);

    const destroyed = await s.engine().destroy();
    assert.deepEqual(
        ops(destroyed).filter((op) => op.startsWith("delete ")),
        ["delete newer", "delete older", "delete off"],
    );
    assert.equal(existsSync(overlays[1]), false, "the newer overlay was merged and removed");
    assert.equal(existsSync(overlays[0]), false, "then the older one");
    assert.ok(firstBlockIs(0x22, base), "what was written into the overlays is in the image now");
});
