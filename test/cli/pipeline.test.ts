/**
 * The Automation API path a GitOps pipeline takes, under the real engine: a preview on the pull
 * request that reports what a pending change is and how it applies (live, next boot, restart,
 * replace), `up` on merge, `refresh --expect-no-changes` as the drift alarm that fires on an
 * out-of-band `virsh setvcpus` (and, as the engine does, records what it found), the next up
 * putting the declaration back, and destroy.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Domain } from "pulumi-libvirt";
import { loadTestHost } from "../helpers/test-host";
import { listNames, virsh } from "../helpers/virsh";
import { cliScenario, onlySame } from "./harness";

const PREFIX = "pltest-cli-pipe";
const NAME = `${PREFIX}-vm`;

function program(currentVcpus: number) {
    return async () => {
        const host = loadTestHost();
        const vm = new Domain("vm", {
            name: NAME,
            type: "qemu",
            memory: 64,
            vcpu: { maximum: 2, current: currentVcpus },
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            shutdownTimeoutSeconds: 5,
            devices: { serials: [{ type: "pty" }] },
        });
        return { name: vm.name, vcpu: vm.vcpu };
    };
}

describe("a pipeline through the Automation API", { concurrency: 1 }, () => {
    const s = cliScenario(PREFIX);
    after(() => s.cleanup());

    test("up on merge brings the guest up", async () => {
        const up = await s.up(program(1));
        assert.equal(up.result.summary.result, "succeeded");
        assert.deepEqual(up.steps.changes, ["create vm"]);
        assert.equal(virsh(["vcpucount", NAME, "--live", "--active"]).trim(), "1");
        assert.equal(up.result.outputs.name?.value, NAME);
    });

    test("a preview of a pull request says what changes and that it applies live", async () => {
        const preview = await s.preview(program(2));
        assert.equal(preview.result.changeSummary.update, 1, JSON.stringify(preview.result.changeSummary));
        assert.deepEqual(preview.steps.changes, ["update vm"]);
        // The provider's change summary reaches the engine as a diagnostic (its Log RPC).
        const summary = preview.diagnostics.find((d) => d.includes(`Domain '${NAME}'`));
        assert.ok(summary, `no change summary among: ${JSON.stringify(preview.diagnostics)}`);
        assert.match(summary, /1 change\(s\), strongest: live/);
        assert.match(summary, /live\s+vcpu\.current: 1 -> 2/, "it names the field and how it applies");
        assert.equal(virsh(["vcpucount", NAME, "--live", "--active"]).trim(), "1", "a preview changes nothing");
    });

    test("up applies it live", async () => {
        const pid = virsh(["domid", NAME]).trim();
        const up = await s.up(program(2));
        assert.deepEqual(up.steps.changes, ["update vm"]);
        assert.equal(virsh(["vcpucount", NAME, "--live", "--active"]).trim(), "2");
        assert.equal(virsh(["domid", NAME]).trim(), pid, "the same running guest");
    });

    test("refresh --expect-no-changes is a drift alarm: it fails on an out-of-band setvcpus", async () => {
        await s.refresh({ expectNoChanges: true });
        // --config: an edit of the definition (the tiny guest has no ACPI, so no live unplug).
        virsh(["setvcpus", NAME, "1", "--config"]);
        await assert.rejects(s.refresh({ expectNoChanges: true }), /no changes were expected/i);
    });

    test("the alarm's refresh recorded the drift; the next up puts the declared value back", async () => {
        // The engine saves a refresh's result before --expect-no-changes fails it: a second refresh
        // finds nothing new, and the state now says what libvirt has (1 vCPU in the definition).
        const again = await s.refresh();
        assert.ok(onlySame(again.result.summary.resourceChanges), JSON.stringify(again.result.summary));
        const preview = await s.preview(program(2));
        assert.deepEqual(preview.steps.changes, ["update vm"], "the declared vCPUs differ from the definition");
        await s.up(program(2));
        assert.equal(virsh(["vcpucount", NAME, "--config", "--active"]).trim(), "2");
    });

    test("destroy removes the guest", async () => {
        const destroy = await s.destroy();
        assert.equal(destroy.result.summary.result, "succeeded");
        assert.deepEqual(listNames("domain", PREFIX), []);
    });
});
