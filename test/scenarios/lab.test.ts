/**
 * Item 9's scenarios on the lab example, one stack brought up once and then edited step by step,
 * against the real libvirtd through the engine emulator: up, an empty second up, live changes
 * (vCPUs, memory, a new DhcpHost, a bigger disk) that keep the guests' QEMU processes and the
 * network's dnsmasq, a restart-class change (pendingRestart, then a graceful restart), removing one
 * reservation, out-of-band edits found by refresh, and destroy leaving nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { guestIp, guestMac, type LabOptions, lab } from "../../examples/lab/lab";
import { loadTestHost } from "../helpers/test-host";
import { virsh } from "../helpers/virsh";
import {
    changes,
    dhcpHosts,
    dnsmasqPid,
    exampleProgram,
    LAB_SHUTDOWN_SECONDS,
    labConfig,
    libvirtSteps,
    objectsOf,
    outputsOf,
    qemuPid,
    type Scenario,
    scenario,
    seconds,
} from "./harness";

const PREFIX = "pltest-scn-lab";
const SUBNET = "10.253.201";
const NET = `${PREFIX}-net`;
const VMS = [`${PREFIX}-vm1`, `${PREFIX}-vm2`];

/** The options index.ts derives from labConfig, so that function programs match the file program. */
function options(extra: Partial<LabOptions> = {}): LabOptions {
    const host = loadTestHost();
    return {
        prefix: PREFIX,
        subnet: SUBNET,
        poolPath: `/var/lib/libvirt/${PREFIX}-pool`,
        kernel: host.guestKernel,
        initrd: host.guestInitrd,
        shutdownTimeoutSeconds: LAB_SHUTDOWN_SECONDS,
        ...extra,
    };
}

const pids = () => VMS.map(qemuPid);

