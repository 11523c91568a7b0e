/**
 * The power state against the real libvirtd, with `virsh suspend`/`resume` as the out-of-band
 * change: read reports the real state (`running: "paused"` for a suspended guest), and the next
 * update acts on it: a guest declared running that is paused is resumed (same QEMU process), one
 * declared "paused" is suspended (also again after an out-of-band resume) or started paused, and
 * one declared off is shut down from paused.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { captureLog, createChecked, handler, qemuPid, updateChecked } from "./domain-helpers";

const PREFIX = "pltest-dompower-";

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    await defaultPool.closeAll();
});

const domstate = (name: string) => virsh(["domstate", name]).trim();

describe("power state: running, paused, off", { timeout: 120_000 }, () => {
    let id = "";
    let name = "";
    let inputs: Properties = {};
    let outs: Properties = {};

    /** A refresh: read with the state's outputs; its inputs become the state's inputs, its props the outputs. */
    async function refresh(): Promise<Properties> {
        const read = await handler.read(id, outs);
        assert.equal(read.id, id);
        outs = read.props as Properties;
        return read.inputs as Properties;
    }

    test("a guest suspended out of band is read as paused, and up resumes it (same QEMU process)", async () => {
        ({ id, outs, inputs } = await createChecked({
            namePrefix: `${PREFIX}a`,
            type: "qemu",
            memory: 64,
            shutdownTimeoutSeconds: 1,
        }));
        name = outs.name as string;
        const pid = qemuPid(name);
        assert.ok(pid);
        virsh(["suspend", name]);
        assert.equal(domstate(name), "paused");

        const { result: read, lines } = await captureLog(refresh);
        assert.equal(read.running, "paused");
        assert.equal(outs.state, "paused");
        assert.ok(
            lines.some((l) => /power state changed outside Pulumi/.test(l)),
            lines.join("\n"),
        );

        // The program still says running (unset means true): the diff sees the change, the update resumes.
        const { result } = await captureLog(() => updateChecked(id, read, outs, inputs));
        assert.equal(result.diff.changes, true);
        assert.equal(result.diff.replaces, undefined);
        ({ outs, inputs } = result);
        assert.equal(domstate(name), "running");
        assert.equal(qemuPid(name), pid, "resumed, not restarted");
        assert.equal(outs.state, "running");
        assert.equal((await refresh()).running, undefined, "no drift left: the declaration is kept");
    });

    test('running: "paused" suspends the guest; an out-of-band resume is read and undone', async () => {
        const pid = qemuPid(name);
        ({ outs, inputs } = (
            await captureLog(() => updateChecked(id, inputs, outs, { ...inputs, running: "paused" }))
        ).result);
        assert.equal(domstate(name), "paused");
        assert.equal(outs.state, "paused");
        assert.equal(qemuPid(name), pid);
        assert.equal((await refresh()).running, "paused", "read agrees with the declaration");

        virsh(["resume", name]);
        const read = await refresh();
        assert.equal(read.running, true);
        ({ outs } = (await captureLog(() => updateChecked(id, read, outs, inputs))).result);
        assert.equal(domstate(name), "paused");
        assert.equal(qemuPid(name), pid);
    });

    test("running: false shuts a paused guest down", async () => {
        ({ outs, inputs } = (
            await captureLog(() => updateChecked(id, inputs, outs, { ...inputs, running: false }))
        ).result);
        assert.equal(domstate(name), "shut off");
        assert.equal(outs.state, "shutoff");
    });

    test('a guest declared "paused" from the start is started paused', async () => {
        const created = await createChecked({
            namePrefix: `${PREFIX}b`,
            type: "qemu",
            memory: 64,
            running: "paused",
            shutdownTimeoutSeconds: 1,
        });
        assert.equal(domstate(created.outs.name as string), "paused");
        assert.equal(created.outs.state, "paused");
        assert.ok(qemuPid(created.outs.name as string), "QEMU runs, its vCPUs stopped");
    });
});
