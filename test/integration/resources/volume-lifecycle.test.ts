/**
 * Volume changes and deletion against the real libvirtd, calling the handler directly: grow in
 * place, shrink only with allowShrink, drift found by read, 20 creates at once in one pool, a busy
 * pool retried, delete with wipe, and deletes refused while a domain uses the volume.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { clientFor } from "../../../provider/resources/shared/connection";
import type { Properties } from "../../../provider/resources/shared/handler";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { DEFAULT_IN_USE_WAIT_MS, setInUseWaitMs } from "../../../provider/resources/volume/in-use";
import { virsh, virshMaybe } from "../../helpers/virsh";
import { change, declared, MIB, setUpPool, type TestPool, up, uri, volInfo, volumeNames } from "./volume-helpers";

const PREFIX = "pltest-vollife-";
let pool: TestPool;

before(() => {
    pool = setUpPool(PREFIX);
});

after(async () => {
    await pool?.cleanup();
});

test("growing capacity is a live change done in place; virsh agrees", async () => {
    const { id, outs } = await up("grow", {
        pool: pool.name,
        name: `${PREFIX}grow.qcow2`,
        capacity: 8,
        target: { format: "qcow2" },
    });
    const { diff, outs: after } = await change(id, outs, { ...outs, capacity: "16MiB" });
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces ?? [], []);
    assert.equal(after?.capacityBytes, 16 * MIB);
    assert.equal(after?.capacity, "16MiB");
    assert.equal(volInfo(pool.name, `${PREFIX}grow.qcow2`).capacity, 16 * MIB);
});

test("lowering capacity replaces without allowShrink and shrinks in place with it", async () => {
    const name = `${PREFIX}shrink.raw`;
    const { id, outs } = await up("shrink", { pool: pool.name, name, capacity: 16 });
    const refused = await change(id, outs, { ...outs, capacity: 8 });
    assert.deepEqual(refused.diff.replaces, ["capacity"]);
    assert.equal(refused.diff.deleteBeforeReplace, true, "an explicit name must be freed before the replacement");
    assert.equal(volInfo(pool.name, name).capacity, 16 * MIB, "nothing changed on the host");

    const allowed = await change(id, outs, { ...outs, capacity: 8, allowShrink: true });
    assert.deepEqual(allowed.diff.replaces ?? [], []);
    assert.equal(allowed.outs?.capacityBytes, 8 * MIB);
    assert.equal(volInfo(pool.name, name).capacity, 8 * MIB);
});

test("an out-of-band vol-resize is found by read and not undone by replacing the disk", async () => {
    const name = `${PREFIX}drift.raw`;
    const { id, outs } = await up("drift", { pool: pool.name, name, capacity: 8 });
    virsh(["vol-resize", name, "12M", "--pool", pool.name]);
    const read = await volumeHandler.read(id, outs);
    assert.equal(read.id, id);
    const refreshed = read.props as Properties;
    assert.equal(refreshed.capacityBytes, 12 * MIB);
    // Unchanged declaration, larger disk: kept (with a note), never replaced.
    const kept = await volumeHandler.diff(id, refreshed, declared(outs));
    assert.equal(kept.changes, false);
    // A declaration above the drifted size grows it again, in place.
    const grown = await change(id, refreshed, { ...outs, capacity: 20 });
    assert.deepEqual(grown.diff.replaces ?? [], []);
    assert.equal(volInfo(pool.name, name).capacity, 20 * MIB);
});

test("an out-of-band deletion is found by read, and delete of a gone volume succeeds", async () => {
    const name = `${PREFIX}gone.raw`;
    const { id, outs } = await up("gone", { pool: pool.name, name, capacity: 1 });
    virsh(["vol-delete", name, "--pool", pool.name]);
    assert.deepEqual(await volumeHandler.read(id, outs), { id: "" });
    await volumeHandler.delete(id, outs);
});

test("a volume file removed behind libvirt's back is gone on read", async () => {
    const name = `${PREFIX}rm.raw`;
    const { id, outs } = await up("rm", { pool: pool.name, name, capacity: 1 });
    rmSync(outs.path as string);
    assert.deepEqual(await volumeHandler.read(id, outs), { id: "" });
    await volumeHandler.delete(id, outs);
});

test("20 volumes created at once in one pool all succeed", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `${PREFIX}par-${i}.qcow2`);
    const results = await Promise.allSettled(
        names.map((name, i) =>
            up(`par-${i}`, { pool: pool.name, name, capacity: 4 + i, target: { format: i % 2 ? "qcow2" : "raw" } }),
        ),
    );
    const failures = results
        .filter((r) => r.status === "rejected")
        .map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failures, []);
    const listed = volumeNames(pool.name);
    for (const [i, name] of names.entries()) {
        assert.ok(listed.includes(name), `${name} missing from vol-list`);
        assert.equal(volInfo(pool.name, name).capacity, (4 + i) * MIB);
    }
});

test("a delete waits while libvirt reports the volume busy (a clone reading it), then succeeds", async () => {
    const name = `${PREFIX}busy-src.raw`;
    const { id, outs } = await up("busy", { pool: pool.name, name, capacity: "2GiB", preallocation: "full" });
    // virsh clones out of band, so only libvirt's own refusal (not our lock) holds the delete back.
    const clone = spawn("virsh", ["-q", "-c", uri, "vol-clone", name, `${PREFIX}busy-clone.raw`, "--pool", pool.name]);
    const cloned = new Promise<number | null>((resolve) => clone.on("exit", resolve));
    try {
        // Wait until libvirt lists the clone target: from then on the source is in use.
        for (let i = 0; i < 100 && !volumeNames(pool.name).includes(`${PREFIX}busy-clone.raw`); i++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const client = await clientFor(uri);
        const original = client.storageVolDelete.bind(client);
        const attempts: string[] = [];
        client.storageVolDelete = async (args, options) => {
            try {
                return await original(args, options);
            } catch (error) {
                attempts.push((error as { codeName?: string }).codeName ?? String(error));
                throw error;
            }
        };
        try {
            await volumeHandler.delete(id, outs);
        } finally {
            client.storageVolDelete = original;
        }
        assert.equal(await cloned, 0, "virsh vol-clone failed");
        assert.ok(
            attempts.length > 0,
            "the delete never met a busy volume; the clone finished too fast to test the retry",
        );
        assert.ok(
            attempts.every((code) => code === "VIR_ERR_OPERATION_INVALID"),
            `unexpected errors: ${attempts}`,
        );
        assert.ok(!volumeNames(pool.name).includes(name));
    } finally {
        clone.kill();
        await cloned;
    }
});

test("delete with wipeOnDelete wipes, then deletes", async () => {
    const name = `${PREFIX}wipe.raw`;
    const { id, outs } = await up("wipe", { pool: pool.name, name, capacity: 2, wipeOnDelete: true });
    const client = await clientFor(uri);
    const original = client.storageVolWipe.bind(client);
    const wiped: string[] = [];
    client.storageVolWipe = async (args, options) => {
        wiped.push(args.vol.name);
        return original(args, options);
    };
    try {
        await volumeHandler.delete(id, outs);
    } finally {
        client.storageVolWipe = original;
    }
    assert.deepEqual(wiped, [name]);
    assert.ok(!volumeNames(pool.name).includes(name));
});

function domainXml(name: string, path: string): string {
    // No OS: SeaBIOS finds nothing to boot and idles, which is all a running guest with a disk needs here.
    return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${path}'/><target dev='vda' bus='virtio'/></disk>
<memballoon model='none'/></devices></domain>`;
}

test("a base volume is not deleted under its overlay, but waits for a concurrent delete of the overlay", async () => {
    const base = await up("ov-base", { pool: pool.name, name: `${PREFIX}ov-base.raw`, capacity: 4 });
    const overlay = await up("ov-top", {
        pool: pool.name,
        name: `${PREFIX}ov-top.qcow2`,
        backingStore: { volume: { name: `${PREFIX}ov-base.raw` } },
    });
    setInUseWaitMs(0);
    try {
        await assert.rejects(
            volumeHandler.delete(base.id, base.outs),
            new RegExp(`refusing to delete.*backing image of volume\\(s\\) '${pool.name}/${PREFIX}ov-top\\.qcow2'`),
        );
    } finally {
        setInUseWaitMs(DEFAULT_IN_USE_WAIT_MS);
    }
    assert.ok(volumeNames(pool.name).includes(`${PREFIX}ov-base.raw`));
    // As the engine does for resources it cannot order: both deletes at once. The base waits.
    await Promise.all([
        volumeHandler.delete(base.id, base.outs),
        new Promise((resolve) => setTimeout(resolve, 300)).then(() => volumeHandler.delete(overlay.id, overlay.outs)),
    ]);
    const left = volumeNames(pool.name);
    assert.ok(!left.includes(`${PREFIX}ov-base.raw`) && !left.includes(`${PREFIX}ov-top.qcow2`), left.join(", "));
});

test("a disk of a defined domain is not deleted; the error names the domain", async () => {
    const name = `${PREFIX}used.raw`;
    const domain = `${PREFIX}holder`;
    const { id, outs } = await up("used", { pool: pool.name, name, capacity: 4 });
    const xmlPath = `${pool.dir}/../${PREFIX}holder.xml`;
    writeFileSync(xmlPath, domainXml(domain, outs.path as string));
    virsh(["define", xmlPath]);
    const wait = setInUseWaitMs(0);
    try {
        await assert.rejects(volumeHandler.delete(id, outs), new RegExp(`refusing to delete.*'${domain}' \\(vda\\)`));
        assert.ok(volumeNames(pool.name).includes(name));
    } finally {
        setInUseWaitMs(wait);
        virshMaybe(["undefine", domain]);
        rmSync(xmlPath, { force: true });
    }
    await volumeHandler.delete(id, outs);
    assert.ok(!volumeNames(pool.name).includes(name));
});

test("growing the disk of a running guest resizes its block device; the guest sees it", async () => {
    const name = `${PREFIX}live.raw`;
    const domain = `${PREFIX}runner`;
    const { id, outs } = await up("live", { pool: pool.name, name, capacity: 8, target: { format: "raw" } });
    const xmlPath = `${pool.dir}/../${PREFIX}runner.xml`;
    writeFileSync(xmlPath, domainXml(domain, outs.path as string));
    virsh(["define", xmlPath]);
    try {
        virsh(["start", domain]);
        const domId = virsh(["domid", domain]).trim();
        const { diff, outs: after } = await change(id, outs, { ...outs, capacity: 24 });
        assert.deepEqual(diff.replaces ?? [], []);
        assert.equal(after?.capacityBytes, 24 * MIB);
        const blk = virsh(["domblkinfo", domain, "vda", "--human"]);
        assert.match(blk, /Capacity:\s+24\.000 MiB/, blk);
        assert.equal(virsh(["domid", domain]).trim(), domId, "the guest kept running (same domain id)");
        // Shrinking a disk QEMU has open is refused, naming the guest, even with allowShrink.
        await assert.rejects(
            change(id, after!, { ...after!, capacity: 8, allowShrink: true }),
            new RegExp(`refusing to shrink.*'${domain}'`),
        );
        const wait = setInUseWaitMs(0);
        await assert
            .rejects(volumeHandler.delete(id, after!), new RegExp(`'${domain}' \\(vda\\)`))
            .finally(() => setInUseWaitMs(wait));
    } finally {
        virshMaybe(["destroy", domain]);
        virshMaybe(["undefine", domain]);
        rmSync(xmlPath, { force: true });
    }
});