describe("the lab example against the real libvirtd", { concurrency: 1 }, () => {
    let s: Scenario;
    // Each step builds on the previous one's options.
    let current: LabOptions;
    const up = (o: LabOptions) => {
        current = o;
        return s.engine().up(() => lab(o));
    };

    before(() => {
        s = scenario(PREFIX);
        current = options();
    });
    after(() => s.cleanup());

    it("comes up: the guests boot and get their reserved addresses", async (t) => {
        const summary = await s.engine({ config: labConfig(PREFIX, SUBNET) }).up(exampleProgram("lab"));
        t.diagnostic(`lab up: ${seconds(summary.durationMs)}`);
        assert.equal(libvirtSteps(summary, "create"), 9, `created: ${changes(summary).join(", ")}`);
        assert.deepEqual(summary.outputs.ipAddresses, { vm1: guestIp(SUBNET, 1), vm2: guestIp(SUBNET, 2) });
        for (const vm of VMS) assert.match(virsh(["domstate", vm]), /running/);
        assert.deepEqual(dhcpHosts(NET), [
            `${guestMac(SUBNET, 1)} ${guestIp(SUBNET, 1)}`,
            `${guestMac(SUBNET, 2)} ${guestIp(SUBNET, 2)}`,
        ]);
    });

    it("a second up plans nothing and touches nothing while the guests run", async (t) => {
        const before = pids();
        const summary = await up(options());
        t.diagnostic(`empty second up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary), []);
        assert.equal(libvirtSteps(summary, "same"), 9);
        assert.deepEqual(pids(), before);
    });

    it("current vCPUs change live (and a preview of it changes nothing)", async (t) => {
        const [qemu, dnsmasq] = [pids(), dnsmasqPid(NET)];
        const preview = await s.engine().preview(() => lab({ ...current, vcpus: 2 }));
        assert.deepEqual(changes(preview).sort(), ["update vm1", "update vm2"]);
        for (const vm of VMS) assert.equal(virsh(["vcpucount", vm, "--live", "--active"]).trim(), "1");
        const summary = await up({ ...current, vcpus: 2 });
        t.diagnostic(`up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary).sort(), ["update vm1", "update vm2"]);
        for (const vm of VMS) assert.equal(virsh(["vcpucount", vm, "--live", "--active"]).trim(), "2");
        assert.deepEqual(pids(), qemu, "the guests' QEMU processes are the same");
        assert.equal(dnsmasqPid(NET), dnsmasq);
        assert.equal(outputsOf(s, "vm1").pendingRestart, false);
    });

    it("current memory changes live", async (t) => {
        const qemu = pids();
        const summary = await up({ ...current, currentMemoryMiB: 64 });
        t.diagnostic(`up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary).sort(), ["update vm1", "update vm2"]);
        for (const vm of VMS) {
            assert.match(virsh(["dumpxml", vm, "--inactive"]), /<currentMemory unit='KiB'>65536<\/currentMemory>/);
        }
        assert.deepEqual(pids(), qemu);
        assert.equal(outputsOf(s, "vm2").pendingRestart, false);
    });

    it("a new DhcpHost is added live: the network keeps its dnsmasq, the guests their QEMU", async (t) => {
        const [qemu, dnsmasq, hostsBefore] = [pids(), dnsmasqPid(NET), dhcpHosts(NET)];
        const extra = { key: "extra1", mac: "52:54:00:fd:c9:31", host: 31, hostname: "extra1" };
        const summary = await up({ ...current, reservations: [extra] });
        t.diagnostic(`up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary), ["create extra1"]);
        assert.deepEqual(dhcpHosts(NET), [...hostsBefore, `${extra.mac} ${SUBNET}.31`].sort());
        assert.equal(dnsmasqPid(NET), dnsmasq, "the network was not restarted");
        assert.deepEqual(pids(), qemu);
    });

    it("a bigger overlay grows in place, the running guest's disk too", async (t) => {
        const qemu = pids();
        const summary = await up({ ...current, overlayMiB: 192 });
        t.diagnostic(`up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary).sort(), ["update vm1-disk", "update vm2-disk"]);
        for (const [i, vm] of VMS.entries()) {
            const info = virsh(["vol-info", `${PREFIX}-vm${i + 1}.qcow2`, "--pool", `${PREFIX}-pool`, "--bytes"]);
            assert.match(info, /Capacity:\s+201326592 bytes/);
            assert.match(virsh(["domblkinfo", vm, "vda"]), /Capacity:\s+201326592/, "the guest sees the new size");
        }
        assert.deepEqual(pids(), qemu);
    });

    it("a CPU mode change leaves the guests running and sets pendingRestart", async (t) => {
        const qemu = pids();
        const summary = await up({ ...current, cpuMode: "host-passthrough" });
        t.diagnostic(`up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary).sort(), ["update vm1", "update vm2"]);
        assert.deepEqual(pids(), qemu, "restartPolicy never: the guests were left alone");
        for (const vm of ["vm1", "vm2"]) {
            assert.equal(outputsOf(s, vm).pendingRestart, true, `${vm} should wait for a restart`);
        }
        assert.match(virsh(["dumpxml", VMS[0]!, "--inactive"]), /<cpu mode='host-passthrough'/);
    });

    it("with restartPolicy graceful a CPU mode change restarts the guests", async (t) => {
        const qemu = pids();
        // Back from host-passthrough to host-model: the merge must drop the migratable attribute
        // libvirt added to host-passthrough, which it refuses on host-model.
        const summary = await up({ ...current, cpuMode: "host-model", restartPolicy: "graceful" });
        t.diagnostic(`up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary).sort(), ["update vm1", "update vm2"]);
        const now = pids();
        for (const i of [0, 1]) assert.notEqual(now[i], qemu[i], `${VMS[i]} was restarted`);
        for (const vm of ["vm1", "vm2"]) assert.equal(outputsOf(s, vm).pendingRestart, false);
        assert.match(virsh(["dumpxml", VMS[0]!, "--inactive"]), /<cpu mode='host-model'/);
        // A running host-model guest shows libvirt's expansion of it: a custom model, no passthrough.
        assert.match(
            virsh(["dumpxml", VMS[0]!]),
            /<cpu mode='custom'[^>]*>\s*<model[^>]*>\w+/,
            "the running guest has the new CPU",
        );
        assert.deepEqual(summary.outputs.ipAddresses, { vm1: guestIp(SUBNET, 1), vm2: guestIp(SUBNET, 2) });
    });

    it("removing one DhcpHost removes only that reservation", async (t) => {
        const [qemu, dnsmasq] = [pids(), dnsmasqPid(NET)];
        const summary = await up({ ...current, reservations: [] });
        t.diagnostic(`up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary), ["delete extra1"]);
        assert.deepEqual(dhcpHosts(NET), [
            `${guestMac(SUBNET, 1)} ${guestIp(SUBNET, 1)}`,
            `${guestMac(SUBNET, 2)} ${guestIp(SUBNET, 2)}`,
        ]);
        assert.equal(dnsmasqPid(NET), dnsmasq);
        assert.deepEqual(pids(), qemu);
    });

    it("after all those edits, another up plans nothing (no perpetual diff)", async (t) => {
        const qemu = pids();
        const summary = await up(current);
        t.diagnostic(`up: ${seconds(summary.durationMs)}`);
        assert.deepEqual(changes(summary), []);
        assert.deepEqual(pids(), qemu);
    });

    it("refresh finds out-of-band edits: setvcpus, net-update delete, vol-resize, undefine", async (t) => {
        // --config: an edit of the definition, the drift refresh must find (the running guest is not asked).
        virsh(["setvcpus", VMS[0]!, "1", "--config"]);
        const vm2Host = `<host mac='${guestMac(SUBNET, 2)}' ip='${guestIp(SUBNET, 2)}'/>`;
        virsh(["net-update", NET, "delete", "ip-dhcp-host", vm2Host, "--live", "--config"]);
        virsh(["destroy", VMS[1]!]);
        virsh(["undefine", VMS[1]!]);
        // Resize a disk no running QEMU holds (QEMU locks the images it has open).
        virsh(["vol-resize", `${PREFIX}-vm2.qcow2`, "256M", "--pool", `${PREFIX}-pool`]);

        const summary = await s.engine().refresh();

        t.diagnostic(`refresh: ${seconds(summary.durationMs)}`);
        assert.equal(libvirtSteps(summary, "refresh"), 9);
        const names = s.state().map((r) => r.urn.split("::").pop());
        assert.ok(!names.includes("vm2"), "the undefined domain left the state");
        assert.ok(!names.includes("vm2-lease"), "the deleted reservation left the state");
        const vcpu = outputsOf(s, "vm1").vcpu as { current?: number };
        assert.equal(vcpu.current, 1, "setvcpus was read back");
        assert.equal(outputsOf(s, "vm2-disk").capacityBytes, 256 * 1024 * 1024, "vol-resize was read back");
    });

    it("destroy leaves nothing of the stack", async (t) => {
        const summary = await s.engine().destroy();
        t.diagnostic(`destroy: ${seconds(summary.durationMs)}`);
        assert.deepEqual(objectsOf(PREFIX), []);
        assert.deepEqual(s.state(), []);
    });
});
