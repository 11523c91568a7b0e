/**
 * vCPUs and memory that grow on a running `type: "qemu"` guest through update: with `vcpus`
 * declaring vCPU 1 hotpluggable, raising `vcpu.current` plugs it in; a DIMM appended to
 * `devices.memories` (with `memory` grown by its size) is plugged into a free `maxMemory` slot. Both
 * are classified live by diff, keep the QEMU process, leave nothing pending, and read back without
 * drift.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { createChecked, handler, qemuPid, updateChecked } from "./domain-helpers";

const PREFIX = "pltest-domhotadd-";

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    await defaultPool.closeAll();
});

/** The vCPU states with the first `online` vCPUs enabled; vCPU 0 fixed, the others hotpluggable. */
const vcpuStates = (maximum: number, online: number) =>
    Array.from({ length: maximum }, (_, id) => ({ id, enabled: id < online, hotpluggable: id > 0 }));

describe("vCPUs and DIMMs plugged into a running guest", { timeout: 120_000 }, () => {
    let id = "";
    let name = "";
    let inputs: Properties = {};
    let outs: Properties = {};
    let pid: number | undefined;

    before(async () => {
        ({ id, outs, inputs } = await createChecked({
            namePrefix: `${PREFIX}vm`,
            type: "qemu",
            memory: 128,
            maxMemory: { size: 512, slots: 2 },
            vcpu: { maximum: 2, current: 1 },
            vcpus: vcpuStates(2, 1),
            cpu: { numa: { cells: [{ cpus: "0-1", memory: 128 }] } },
            os: { machine: "q35" },
            // QEMU plugs CPUs and DIMMs through ACPI.
            features: { acpi: true, apic: true },
            shutdownTimeoutSeconds: 0,
        }));
        name = outs.name as string;
        pid = qemuPid(name);
        assert.ok(pid);
    });

    test("a second vCPU goes online live", async () => {
        const next = { ...inputs, vcpu: { maximum: 2, current: 2 }, vcpus: vcpuStates(2, 2) };
        const result = await updateChecked(id, inputs, outs, next);
        ({ outs, inputs } = result);
        assert.equal(qemuPid(name), pid, "no restart");
        assert.equal(outs.pendingRestart, false);
        assert.deepEqual(outs.pendingChanges ?? [], []);
        assert.match(virsh(["vcpucount", name, "--live", "--active"]), /^2\s*$/m);
        assert.match(virsh(["vcpucount", name, "--config", "--active"]), /^2\s*$/m);
    });

    test("a DIMM goes into a free slot live", async () => {
        const next = { ...inputs, memory: 256, devices: { memories: [{ size: 128, node: 0 }] } };
        ({ outs, inputs } = await updateChecked(id, inputs, outs, next));
        assert.equal(qemuPid(name), pid, "no restart");
        assert.equal(outs.pendingRestart, false);
        assert.match(virsh(["dominfo", name]), /Max memory:\s+262144 KiB/, "the running guest has 256 MiB");
        assert.equal((virsh(["dumpxml", name]).match(/<memory model='dimm'/g) ?? []).length, 1, "live");
        assert.equal(
            (virsh(["dumpxml", "--inactive", name]).match(/<memory model='dimm'/g) ?? []).length,
            1,
            "definition",
        );
    });

    test("a refresh reads back what was declared", async () => {
        const read = await handler.read(id, outs);
        const diff = await handler.diff(id, read.props!, inputs);
        assert.equal(diff.changes, false, JSON.stringify(diff));
    });
});
