/**
 * Outputs after a failed Domain update say what is true (issue 11, item 2), against the real
 * libvirtd. The refused change: a custom CPU (Skylake-Server with avx512f required, check full)
 * that libvirt defines but that this TCG host cannot provide, so the start fails ("guest CPU
 * doesn't match specification"). Under `restartPolicy: "force"` the guest is powered off, the new
 * definition does not start, and the update writes the previous definition back and starts the
 * guest again; the old outputs are true again and stay, so a reverted program has nothing to
 * change. A guest that was off and whose start fails is reported off with the definition written,
 * through a partial result (the dynamic-provider host sends `id`/`properties` for update as for
 * create; the engine records them as the outputs).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Properties } from "../../../provider/resources/shared/handler";
import { defaultPool } from "../../../provider/rpc";
import { REFUSED_CPU } from "../../helpers/refused-cpu";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { captureLog, createChecked, handler, qemuPid } from "./domain-helpers";

const PREFIX = "pltest-domrollback-";

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    await defaultPool.closeAll();
});

interface PartialResult {
    message: string;
    id: string;
    properties: Properties;
    reasons: string[];
}

/** check + update that must fail with a partial result; returns it. */
async function failingUpdate(id: string, oldInputs: Properties, olds: Properties, news: Properties) {
    const checked = await handler.check(oldInputs, news);
    assert.deepEqual(checked.failures ?? [], []);
    // The host puts `__provider` back into what check returned before it calls update.
    const checkedNews = { ...checked.inputs!, __provider: "provider-stub" };
    const diff = await handler.diff(id, olds, checkedNews);
    assert.equal(diff.changes, true);
    let caught: unknown;
    await handler.update(id, olds, checkedNews).catch((error: unknown) => {
        caught = error;
    });
    assert.ok(caught instanceof Error, "the update failed");
    const partial = caught as unknown as PartialResult;
    assert.equal(partial.id, id, `the error carries the resource's id: ${partial.message}`);
    assert.ok(partial.properties && typeof partial.properties === "object", "and its real state");
    assert.equal(partial.properties.__provider, "provider-stub", "__provider survives");
    return { partial, inputs: checked.inputs! };
}

describe("a restart the hypervisor refuses", { timeout: 180_000 }, () => {
    test("force: the old definition is written back, the guest runs again, a revert changes nothing", async () => {
        const declaration = { namePrefix: `${PREFIX}cpu`, type: "qemu", memory: 64, shutdownTimeoutSeconds: 1 };
        const { id, outs, inputs } = await createChecked(declaration);
        const name = outs.name as string;
        const pidBefore = qemuPid(name);
        assert.ok(pidBefore, "the guest runs");

        const refused = await handler.check(inputs, { ...inputs, cpu: REFUSED_CPU, restartPolicy: "force" });
        const news = { ...refused.inputs!, __provider: "provider-stub" };
        assert.equal((await handler.diff(id, outs, news)).changes, true);
        const { result: error } = await captureLog(() =>
            handler.update(id, outs, news).then(
                () => assert.fail("the update should fail"),
                (caught: unknown) => caught as Error & { id?: string },
            ),
        );
        assert.match(error.message, /restart \(force\) to apply cpu failed: the new definition did not start/);
        assert.match(error.message, /VIR_ERR_OPERATION_FAILED/);
        assert.match(error.message, /previous definition was written back and the guest runs again/);
        // Nothing of the update stayed, so no partial result: the state keeps the old outputs, true again.
        assert.equal(error.id, undefined);

        // libvirt: the guest runs again (a new QEMU process: it was powered off), with the old definition.
        assert.equal(virsh(["domstate", name]).trim(), "running");
        const pidAfter = qemuPid(name);
        assert.ok(pidAfter && pidAfter !== pidBefore, "started again after the forced power-off");
        const inactive = virsh(["dumpxml", "--inactive", name]);
        assert.doesNotMatch(inactive, /Skylake-Server|avx512f/, "the refused CPU is not in the definition");

        // A refresh finds the old outputs true, and a reverted program has nothing to change; the
        // refused program would be tried again.
        const { result: read, lines } = await captureLog(() => handler.read(id, outs));
        assert.equal((read.props as Properties).state, "running");
        assert.equal((read.props as Properties).cpu, undefined);
        assert.ok(!lines.some((line) => /outside Pulumi/.test(line)), lines.join("\n"));
        const reverted = await handler.check(inputs, declaration);
        assert.deepEqual(await handler.diff(id, outs, reverted.inputs!), { changes: false });
        assert.equal((await handler.diff(id, outs, news)).changes, true);
    });
});

