/**
 * CloudInit through the engine emulator with the real SDK classes against the real libvirtd:
 * - user-data and vendor-data given as PLAIN values never appear in clear in the state file, a
 *   printed summary or a provider log line (preview, up, a replacement, refresh, destroy);
 * - a running guest (the tiny guest, type qemu) whose cdrom is the seed's `path` gets the new seed
 *   live when the user-data changes: the seed is replaced (new volume first, old one deleted
 *   after the domain's update), the guest keeps its QEMU process, and `virsh domblklist` shows
 *   the new path.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CloudInit, Domain } from "../../../sdk";
import { formatSummary } from "../../../tools/engine";
import { isSecret } from "../../../tools/engine/values";
import { virsh } from "../../helpers/virsh";
import { changes, outputsOf } from "../../scenarios/harness";
import { qemuPid } from "./domain-helpers";
import { secretWatch } from "./secret-watch";
import { host, uri, volumeNames } from "./volume-helpers";

const PREFIX = "pltest-cieng-";
const USER_SECRET = "ud-Secret-4f1a9c";
const VENDOR_SECRET = "vd-Secret-77b2e0";
const CLEAR = new RegExp(`${USER_SECRET}|${VENDOR_SECRET}`);
const DOMAIN = `${PREFIX}vm`;

const watch = secretWatch(PREFIX, CLEAR);

function seedVolumes(): string[] {
    return volumeNames(watch.pool.name)
        .filter((name) => name.startsWith(PREFIX))
        .sort();
}

test("user-data and vendor-data stay secret: state file, summaries and log lines hold no clear value", {
    timeout: 120_000,
}, async () => {
    const program = (marker: string) => () => {
        const seed = new CloudInit("seed", {
            uri,
            pool: watch.pool.name,
            name: `${PREFIX}secret`,
            userData: { chpasswd: { expire: false }, password: USER_SECRET, runcmd: [["echo", marker]] },
            vendorData: `#cloud-config\nbootcmd: [[echo, ${VENDOR_SECRET}]]\n`,
            metaData: { "local-hostname": "secret-host" },
        });
        return { userData: seed.userData, vendorData: seed.vendorData, path: seed.path, name: seed.name };
    };
    const preview = await watch.s.engine().preview(program("one"));
    assert.ok(isSecret(preview.outputs.userData));
    assert.doesNotMatch(formatSummary(preview, "lab/pltest"), CLEAR);

    const up = await watch.s.engine().up(program("one"));
    watch.assertNoClearValue(up, "up");
    assert.ok(isSecret(up.outputs.userData), "the exported userData is secret");
    assert.ok(isSecret(up.outputs.vendorData));
    assert.equal(isSecret(up.outputs.path), false, "the path is readable");
    const state = watch.s.state().find((r) => r.urn.endsWith("::seed"))!;
    for (const key of ["userData", "vendorData"]) {
        assert.ok(isSecret(state.inputs[key]), `inputs.${key} is encrypted`);
        assert.ok(isSecret(state.outputs[key]), `outputs.${key} is encrypted`);
    }
    assert.equal(state.outputs.metaData && isSecret(state.outputs.metaData), false, "metaData stays readable");
    assert.match(
        readFileSync(watch.s.stateFile, "utf8"),
        /secret-host/,
        "the state file is read in clear where it may be",
    );

    const replaced = await watch.s.engine().up(program("two"));
    // Create-before-delete: the old volume is deleted at the end, as its own step.
    assert.deepEqual(changes(replaced), ["replace seed", "delete seed"]);
    watch.assertNoClearValue(replaced, "replacement");
    assert.match(watch.logged.join("\n"), /replace\s+userData: \[secret\] -> \[secret\]/);

    const refresh = await watch.s.engine().refresh();
    watch.assertNoClearValue(refresh, "refresh");
    const destroy = await watch.s.engine().destroy();
    watch.assertNoClearValue(destroy, "destroy");
    assert.equal(watch.s.state().length, 0);
    assert.deepEqual(seedVolumes(), []);
});

test("a running guest whose cdrom is the seed gets the new seed live: same QEMU process, domblklist shows the new path, the old volume is gone", {
    timeout: 180_000,
}, async () => {
    const program = (marker: string) => () => {
        const seed = new CloudInit("liveSeed", {
            uri,
            pool: watch.pool.name,
            name: `${PREFIX}live`,
            userData: { runcmd: [["echo", marker]] },
            metaData: { "local-hostname": "tiny" },
        });
        const vm = new Domain("vm", {
            uri,
            name: DOMAIN,
            type: "qemu",
            memory: 64,
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            shutdownTimeoutSeconds: 5,
            devices: {
                // IDE on the default pc machine: the model has no <controller>, and libvirt's default
                // SCSI controller here is lsilogic.
                disks: [{ device: "cdrom", source: { file: seed.path }, target: { dev: "hdc", bus: "ide" } }],
                serials: [{ type: "pty" }],
            },
        });
        return { path: seed.path, seedName: seed.name, state: vm.state };
    };
    const first = await watch.s.engine().up(program("one"));
    assert.deepEqual(changes(first).sort(), ["create liveSeed", "create vm"]);
    const firstPath = String(outputsOf(watch.s, "liveSeed").path);
    const firstName = String(outputsOf(watch.s, "liveSeed").name);
    assert.equal(first.outputs.state, "running");
    const pid = qemuPid(DOMAIN);
    assert.ok(pid, "the guest runs");
    assert.match(virsh(["domblklist", DOMAIN]), new RegExp(`hdc\\s+${firstPath}`));

    const second = await watch.s.engine().up(program("two"));
    // The new seed first, then the domain's cdrom, then the old seed's volume.
    assert.deepEqual(changes(second), ["replace liveSeed", "update vm", "delete liveSeed"]);
    const secondPath = String(outputsOf(watch.s, "liveSeed").path);
    assert.notEqual(secondPath, firstPath);
    assert.equal(qemuPid(DOMAIN), pid, "the same QEMU process: the medium was changed live");
    assert.match(virsh(["domblklist", DOMAIN]), new RegExp(`hdc\\s+${secondPath}`));
    assert.match(virsh(["dumpxml", DOMAIN, "--inactive"]), new RegExp(`<source file='${secondPath}'`));
    assert.deepEqual(
        seedVolumes(),
        [String(outputsOf(watch.s, "liveSeed").name)],
        `the old seed ${firstName} was deleted`,
    );
    assert.match(watch.logged.join("\n"), /live\s+devices\.disks\[0\]\.source\.file/);

    const destroy = await watch.s.engine().destroy();
    assert.equal(
        destroy.steps.every((step) => step.op === "delete"),
        true,
    );
    assert.deepEqual(seedVolumes(), []);
});
