/**
 * The domain schema: friendly input becomes the exact model, and bad input fails with the full
 * path of the property and a reason that says how to fix it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type DomainArgs, domainSchema, validateDomain } from "../../../provider/model/domain";
import { pciAddress } from "../../../provider/model/domain-field-types";

const base: DomainArgs = { name: "lab", memory: 512 };

/** The failures of an input, as `property: reason` lines. */
function failures(input: unknown): Array<{ property: string; reason: string }> {
    const result = validateDomain(input);
    assert.equal(result.ok, false, "the input should be refused");
    return result.ok ? [] : result.failures;
}

function failureAt(input: unknown, property: string, reason: RegExp): void {
    const found = failures(input);
    assert.ok(
        found.some((f) => f.property === property && reason.test(f.reason)),
        `expected ${property} ~ ${reason}, got ${JSON.stringify(found)}`,
    );
}

test("friendly sizes become bytes; a vCPU count becomes the maximum", () => {
    const model = domainSchema.parse({ ...base, memory: "2GiB", currentMemory: 1024, vcpu: 4 });
    assert.equal(model.memory, 2 * 1024 ** 3);
    assert.equal(model.currentMemory, 1024 ** 3);
    assert.deepEqual(model.vcpu, { maximum: 4 });
    assert.equal(domainSchema.parse({ ...base, memory: "512 MiB" }).memory, 512 * 1024 ** 2);
    assert.equal(domainSchema.parse({ ...base, memory: "1G" }).memory, 1024 ** 3);
});

test("defaults: kvm, one vCPU, graphics on 127.0.0.1, unix guest-agent channel", () => {
    const model = domainSchema.parse({
        ...base,
        devices: { graphics: [{ type: "vnc" }, { type: "spice" }], channels: [{}], rngs: [{}], filesystems: [] },
    });
    assert.equal(model.type, "kvm");
    assert.deepEqual(model.vcpu, { maximum: 1 });
    assert.deepEqual(
        model.devices.graphics?.map((g) => g.listen),
        ["127.0.0.1", "127.0.0.1"],
    );
    assert.deepEqual(model.devices.channels, [{ type: "unix", name: "org.qemu.guest_agent.0" }]);
    assert.deepEqual(model.devices.rngs, [{ model: "virtio", backend: "/dev/urandom" }]);
});

test("canonical forms: cpusets, MACs, PCI addresses, UUIDs", () => {
    const model = domainSchema.parse({
        ...base,
        uuid: "6B1F9A366F2E4F4E9A514B1C0E0C2F11",
        vcpu: { maximum: 8, cpuset: "1-4,^3,6" },
        devices: {
            interfaces: [{ source: { network: "default" }, mac: "52-54-00-AA-BB-CC" }],
            hostdevs: [{ address: "3:0.1" }],
        },
    });
    assert.equal(model.vcpu.cpuset, "1-2,4,6");
    assert.equal(model.uuid, "6b1f9a36-6f2e-4f4e-9a51-4b1c0e0c2f11");
    assert.equal(model.devices.interfaces?.[0]?.mac, "52:54:00:aa:bb:cc");
    assert.equal(model.devices.hostdevs?.[0]?.address, "0000:03:00.1");
    assert.equal(pciAddress.safeParse("0000:03:20.0").success, false);
});

test("current vCPUs above the maximum", () => {
    failureAt({ ...base, vcpu: { maximum: 2, current: 4 } }, "vcpu.current", /above the maximum of 2/);
});

test("a cpuset range that ends before it starts", () => {
    failureAt({ ...base, vcpu: { maximum: 2, cpuset: "4-2" } }, "vcpu.cpuset", /ends before it starts.*2-4/);
    failureAt(
        { ...base, cputune: { vcpupins: [{ vcpu: 0, cpuset: "x" }] } },
        "cputune.vcpupins[0].cpuset",
        /not a CPU/,
    );
    failureAt(
        { ...base, vcpu: 2, cputune: { vcpupins: [{ vcpu: 2, cpuset: "1" }] } },
        "cputune.vcpupins[0].vcpu",
        /does not exist/,
    );
});

