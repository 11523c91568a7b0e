/**
 * A Domain after an external snapshot of its running guest: libvirt moved the disk onto the
 * overlay, in the running guest and in the definition, with the declared image below it in the
 * backing chain. The Domain treats the overlay as its declared disk: a refresh finds no drift, a
 * description change is an update that keeps the overlay (virsh domblklist --inactive, the live
 * XML, qemu-img's backing chain), and the guest restarted after it boots from the overlay: the
 * marker written after the snapshot is still on its disk. Pointing the disk at another image is
 * still a change, written and applied by a restart.
 *
 * Then a shut-off guest with two external snapshots, whose definition lists no backing chain
 * (libvirt 9.0; the Domain takes it from the snapshots, and from the live XML once the guest runs):
 * refresh and updates keep the newer overlay, and a real change is applied.
 *
 * The guest boots into busybox's shell on a UNIX-socket serial console (not in the Domain model:
 * the domain is defined with virsh and adopted; the undeclared console survives every merge).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import { domainSnapshotHandler } from "../../../provider/resources/domain-snapshot/handler";
import type { Properties } from "../../../provider/resources/shared/handler";
import {
    BLOCK_MARKER_COMMANDS,
    PREPARE_DISK_COMMANDS,
    SerialShell,
    SHELL_CMDLINE,
    shellGuestXml,
} from "../../helpers/serial-shell";
import { assertTinyGuest, loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { captureLog, createChecked, handler, updateChecked } from "./domain-helpers";

const PREFIX = "pltest-snapovl-";
const DOMAIN = `${PREFIX}guest`;
const host = loadTestHost();
const scratch = mkdtempSync(join(tmpdir(), PREFIX));
const base = join(scratch, "base.qcow2");
const overlay = join(scratch, "overlay.qcow2");
const other = join(scratch, "other.qcow2");
const consoleSocket = join(scratch, "console.sock");
const OFF = `${PREFIX}off`;
const offBase = join(scratch, "off-base.qcow2");
const offOther = join(scratch, "off-other.qcow2");
const offOverlays = [join(scratch, "off-older.qcow2"), join(scratch, "off-newer.qcow2")] as const;
let shell: SerialShell | undefined;

function declaration(description: string, disk = base): Properties {
    return {
        name: DOMAIN,
        type: "qemu",
        memory: 128,
        description,
        os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: SHELL_CMDLINE },
        devices: {
            disks: [{ source: { file: disk }, target: { dev: "vda", bus: "virtio" }, driver: { type: "qcow2" } }],
            memballoon: { model: "none" },
        },
        restartPolicy: "force",
    };
}

function domainXml(): string {
    return shellGuestXml({
        name: DOMAIN,
        kernel: host.guestKernel,
        initrd: host.guestInitrd,
        disk: base,
        consoleSocket,
    });
}

/** The console of the guest's current QEMU process, with the disk driver loaded and `wr`/`rd` defined. */
async function guestShell(): Promise<SerialShell> {
    shell?.close();
    shell = await SerialShell.open(consoleSocket);
    await shell.waitReady();
    for (const command of [...PREPARE_DISK_COMMANDS, ...BLOCK_MARKER_COMMANDS]) await shell.run(command);
    return shell;
}

/** The marker in the disk's first block, as the guest reads it past its page cache. */
async function diskMarker(): Promise<string> {
    return (await shell!.run("rd")).trim();
}

/** The source of vda in the definition (`--inactive`) or in the running guest. */
function vdaSource(inactive: boolean, domain = DOMAIN): string {
    const list = virsh(["domblklist", domain, ...(inactive ? ["--inactive"] : [])]);
    const line = list.split("\n").find((l) => l.trim().startsWith("vda"));
    assert.ok(line, `vda in domblklist:\n${list}`);
    return line.trim().split(/\s+/)[1]!;
}

/** The image files of a chain as qemu-img follows it (-U: the running guest holds the lock). */
function qemuImgChain(image: string): string[] {
    const out = execFileSync("qemu-img", ["info", "-U", "--backing-chain", "--output=json", image], {
        encoding: "utf8",
    });
    return (JSON.parse(out) as Array<{ filename: string }>).map((entry) => entry.filename);
}

/** Restarts the guest outside Pulumi (as a reboot of the host would) and reconnects the console. */
async function restartGuest(): Promise<void> {
    virsh(["destroy", DOMAIN]);
    virsh(["start", DOMAIN]);
    await guestShell();
}

