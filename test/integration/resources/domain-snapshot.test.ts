/**
 * DomainSnapshot against the real libvirtd, on the tiny guest running (type qemu) with a qcow2 disk.
 * The guest boots into busybox's shell on its serial console (a UNIX socket), so the test writes
 * and reads through the console, never the network. What it writes: a marker in the first block of
 * the disk (raw, through the page cache dropped before every read) and a file in the guest's RAM
 * (/tmp of the initramfs). The tiny guest has no root file system on disk, so a disk block is the
 * "file" a revert must take back; the RAM file shows that the memory came back too.
 *
 * - internal: taken from the running guest (memory included); the description changes in place;
 *   a new revertTrigger brings back the block and the RAM as they were; delete removes the
 *   snapshot from libvirt and from the qcow2 image.
 * - external disk-only: the overlay at the declared path; what is written after it lands in the
 *   overlay; delete merges it back (the guest still reads it) and the overlay file is gone; libvirt
 *   9.0 cannot revert to it, which update says.
 * - refusals: quiesce without a guest agent (nothing created), and a delete libvirt cannot merge
 *   (an external snapshot on top of an internal one): refused, snapshot and overlay untouched.
 * Each step is checked with virsh or qemu-img too.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import { domainSnapshotHandler as handler } from "../../../provider/resources/domain-snapshot/handler";
import type { Properties } from "../../../provider/resources/shared/handler";
import { BLOCK_MARKER_COMMANDS, PREPARE_DISK_COMMANDS, SerialShell, shellGuestXml } from "../../helpers/serial-shell";
import { assertTinyGuest, loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { captureLog } from "./domain-helpers";

const PREFIX = "pltest-snap-";
const DOMAIN = `${PREFIX}guest`;
const host = loadTestHost();
const scratch = mkdtempSync(join(tmpdir(), PREFIX));
const disk = join(scratch, "disk.qcow2");
const consoleSocket = join(scratch, "console.sock");
let shell: SerialShell | undefined;

function domainXml(): string {
    return shellGuestXml({ name: DOMAIN, kernel: host.guestKernel, initrd: host.guestInitrd, disk, consoleSocket });
}

/** The console, (re)connected: a revert may give the guest a new QEMU process and socket. */
async function guestShell(): Promise<SerialShell> {
    shell?.close();
    shell = await SerialShell.open(consoleSocket);
    await shell.waitReady();
    return shell;
}

/** The marker in the disk's first block, read past the page cache. */
async function diskMarker(): Promise<string> {
    return (await shell!.run("rd")).trim();
}

async function checked(news: Properties): Promise<Properties> {
    const result = await handler.check({}, news);
    assert.deepEqual(result.failures ?? [], [], "check failed");
    return result.inputs as Properties;
}

async function createSnapshot(news: Properties): Promise<{ id: string; outs: Properties; inputs: Properties }> {
    const inputs = await checked(news);
    const created = await handler.create(inputs);
    return { id: created.id, outs: created.outs as Properties, inputs };
}

async function updateSnapshot(
    id: string,
    inputs: Properties,
    outs: Properties,
    changes: Properties,
): Promise<{ outs: Properties; inputs: Properties; diff: Awaited<ReturnType<typeof handler.diff>> }> {
    const next = await handler.check(inputs, { ...inputs, ...changes });
    assert.deepEqual(next.failures ?? [], []);
    const diff = await handler.diff(id, outs, next.inputs as Properties);
    const updated = await handler.update(id, outs, next.inputs as Properties);
    return { outs: updated.outs as Properties, inputs: next.inputs as Properties, diff };
}

function snapshotNames(): string[] {
    return virsh(["snapshot-list", DOMAIN, "--name"])
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "");
}

before(async () => {
    assertTinyGuest(host);
    removeTestObjects(PREFIX);
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", disk, "16M"]);
    const xml = join(scratch, "domain.xml");
    writeFileSync(xml, domainXml());
    virsh(["define", xml]);
    virsh(["start", DOMAIN]);
    const guest = await guestShell();
    // Short commands from here on: write a marker into block 0, read it back past the page cache.
    for (const command of [...PREPARE_DISK_COMMANDS, ...BLOCK_MARKER_COMMANDS]) await guest.run(command);
    assert.match(await guest.run("ls /dev"), /\bvda\b/, "the guest sees its virtio disk");
});

after(async () => {
    shell?.close();
    removeTestObjects(PREFIX);
    rmSync(scratch, { recursive: true, force: true });
    await defaultPool.closeAll();
});