test("a MAC that is not unicast, and duplicate MACs", () => {
    failureAt(
        { ...base, devices: { interfaces: [{ source: { network: "default" }, mac: "01:00:5e:00:00:01" }] } },
        "devices.interfaces[0].mac",
        /multicast/,
    );
    failureAt(
        {
            ...base,
            devices: {
                interfaces: [
                    { source: { network: "a" }, mac: "52:54:00:00:00:01" },
                    { source: { bridge: "br0" }, mac: "52:54:00:00:00:01" },
                ],
            },
        },
        "devices.interfaces[1].mac",
        /already used by devices.interfaces\[0\]/,
    );
});

test("duplicate target devs and wrong buses", () => {
    const disk = { source: { file: "/a" }, target: { dev: "vda" } };
    failureAt({ ...base, devices: { disks: [disk, disk] } }, "devices.disks[1].target.dev", /already used/);
    failureAt(
        { ...base, devices: { disks: [disk, { ...disk, target: { dev: "vdb", bus: "nvme" } }] } },
        "devices.disks[1].target.bus",
        /virtio/,
    );
    failureAt(
        { ...base, devices: { disks: [{ device: "cdrom", target: { dev: "vdc", bus: "virtio" } }] } },
        "devices.disks[0].target.bus",
        /sata or scsi/,
    );
    failureAt(
        { ...base, devices: { disks: [{ target: { dev: "vda" } }] } },
        "devices.disks[0].source",
        /needs a source/,
    );
    failureAt(
        { ...base, devices: { disks: [{ source: { file: "/a" }, target: { dev: "xyz" } }] } },
        "devices.disks[0].target.dev",
        /vda/,
    );
});

test("sources: exactly one kind, with what it needs", () => {
    failureAt(
        { ...base, devices: { disks: [{ source: { file: "/a", block: "/dev/sdb" }, target: { dev: "vda" } }] } },
        "devices.disks[0].source",
        /exactly one source/,
    );
    failureAt(
        { ...base, devices: { disks: [{ source: { pool: "default" }, target: { dev: "vda" } }] } },
        "devices.disks[0].source.volume",
        /both pool and volume/,
    );
    failureAt(
        { ...base, devices: { interfaces: [{ source: { bridge: "br0", network: "default" } }] } },
        "devices.interfaces[0].source",
        /exactly one of network, bridge or direct/,
    );
    failureAt(
        { ...base, devices: { interfaces: [{ source: { bridge: "br0", portgroup: "x" } }] } },
        "devices.interfaces[0].source.portgroup",
        /belongs to a network/,
    );
    failureAt(
        { ...base, devices: { interfaces: [{ source: { network: "default" }, targetDev: "vnet3" }] } },
        "devices.interfaces[0].targetDev",
        /reserved/,
    );
});

test("graphics: fixed port with autoport, websocket on spice", () => {
    failureAt(
        { ...base, devices: { graphics: [{ type: "vnc", port: 5901, autoport: true }] } },
        "devices.graphics[0].port",
        /autoport/,
    );
    failureAt(
        { ...base, devices: { graphics: [{ type: "spice", websocket: 5700 }] } },
        "devices.graphics[0].websocket",
        /VNC/,
    );
    failureAt({ ...base, devices: { graphics: [{ type: "vnc", port: 80 }] } }, "devices.graphics[0].port", /5900/);
    failureAt(
        { ...base, devices: { graphics: [{ type: "vnc", password: "123456789" }] } },
        "devices.graphics[0].password",
        /8 password characters/,
    );
    assert.ok(validateDomain({ ...base, devices: { graphics: [{ type: "spice", password: "a-longer-secret" }] } }).ok);
});

test("names: markup characters are allowed and escaped; control characters are refused", () => {
    assert.equal(domainSchema.parse({ ...base, name: "a<b&c\"d']]>" }).name, "a<b&c\"d']]>");
    failureAt({ ...base, name: "two\nlines" }, "name", /control character/);
    failureAt({ ...base, name: "a/b" }, "name", /'\/'/);
    failureAt({ ...base, name: "" }, "name", /required/);
    failureAt({ ...base, title: "two\nlines" }, "title", /one line/);
});

test("memory: decimal units are read as libvirt reads them and rounded up to whole KiB as libvirt does", () => {
    // formatdomain: "MB" is 10^6 bytes and the value is rounded up to the nearest KiB.
    assert.equal(domainSchema.parse({ ...base, memory: "100MB" }).memory, Math.ceil(100e6 / 1024) * 1024);
    assert.equal(domainSchema.parse({ ...base, memory: "2GB" }).memory, 2e9);
    assert.equal(domainSchema.parse({ ...base, memory: "2GiB" }).memory, 2 * 1024 ** 3);
    assert.equal(domainSchema.parse({ ...base, memory: "1000b" }).memory, 1024);
});

