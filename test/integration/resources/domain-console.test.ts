/**
 * A console password change on a running guest against the real libvirtd: applied live
 * (virDomainUpdateDeviceFlags on `<graphics>`), the QEMU process stays the same, `virsh domdisplay`
 * and the live XML show the new password, the definition has it too, nothing waits for a restart
 * and no line printed the password. Adding a password where there was none needs a restart (QEMU
 * starts its VNC server with or without password authentication).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { captureLog, createChecked, qemuPid, updateChecked } from "./domain-helpers";

const PREFIX = "pltest-domconsole-";
const FIRST = "Fp2kR7sa";
const SECOND = "Mw8cT3qe";

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    await defaultPool.closeAll();
});

describe("console passwords on a running guest", { timeout: 120_000 }, () => {
    let id = "";
    let name = "";
    let inputs: Properties = {};
    let outs: Properties = {};

    test("a VNC password change applies live: same QEMU process, new password shown by virsh", async () => {
        ({ id, outs, inputs } = await createChecked({
            namePrefix: `${PREFIX}a`,
            type: "qemu",
            memory: 64,
            shutdownTimeoutSeconds: 1,
            devices: { graphics: [{ type: "vnc", password: FIRST }] },
        }));
        name = outs.name as string;
        const pid = qemuPid(name);
        assert.ok(pid, "the guest runs");
        assert.match(virsh(["domdisplay", name, "--include-password"]), new RegExp(`vnc://:${FIRST}@`));

        const next = { ...inputs, devices: { graphics: [{ type: "vnc", password: SECOND }] } };
        const { result, lines } = await captureLog(() => updateChecked(id, inputs, outs, next));
        ({ outs, inputs } = result);
        assert.equal(result.diff.changes, true);
        assert.equal(result.diff.replaces, undefined);
        assert.ok(
            lines.some((l) => /live\s+devices\.graphics\[0\]\.password/.test(l)),
            `the diff calls it live:\n${lines.join("\n")}`,
        );
        assert.ok(
            lines.some((l) => /live: set the password of the vnc console/.test(l)),
            lines.join("\n"),
        );
        assert.equal(qemuPid(name), pid, "the guest was not restarted");
        assert.match(virsh(["domdisplay", name, "--include-password"]), new RegExp(`vnc://:${SECOND}@`));
        assert.match(virsh(["dumpxml", name, "--security-info"]), new RegExp(`passwd='${SECOND}'`));
        assert.match(virsh(["dumpxml", name, "--inactive", "--security-info"]), new RegExp(`passwd='${SECOND}'`));
        assert.equal(outs.pendingRestart, false);
        assert.deepEqual(outs.graphicsPasswords, [SECOND]);
        assert.doesNotMatch(lines.join("\n"), new RegExp(`${FIRST}|${SECOND}`), "no line printed a password");
    });

    test("adding a password to a console that had none waits for a restart", async () => {
        const created = await createChecked({
            namePrefix: `${PREFIX}b`,
            type: "qemu",
            memory: 64,
            shutdownTimeoutSeconds: 1,
            devices: { graphics: [{ type: "vnc" }] },
        });
        const other = created.outs.name as string;
        const pid = qemuPid(other);
        const next = { ...created.inputs, devices: { graphics: [{ type: "vnc", password: FIRST }] } };
        const { result } = await captureLog(() => updateChecked(created.id, created.inputs, created.outs, next));
        assert.equal(qemuPid(other), pid, "restartPolicy never: not restarted");
        assert.equal(result.outs.pendingRestart, true);
        assert.deepEqual(result.outs.pendingChanges, ["devices.graphics[0]"]);
        assert.doesNotMatch(virsh(["dumpxml", other, "--security-info"]), /passwd=/, "the running guest has none yet");
        assert.match(virsh(["dumpxml", other, "--inactive", "--security-info"]), new RegExp(`passwd='${FIRST}'`));
    });
});