before(async () => {
    assertTinyGuest(host);
    removeTestObjects(PREFIX);
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", base, "16M"]);
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", other, "16M"]);
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", offBase, "16M"]);
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", offOther, "16M"]);
    execFileSync("qemu-io", ["-f", "qcow2", "-c", "write -P 0x4f 0 512", other]);
    const xml = join(scratch, "domain.xml");
    writeFileSync(xml, domainXml());
    virsh(["define", xml]);
    virsh(["start", DOMAIN]);
    await guestShell();
});

after(async () => {
    shell?.close();
    try {
        removeTestObjects(PREFIX);
    } finally {
        // Also when libvirtd is unreachable (the removal throws): the images are this file's own.
        rmSync(scratch, { recursive: true, force: true });
        await defaultPool.closeAll();
    }
});

describe("a Domain on an external snapshot's overlay", { timeout: 240_000 }, () => {
    let id = "";
    let inputs: Properties = {};
    let outs: Properties = {};

    test("adopted, then an external snapshot moves the disk onto the overlay", async () => {
        ({ id, outs, inputs } = await createChecked({ ...declaration("first"), adopt: true }));
        await shell!.run("wr BEFORE-SNAPSHOT");
        const checked = await domainSnapshotHandler.check(
            {},
            { namePrefix: `${PREFIX}ext`, domain: DOMAIN, kind: "external", disks: [{ target: "vda", overlay }] },
        );
        assert.deepEqual(checked.failures ?? [], []);
        await domainSnapshotHandler.create(checked.inputs as Properties);
        await shell!.run("wr AFTER-SNAPSHOT");
        assert.equal(await diskMarker(), "AFTER-SNAPSHOT");
        assert.equal(vdaSource(true), overlay, "libvirt moved the definition onto the overlay");
        assert.equal(vdaSource(false), overlay, "and the running guest");
        assert.deepEqual(qemuImgChain(overlay), [overlay, base]);
        const inactive = virsh(["dumpxml", "--inactive", DOMAIN]);
        assert.match(
            inactive,
            /<backingStore type='file'>\s*<format type='qcow2'\/>\s*<source file='[^']*base\.qcow2'\/>/,
        );
    });

    test("a refresh finds no drift: the overlay is the declared disk", async () => {
        const { result: read, lines } = await captureLog(() => handler.read(id, outs));
        assert.equal(read.id, id);
        assert.deepEqual(
            lines.filter((line) => /changed outside Pulumi/.test(line)),
            [],
        );
        assert.deepEqual((read.inputs as Properties).devices, inputs.devices, "the declared disk stays in the state");
        const diff = await handler.diff(id, read.props as Properties, inputs);
        assert.equal(diff.changes, false);
    });

    test("a description change keeps the overlay in the definition and in the running guest", async () => {
        const pid = execFileSync("pgrep", ["-f", `guest=${DOMAIN}`], { encoding: "utf8" }).trim();
        const updated = await updateChecked(id, inputs, outs, declaration("second"));
        assert.equal(updated.diff.changes, true);
        assert.equal(updated.diff.replaces, undefined);
        ({ outs, inputs } = updated);
        assert.match(virsh(["dumpxml", "--inactive", DOMAIN]), /<description>second<\/description>/);
        assert.equal(vdaSource(true), overlay, "the definition still uses the overlay");
        assert.equal(vdaSource(false), overlay, "the running guest too");
        assert.match(
            virsh(["dumpxml", "--inactive", DOMAIN]),
            /<source file='[^']*overlay\.qcow2'\/>\s*<backingStore type='file'>\s*<format type='qcow2'\/>\s*<source file='[^']*base\.qcow2'\/>/,
            "with its backing chain",
        );
        assert.equal(
            execFileSync("pgrep", ["-f", `guest=${DOMAIN}`], { encoding: "utf8" }).trim(),
            pid,
            "no restart for a description",
        );
        assert.deepEqual(qemuImgChain(overlay), [overlay, base]);

        const { result: read, lines } = await captureLog(() => handler.read(id, outs));
        assert.deepEqual(
            lines.filter((line) => /changed outside Pulumi/.test(line)),
            [],
        );
        assert.equal((await handler.diff(id, read.props as Properties, inputs)).changes, false);
    });

    test("restarted after the update, the guest boots from the overlay: what it wrote after the snapshot is there", async () => {
        await restartGuest();
        assert.equal(vdaSource(false), overlay);
        assert.equal(await diskMarker(), "AFTER-SNAPSHOT");
        const { lines } = await captureLog(() => handler.read(id, outs));
        assert.deepEqual(
            lines.filter((line) => /changed outside Pulumi/.test(line)),
            [],
        );
    });

    test("pointing the disk at another image is still a change, written and applied by the restart", async () => {
        const changed = declaration("second", other);
        const diff = await handler.diff(id, outs, (await handler.check(inputs, changed)).inputs as Properties);
        assert.equal(diff.changes, true);
        ({ outs, inputs } = await updateChecked(id, inputs, outs, changed));
        assert.equal(vdaSource(true), other, "the definition uses the other image");
        assert.doesNotMatch(
            virsh(["dumpxml", "--inactive", DOMAIN]),
            /<backingStore type='file'>/,
            "without the overlay's chain",
        );
        assert.equal(vdaSource(false), other, "the guest was restarted on it (restartPolicy force)");
        await guestShell();
        assert.match(await diskMarker(), /^O{16}/, "the guest reads the other image's first block");
    });
});