test("memory: a bare number's unit is said; current above memory, maxMemory below memory", () => {
    failureAt(
        { ...base, memory: "128" },
        "memory",
        /'128' has no unit; write "128MiB" \(or the number 128, which means MiB\)/,
    );
    failureAt({ ...base, memory: -1 }, "memory", /-1 \(a number is MiB\) is not a size/);
    failureAt({ ...base, memory: 1e-9 }, "memory", /a number is MiB.*whole number of bytes/);
    failureAt({ ...base, memory: "lots" }, "memory", /not a size/);
    failureAt({ ...base, currentMemory: 1024 }, "currentMemory", /above memory/);
    failureAt({ ...base, maxMemory: { size: 256, slots: 2 } }, "maxMemory.size", /at least memory/);
});

test("cpu: topology must match the vCPUs; model with passthrough; custom without model", () => {
    failureAt(
        { ...base, vcpu: 4, cpu: { topology: { sockets: 1, cores: 2, threads: 1 } } },
        "cpu.topology",
        /must be equal/,
    );
    failureAt({ ...base, cpu: { mode: "host-passthrough", model: "Haswell" } }, "cpu.model", /not used with mode/);
    failureAt({ ...base, cpu: { mode: "custom" } }, "cpu.model", /needs a model/);
    failureAt({ ...base, cpu: { mode: "host-model", migratable: true } }, "cpu.migratable", /host-passthrough/);
    failureAt(
        { ...base, cpu: { mode: "host-model", features: [{ name: "vmx", policy: "maybe" }] } },
        "cpu.features[0].policy",
        /force/,
    );
});

test("boot: os.boot with per-device orders, duplicate orders, initrd without kernel, secure boot without efi", () => {
    const disk = { source: { file: "/a" }, target: { dev: "vda" }, boot: 1 };
    failureAt({ ...base, os: { boot: ["hd"] }, devices: { disks: [disk] } }, "os.boot", /per-device/);
    failureAt(
        { ...base, devices: { disks: [disk], interfaces: [{ source: { network: "x" }, boot: 1 }] } },
        "devices",
        /same boot order/,
    );
    failureAt({ ...base, os: { initrd: "/boot/initrd" } }, "os.kernel", /direct kernel boot/);
    failureAt({ ...base, os: { secureBoot: true } }, "os.secureBoot", /efi/);
});

test("virtiofs needs shared memory; hyperv passthrough takes no flags", () => {
    failureAt(
        { ...base, devices: { filesystems: [{ source: "/srv", target: "srv" }] } },
        "devices.filesystems[0].driver",
        /shared/,
    );
    failureAt(
        { ...base, features: { hyperv: { mode: "passthrough", relaxed: true } } },
        "features.hyperv.relaxed",
        /passthrough/,
    );
});

test("unknown keys are refused with their path (typos do not pass silently)", () => {
    const found = failures({
        ...base,
        devices: { disks: [{ source: { file: "/a" }, target: { dev: "vda" }, cahce: "none" }] },
    });
    assert.ok(
        found.some((f) => f.property === "devices.disks[0]" && /cahce/.test(f.reason)),
        JSON.stringify(found),
    );
});

test("every problem is reported at once", () => {
    const found = failures({
        ...base,
        name: "bad\nname",
        vcpu: { maximum: 2, current: 3, cpuset: "4-2" },
        devices: { interfaces: [{ source: { network: "n" }, mac: "ff:ff:ff:ff:ff:ff" }] },
    });
    assert.deepEqual(found.map((f) => f.property).sort(), [
        "devices.interfaces[0].mac",
        "name",
        "vcpu.cpuset",
        "vcpu.current",
    ]);
});

test("consoles: a port on a virtio console is refused (libvirt numbers them itself)", () => {
    failureAt(
        { ...base, devices: { consoles: [{ type: "pty", targetType: "virtio", port: 1 }] } },
        "devices.consoles[0].port",
        /numbers virtio consoles itself/,
    );
    assert.ok(validateDomain({ ...base, devices: { consoles: [{ type: "pty", targetType: "serial", port: 0 }] } }).ok);
});
