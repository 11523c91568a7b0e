/**
 * The Domain handler against the real libvirtd: create, read, diff, update and delete of a
 * `type: "qemu"` guest (no disk: QEMU runs its firmware, which is enough to have a process to
 * watch). Live changes keep the QEMU process; a restart-class change waits (pendingRestart) or
 * restarts it by policy; out-of-band edits are found by read; delete leaves nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";
import { captureLog, createChecked, handler, qemuPid, updateChecked } from "./domain-helpers";

const PREFIX = "pltest-domlc-";

function baseArgs(suffix: string): Properties {
    return {
        namePrefix: `${PREFIX}${suffix}`,
        type: "qemu",
        memory: 128,
        vcpu: { maximum: 2, current: 1 },
        // The firmware ignores ACPI; keep graceful shutdowns short.
        shutdownTimeoutSeconds: 1,
    };
}

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    // The pooled connection keeps the process alive otherwise.
    await defaultPool.closeAll();
});

describe("Domain lifecycle on the real libvirtd", { timeout: 120_000 }, () => {
    let id = "";
    let name = "";
    let inputs: Properties = {};
    let outs: Properties = {};

    test("create defines and starts the guest, with autonaming and computed outputs", async () => {
        ({ id, outs, inputs } = await createChecked({ ...baseArgs("a"), title: "first", autostart: true }));
        name = outs.name as string;
        assert.match(name, /^pltest-domlc-a-[0-9a-f]{7}$/);
        assert.equal(outs.uuid, id);
        assert.equal(virsh(["domuuid", name]).trim(), id);
        assert.equal(outs.state, "running");
        assert.equal(virsh(["domstate", name]).trim(), "running");
        assert.match(virsh(["dominfo", name]), /Autostart:\s+enable/);
        assert.equal(outs.pendingRestart, false);
        assert.deepEqual(outs.macAddresses, []);
        assert.ok(qemuPid(name), "a QEMU process runs");
        assert.doesNotThrow(() => JSON.stringify(outs));
    });

    test("read of an unchanged guest reports no drift and keeps the inputs", async () => {
        const read = await handler.read(id, outs);
        assert.equal(read.id, id);
        assert.deepEqual(read.inputs, inputs);
        assert.equal((read.props as Properties).state, "running");
        const diff = await handler.diff(id, read.props as Properties, inputs);
        assert.equal(diff.changes, false);
    });

    test("current vCPUs, current memory and the title change live: same QEMU process", async () => {
        const pid = qemuPid(name);
        const next = { ...inputs, vcpu: { maximum: 2, current: 2 }, currentMemory: 96, title: "second" };
        const { result } = await captureLog(() => updateChecked(id, inputs, outs, next));
        assert.equal(result.diff.changes, true);
        assert.equal(result.diff.replaces, undefined);
        ({ outs, inputs } = result);
        assert.equal(qemuPid(name), pid, "the guest was not restarted");
        assert.match(virsh(["vcpucount", name, "--live", "--active"]), /2/);
        assert.match(virsh(["vcpucount", name, "--config", "--active"]), /2/);
        assert.match(virsh(["dumpxml", name, "--inactive"]), /<currentMemory unit='KiB'>98304<\/currentMemory>/);
        assert.match(virsh(["dumpxml", name]), /<title>second<\/title>/, "the live title is set too");
        assert.equal(outs.pendingRestart, false);
    });

    test("a next-boot change (on_reboot) is written to the definition and reported, the guest untouched", async () => {
        const pid = qemuPid(name);
        const { result, lines } = await captureLog(() =>
            updateChecked(id, inputs, outs, { ...inputs, onReboot: "destroy" }),
        );
        ({ outs, inputs } = result);
        assert.equal(qemuPid(name), pid);
        assert.equal(outs.pendingRestart, false);
        assert.match(virsh(["dumpxml", name, "--inactive"]), /<on_reboot>destroy<\/on_reboot>/);
        assert.ok(
            lines.some((l) => l.includes("next boot") && l.includes("onReboot")),
            lines.join(" | "),
        );
    });

    test("a CPU mode change with restartPolicy never leaves the guest alone and sets pendingRestart", async () => {
        const pid = qemuPid(name);
        // libvirt gives a TCG guest a qemu64 CPU by default; "maximum" (QEMU's max CPU) is a real change.
        const next = { ...inputs, cpu: { mode: "maximum" } };
        const { result, lines } = await captureLog(() => updateChecked(id, inputs, outs, next));
        ({ outs, inputs } = result);
        assert.equal(qemuPid(name), pid, "the guest keeps running untouched");
        assert.equal(outs.pendingRestart, true);
        assert.deepEqual(outs.pendingChanges, ["cpu.mode"]);
        assert.ok(
            lines.some((l) => l.startsWith("warning:") && l.includes("cpu.mode") && l.includes("restart")),
            `a warning names the waiting fields: ${lines.join(" | ")}`,
        );
        assert.match(virsh(["dumpxml", name, "--inactive"]), /<cpu mode='maximum'/);
        assert.doesNotMatch(virsh(["dumpxml", name]), /<cpu mode='maximum'/, "the running guest keeps its CPU");
        // A read while the guest still runs keeps the flag.
        const read = await handler.read(id, outs);
        assert.equal((read.props as Properties).pendingRestart, true);
    });

    test("restartPolicy graceful restarts the guest to apply what waits (new process)", async () => {
        const pid = qemuPid(name);
        const next = { ...inputs, restartPolicy: "graceful" };
        ({ outs, inputs } = await updateChecked(id, inputs, outs, next));
        const newPid = qemuPid(name);
        assert.ok(newPid, "running again");
        assert.notEqual(newPid, pid, "a new QEMU process");
        assert.equal(outs.pendingRestart, false);
        assert.deepEqual(outs.pendingChanges, []);
        assert.match(virsh(["dumpxml", name]), /<cpu mode='maximum'/, "the running guest has the new CPU");
    });

    test("a guest restarted outside Pulumi no longer reports the changes it picked up", async () => {
        const next = { ...inputs, restartPolicy: "never", cpu: { mode: "custom", model: "qemu64" } };
        ({ outs, inputs } = await updateChecked(id, inputs, outs, next));
        assert.equal(outs.pendingRestart, true);
        virsh(["destroy", name]);
        virsh(["start", name]);
        const read = await handler.read(id, outs);
        assert.equal((read.props as Properties).pendingRestart, false);
        assert.deepEqual((read.props as Properties).pendingChanges, []);
        outs = read.props as Properties;
    });

    test("out-of-band virsh setvcpus --config is found by read and put back by the next update", async () => {
        virsh(["setvcpus", name, "1", "--config"]);
        const { result: read, lines } = await captureLog(() => handler.read(id, outs));
        const refreshed = read.inputs as Properties;
        assert.deepEqual(refreshed.vcpu, { maximum: 2, current: 1 });
        assert.ok(lines.some((l) => l.includes("changed outside Pulumi") && l.includes("vcpu.current")));
        const diff = await handler.diff(id, read.props as Properties, inputs);
        assert.equal(diff.changes, true, "the declaration differs from what libvirt holds");
        ({ outs } = await updateChecked(id, refreshed, read.props as Properties, inputs));
        assert.match(virsh(["vcpucount", name, "--config", "--active"]), /2/);
    });

    test("an explicit name that changes type makes a delete-before-replace; an automatic one does not", async () => {
        const auto = await handler.diff(id, outs, { ...inputs, type: "kvm" });
        assert.deepEqual(auto.replaces, ["type"]);
        assert.equal(auto.deleteBeforeReplace, undefined);
        const explicit = { ...outs, name: "pltest-domlc-fixed" };
        const fixed = await handler.diff(id, explicit, { ...inputs, name: "pltest-domlc-fixed", type: "kvm" });
        assert.deepEqual(fixed.replaces, ["type"]);
        assert.equal(fixed.deleteBeforeReplace, true);
    });

    test("running: false shuts the guest down and keeps it defined", async () => {
        ({ outs, inputs } = await updateChecked(id, inputs, outs, { ...inputs, running: false }));
        assert.equal(outs.state, "shutoff");
        assert.equal(qemuPid(name), undefined);
        assert.equal(virsh(["domstate", name]).trim(), "shut off");
    });

    test("delete undefines the guest; a second delete is a no-op", async () => {
        ({ outs, inputs } = await updateChecked(id, inputs, outs, { ...inputs, running: true }));
        assert.equal(outs.state, "running");
        await handler.delete(id, outs);
        assert.equal(virshMaybe(["dominfo", name]), undefined);
        assert.ok(!virsh(["list", "--all", "--name"]).includes(name));
        await handler.delete(id, outs);
        const read = await handler.read(id, outs);
        assert.equal(read.id, "");
    });

    test("out-of-band virsh undefine is reported as gone by read", async () => {
        const created = await createChecked({ ...baseArgs("b"), running: false });
        const other = created.outs.name as string;
        virsh(["undefine", other]);
        const read = await handler.read(created.id, created.outs);
        assert.equal(read.id, "");
    });
});