describe("a Domain on the overlays of external snapshots of a shut-off guest", { timeout: 120_000 }, () => {
    // libvirt 9.0 lists no <backingStore> in this definition: the chain comes from the snapshots.
    const offDeclaration = (description: string, disk: string = offBase): Properties => ({
        ...declaration(description, disk),
        name: OFF,
        running: false,
    });
    let id = "";
    let inputs: Properties = {};
    let outs: Properties = {};

    test("two external snapshots: the definition holds the newer overlay and no chain", async () => {
        ({ id, outs, inputs } = await createChecked(offDeclaration("first")));
        for (const [i, file] of offOverlays.entries()) {
            const checked = await domainSnapshotHandler.check(
                {},
                {
                    namePrefix: `${PREFIX}off${i}`,
                    domain: OFF,
                    kind: "external",
                    disks: [{ target: "vda", overlay: file }],
                },
            );
            assert.deepEqual(checked.failures ?? [], []);
            await domainSnapshotHandler.create(checked.inputs as Properties);
        }
        execFileSync("qemu-io", ["-f", "qcow2", "-c", "write -P 0x6e 0 512", offOverlays[1]]);
        assert.equal(vdaSource(true, OFF), offOverlays[1]);
        assert.doesNotMatch(virsh(["dumpxml", "--inactive", OFF]), /<backingStore/);
        assert.deepEqual(qemuImgChain(offOverlays[1]), [offOverlays[1], offOverlays[0], offBase]);
    });

    test("refresh finds no drift and updates keep the newer overlay, shut off and started; a real change is applied", async () => {
        const { result: read, lines } = await captureLog(() => handler.read(id, outs));
        assert.deepEqual(
            lines.filter((line) => /changed outside Pulumi/.test(line)),
            [],
        );
        assert.equal((await handler.diff(id, read.props as Properties, inputs)).changes, false);

        ({ outs, inputs } = await updateChecked(id, inputs, outs, offDeclaration("second")));
        const definition = virsh(["dumpxml", "--inactive", OFF]);
        assert.match(definition, /<description>second<\/description>/);
        assert.equal(vdaSource(true, OFF), offOverlays[1], "the definition still uses the newer overlay");
        assert.doesNotMatch(definition, /<backingStore|pulumi-libvirt-lent/, "the chain was only lent to the merge");
        const again = await captureLog(() => handler.read(id, outs));
        assert.deepEqual(
            again.lines.filter((line) => /changed outside Pulumi/.test(line)),
            [],
        );

        // Started, the guest runs on the overlay; only its live XML lists the chain.
        ({ outs, inputs } = await updateChecked(id, inputs, outs, { ...offDeclaration("third"), running: true }));
        assert.equal(vdaSource(false, OFF), offOverlays[1], "started on the newer overlay");
        assert.doesNotMatch(virsh(["dumpxml", "--inactive", OFF]), /<backingStore/);
        const running = await captureLog(() => handler.read(id, outs));
        assert.deepEqual(
            running.lines.filter((line) => /changed outside Pulumi/.test(line)),
            [],
        );
        ({ outs, inputs } = await updateChecked(id, inputs, outs, { ...offDeclaration("fourth"), running: true }));
        assert.equal(vdaSource(true, OFF), offOverlays[1], "an update of the running guest keeps the overlay");
        assert.doesNotMatch(virsh(["dumpxml", "--inactive", OFF]), /<backingStore|pulumi-libvirt-lent/);

        ({ outs, inputs } = await updateChecked(id, inputs, outs, {
            ...offDeclaration("fourth", offOther),
            running: true,
        }));
        assert.equal(vdaSource(true, OFF), offOther, "pointing the disk at another image is written");
        assert.equal(vdaSource(false, OFF), offOther, "and applied by the restart (restartPolicy force)");
        assert.equal(
            execFileSync("qemu-io", ["-f", "qcow2", "-c", "read -P 0x6e 0 512", offOverlays[1]], {
                encoding: "utf8",
            }).includes("Pattern verification failed"),
            false,
            "the overlay keeps what was written into it",
        );
    });
});