describe("DomainSnapshot on the running tiny guest", { timeout: 180_000 }, () => {
    test("internal: taken with the memory, described in place, reverted by revertTrigger, deleted from the image", async () => {
        await shell!.run("wr MARK-BEFORE");
        await shell!.run("echo kept > /tmp/before-snapshot");
        assert.equal(await diskMarker(), "MARK-BEFORE");

        let { id, outs, inputs } = await createSnapshot({
            namePrefix: `${PREFIX}int`,
            domain: DOMAIN,
            description: "before the change",
            revertTrigger: "first",
        });
        const name = outs.name as string;
        assert.match(name, /^pltest-snap-int-[0-9a-f]{7}$/, "autonamed like every kind");
        assert.equal(id, `${DOMAIN}/${name}`);
        assert.equal(outs.state, "running");
        assert.equal(outs.current, true);
        assert.equal(outs.domainUuid, virsh(["domuuid", DOMAIN]).trim());
        assert.deepEqual(outs.overlays, []);
        assert.deepEqual(outs.files, []);
        assert.equal(outs.parent, undefined);
        assert.ok(Math.abs(Date.parse(outs.creationTime as string) - Date.now()) < 120_000, String(outs.creationTime));
        assert.deepEqual(snapshotNames(), [name]);
        const info = virsh(["snapshot-info", DOMAIN, name]);
        assert.match(info, /Location:\s+internal/);
        assert.match(virsh(["snapshot-dumpxml", DOMAIN, name]), /<memory snapshot='internal'\/>/);

        // Written after the snapshot: in the disk and in RAM.
        await shell!.run("wr MARK-AFTER");
        await shell!.run("echo gone > /tmp/after-snapshot");
        assert.equal(await diskMarker(), "MARK-AFTER");

        // The description changes in place (a redefine); the snapshot stays the current one.
        let changed = await updateSnapshot(id, inputs, outs, { description: "described again" });
        assert.equal(changed.diff.changes, true);
        assert.equal(changed.diff.replaces, undefined, "a description change keeps the snapshot");
        ({ outs, inputs } = changed);
        assert.match(virsh(["snapshot-dumpxml", DOMAIN, name]), /<description>described again<\/description>/);
        assert.equal(virsh(["snapshot-current", DOMAIN, "--name"]).trim(), name);
        assert.equal(outs.current, true);
        assert.equal(await diskMarker(), "MARK-AFTER", "a description change reverts nothing");

        // A new trigger value reverts: the block and the RAM are as they were when it was taken.
        const reverted = await captureLog(() => updateSnapshot(id, inputs, outs, { revertTrigger: "second" }));
        changed = reverted.result;
        assert.equal(changed.diff.replaces, undefined);
        assert.ok(
            reverted.lines.some((line) => line.includes("reverted the domain to this snapshot")),
            reverted.lines.join("\n"),
        );
        ({ outs, inputs } = changed);
        assert.equal(virsh(["domstate", DOMAIN]).trim(), "running", "the guest runs, as it did when taken");
        await guestShell();
        assert.equal(await diskMarker(), "MARK-BEFORE", "the block written after the snapshot is gone");
        const files = await shell!.run("ls /tmp");
        assert.match(files, /before-snapshot/);
        assert.doesNotMatch(files, /after-snapshot/, "the RAM file written after the snapshot is gone");

        // Refresh finds it unchanged.
        const read = await handler.read(id, outs);
        assert.equal(read.id, id);
        assert.equal((read.props as Properties).description, "described again");
        assert.equal((read.props as Properties).creationTime, outs.creationTime);

        await handler.delete(id, outs);
        assert.deepEqual(snapshotNames(), []);
        // The running QEMU holds the image: ask qemu-img to read it anyway (-U), only to list.
        const inImage = execFileSync("qemu-img", ["snapshot", "-U", "-l", disk], { encoding: "utf8" });
        assert.doesNotMatch(inImage, new RegExp(name), "the snapshot is gone from the qcow2 image too");
        assert.equal((await handler.read(id, outs)).id, "", "a deleted snapshot reads as gone");
    });

    test("external disk-only: the overlay at its declared path, merged back by delete with what was written since", async () => {
        const overlay = join(scratch, "overlay-ext.qcow2");
        const { id, outs, inputs } = await createSnapshot({
            namePrefix: `${PREFIX}ext`,
            domain: DOMAIN,
            kind: "external",
            disks: [{ target: "vda", overlay }],
            revertTrigger: 1,
        });
        const name = outs.name as string;
        assert.equal(outs.state, "disk-snapshot");
        assert.deepEqual(outs.overlays, [{ target: "vda", file: overlay }]);
        assert.deepEqual(outs.files, [overlay]);
        assert.ok(existsSync(overlay), "the overlay file exists");
        assert.match(virsh(["domblklist", DOMAIN]), new RegExp(`vda\\s+${overlay}`), "the guest writes to the overlay");

        await shell!.run("wr MARK-EXTERNAL");
        assert.equal(await diskMarker(), "MARK-EXTERNAL");

        // libvirt 9.0 cannot revert to an external snapshot: update says so and changes nothing.
        await assert.rejects(
            updateSnapshot(id, inputs, outs, { revertTrigger: 2 }),
            (error: Error) =>
                /cannot revert to an external snapshot/.test(error.message) &&
                /VIR_ERR_CONFIG_UNSUPPORTED/.test(error.message) &&
                /The domain was not reverted/.test(error.message),
        );
        assert.equal(await diskMarker(), "MARK-EXTERNAL");

        const deleted = await captureLog(() => handler.delete(id, outs));
        assert.ok(
            deleted.lines.some((line) => line.includes("its overlays were merged back")),
            deleted.lines.join("\n"),
        );
        assert.deepEqual(snapshotNames(), []);
        assert.equal(existsSync(overlay), false, "libvirt removed the merged overlay");
        assert.match(virsh(["domblklist", DOMAIN]), new RegExp(`vda\\s+${disk}`), "the guest is back on its image");
        assert.equal(await diskMarker(), "MARK-EXTERNAL", "what was written into the overlay was merged, not lost");
        assert.equal(name.startsWith(`${PREFIX}ext-`), true);
    });

    test("external with memory: libvirt's overlay names, the memory file beside the image; delete merges and warns of the memory file", async () => {
        const { id, outs } = await createSnapshot({
            namePrefix: `${PREFIX}mem`,
            domain: DOMAIN,
            kind: "external",
            memory: true,
        });
        const name = outs.name as string;
        const memoryFile = join(scratch, `${DOMAIN}-${name}.mem`);
        assert.equal(outs.state, "running", "a snapshot with memory records a running guest");
        const overlays = outs.overlays as { target: string; file: string }[];
        assert.equal(overlays.length, 1);
        assert.equal(overlays[0]!.target, "vda");
        assert.deepEqual(outs.files, [overlays[0]!.file, memoryFile]);
        assert.ok(existsSync(overlays[0]!.file), "libvirt made the overlay under its own name");
        assert.ok(existsSync(memoryFile), "the memory state is saved beside the disk's image");
        assert.match(
            virsh(["snapshot-dumpxml", DOMAIN, name]),
            new RegExp(`<memory snapshot='external' file='${memoryFile}'/>`),
        );
        assert.equal(virsh(["domstate", DOMAIN]).trim(), "running", "the guest runs on after the snapshot");

        await guestShell();
        await shell!.run("wr MARK-MEMORY");
        const deleted = await captureLog(() => handler.delete(id, outs));
        assert.ok(
            deleted.lines.some((line) => line.startsWith("warning:") && line.includes(memoryFile)),
            deleted.lines.join("\n"),
        );
        assert.deepEqual(snapshotNames(), []);
        assert.equal(existsSync(overlays[0]!.file), false);
        assert.match(virsh(["domblklist", DOMAIN]), new RegExp(`vda\\s+${disk}`));
        assert.equal(await diskMarker(), "MARK-MEMORY");
    });

    test("a snapshot made with virsh: read by id alone (get), adopted with its description brought in line", async () => {
        const name = `${PREFIX}virsh`;
        virsh(["snapshot-create-as", DOMAIN, name, "--description", "made by hand"]);
        const id = `${DOMAIN}/${name}`;
        const got = await handler.read(id, {});
        assert.equal(got.id, id);
        const props = got.props as Properties;
        assert.equal(props.domain, DOMAIN);
        assert.equal(props.name, name);
        assert.equal(props.description, "made by hand");
        assert.equal(props.state, "running");

        const inputs = await checked({ namePrefix: "adopted", domain: DOMAIN, name, description: "ours now" });
        await assert.rejects(handler.create(inputs), /already exists on .*set adopt: true/);
        const asExternal = await checked({ namePrefix: "adopted", domain: DOMAIN, name, kind: "external" });
        await assert.rejects(
            handler.create({ ...asExternal, adopt: true }),
            /cannot adopt: the existing snapshot is internal, declared kind: "external"; declare kind: "internal"/,
        );
        const adopted = await handler.create({ ...inputs, adopt: true });
        assert.equal(adopted.id, id);
        assert.equal((adopted.outs as Properties).creationTime, props.creationTime, "the same snapshot");
        assert.match(virsh(["snapshot-dumpxml", DOMAIN, name]), /<description>ours now<\/description>/);
        await handler.delete(adopted.id, adopted.outs as Properties);
        assert.deepEqual(snapshotNames(), []);
    });

    test("internal needs every writable disk in qcow2: a raw one is refused (by libvirt, or by the plan when excluded); external leaves it out", async () => {
        const raw = join(scratch, "scratch.raw");
        const qcow2 = join(scratch, "second.qcow2");
        execFileSync("qemu-img", ["create", "-q", "-f", "raw", raw, "8M"]);
        execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", qcow2, "8M"]);
        const other = `${PREFIX}raw`;
        const xml = join(scratch, "raw.xml");
        writeFileSync(
            xml,
            `<domain type='qemu'><name>${other}</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${raw}'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${qcow2}'/><target dev='vdb' bus='virtio'/></disk>
</devices></domain>`,
        );
        virsh(["define", xml]);
        await assert.rejects(
            handler.create(await checked({ namePrefix: `${PREFIX}raw`, domain: other })),
            (error: Error) => /vda/.test(error.message) && /VIR_ERR_CONFIG_UNSUPPORTED/.test(error.message),
            "libvirt refuses an internal snapshot of a raw disk",
        );
        await assert.rejects(
            handler.create(
                await checked({ namePrefix: `${PREFIX}raw`, domain: other, disks: [{ target: "vda", exclude: true }] }),
            ),
            /disks: an internal snapshot covers every writable disk \(libvirt refuses to leave vda out/,
        );
        const overlay = join(scratch, "second.overlay.qcow2");
        const { id, outs } = await createSnapshot({
            namePrefix: `${PREFIX}raw`,
            domain: other,
            kind: "external",
            disks: [
                { target: "vda", exclude: true },
                { target: "vdb", overlay },
            ],
        });
        assert.equal(outs.state, "shutoff");
        assert.deepEqual(outs.files, [overlay]);
        assert.match(virsh(["snapshot-dumpxml", other, outs.name as string]), /<disk name='vda' snapshot='no'\/>/);
        assert.match(virsh(["domblklist", other]), new RegExp(`vda\\s+${raw}`), "the raw disk is left as it was");
        await handler.delete(id, outs);
        assert.equal(virsh(["snapshot-list", other, "--name"]).trim(), "");
        assert.equal(existsSync(overlay), false);
    });

    test("refusals: quiesce without a guest agent; a delete libvirt cannot merge leaves everything as it was", async () => {
        const quiesce = await checked({
            namePrefix: `${PREFIX}quiet`,
            domain: DOMAIN,
            kind: "external",
            quiesce: true,
        });
        await assert.rejects(
            handler.create(quiesce),
            (error: Error) =>
                /quiesce needs the QEMU guest agent/.test(error.message) &&
                /no org\.qemu\.guest_agent\.0 channel/.test(error.message) &&
                /or remove quiesce/.test(error.message),
        );
        assert.deepEqual(snapshotNames(), [], "nothing was created");

        // An external snapshot on top of an internal one: libvirt 9.0 cannot merge it on delete.
        const base = await createSnapshot({ namePrefix: `${PREFIX}base`, domain: DOMAIN });
        const overlay = join(scratch, "overlay-top.qcow2");
        const top = await createSnapshot({
            namePrefix: `${PREFIX}top`,
            domain: DOMAIN,
            kind: "external",
            disks: [{ target: "vda", overlay }],
        });
        assert.equal(top.outs.parent, base.outs.name);
        await assert.rejects(
            handler.delete(top.id, top.outs),
            (error: Error) =>
                /cannot delete: libvirt cannot merge this external snapshot's overlays/.test(error.message) &&
                error.message.includes(overlay) &&
                /VIR_ERR_OPERATION_UNSUPPORTED/.test(error.message) &&
                /Nothing was changed/.test(error.message),
        );
        assert.deepEqual(snapshotNames().sort(), [base.outs.name, top.outs.name].sort());
        assert.ok(existsSync(overlay), "the overlay is kept");
        assert.match(virsh(["domblklist", DOMAIN]), new RegExp(`vda\\s+${overlay}`));
    });
});