describe("a restart whose previous definition holds changes that cannot run either", { timeout: 180_000 }, () => {
    test("the configuration the guest ran before the restart is written back and runs; the real state is recorded", async () => {
        const declaration = { namePrefix: `${PREFIX}held`, type: "qemu", memory: 64, shutdownTimeoutSeconds: 1 };
        const { id, outs, inputs } = await createChecked(declaration);
        const name = outs.name as string;
        // Held for a restart: written to the definition, never run (TCG cannot pass the host CPU through).
        const heldCheck = await handler.check(inputs, {
            ...inputs,
            cpu: { mode: "host-passthrough" },
            restartPolicy: "never",
        });
        const held = { ...heldCheck.inputs!, __provider: "provider-stub" };
        const { result: heldResult } = await captureLog(() => handler.update(id, outs, held));
        const heldOuts = heldResult.outs as Properties;
        assert.equal(heldOuts.pendingRestart, true);
        assert.match(virsh(["dumpxml", "--inactive", name]), /<cpu mode='host-passthrough'/);

        const refused = await handler.check(heldCheck.inputs!, {
            ...heldCheck.inputs!,
            cpu: REFUSED_CPU,
            restartPolicy: "force",
        });
        const news = { ...refused.inputs!, __provider: "provider-stub" };
        const { result: error } = await captureLog(() =>
            handler.update(id, heldOuts, news).then(
                () => assert.fail("the update should fail"),
                (caught: unknown) => caught as Error & { id?: string; properties?: Properties },
            ),
        );
        assert.match(error.message, /the previous definition did not start either/);
        assert.match(error.message, /the configuration the guest ran before the restart was written back/);
        assert.equal(virsh(["domstate", name]).trim(), "running", "the guest is not left off");
        const inactive = virsh(["dumpxml", "--inactive", name]);
        assert.doesNotMatch(inactive, /host-passthrough|Skylake-Server/, "neither the held nor the refused CPU");
        // The old outputs (host-passthrough held) are no longer true: the real state is recorded.
        assert.equal(error.id, id);
        assert.equal(error.properties?.state, "running");
        assert.notEqual((error.properties?.cpu as { mode?: string } | undefined)?.mode, "host-passthrough");
    });
});

describe("a start that fails after the definition was written", { timeout: 120_000 }, () => {
    test("the partial result says the guest is off and holds the written definition", async () => {
        const declaration = {
            namePrefix: `${PREFIX}off`,
            type: "qemu",
            memory: 64,
            running: false,
        };
        const { id, outs, inputs } = await createChecked(declaration);
        const name = outs.name as string;
        const { partial } = await failingUpdate(id, inputs, outs, { ...inputs, running: true, cpu: REFUSED_CPU });
        assert.match(partial.message, /start failed/);

        assert.equal(virsh(["domstate", name]).trim(), "shut off");
        assert.match(virsh(["dumpxml", "--inactive", name]), /Skylake-Server/, "the definition was written");
        assert.equal(partial.properties.running, false, "the state says the guest is not running");
        assert.equal(partial.properties.state, "shutoff");
        assert.equal((partial.properties.cpu as { model?: string } | undefined)?.model, "Skylake-Server");

        // The next up sees the guest is off while declared running, so it acts (and fails the same way).
        const diff = await handler.diff(id, partial.properties, { ...inputs, running: true, cpu: REFUSED_CPU });
        assert.equal(diff.changes, true);
    });
});
