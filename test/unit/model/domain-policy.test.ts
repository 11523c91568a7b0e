/** The domain rows of the change-policy table: which changes apply live, at next boot, by restart or replace. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ChangeClass, classifyChanges, strongestClass } from "../../../provider/model/change-policy";
import { type Domain, type DomainArgs, domainSchema } from "../../../provider/model/domain";

const base: DomainArgs = {
    name: "lab",
    memory: 2048,
    currentMemory: 1024,
    vcpu: { maximum: 4, current: 2 },
    cpu: { mode: "host-model" },
    devices: {
        disks: [
            { source: { file: "/img/root.qcow2" }, target: { dev: "vda", bus: "virtio" } },
            { source: { file: "/img/data.qcow2" }, target: { dev: "vdb", bus: "virtio" } },
            { device: "cdrom", target: { dev: "sda", bus: "sata" } },
        ],
        interfaces: [{ source: { network: "default" }, mac: "52:54:00:00:00:01" }],
        graphics: [{ type: "vnc", password: "old-pw" }, { type: "spice" }],
    },
};

function strongest(mutate: (args: DomainArgs) => void): ChangeClass | undefined {
    const next = structuredClone(base);
    mutate(next);
    const changes = classifyChanges("domain", domainSchema.parse(base) as Domain, domainSchema.parse(next) as Domain);
    assert.ok(changes.length > 0, "the mutation changed something");
    return strongestClass(changes);
}

const cases: Array<[string, ChangeClass, (args: DomainArgs) => void]> = [
    [
        "a console password changed",
        "live",
        (a) => {
            a.devices!.graphics![0]!.password = "new-pw";
        },
    ],
    [
        "a console password added where there was none",
        "restart",
        (a) => {
            a.devices!.graphics![1]!.password = "new-pw";
        },
    ],
    [
        "a console password removed",
        "restart",
        (a) => {
            delete a.devices!.graphics![0]!.password;
        },
    ],
    [
        "current vCPUs up to the maximum",
        "live",
        (a) => {
            (a.vcpu as { current: number }).current = 4;
        },
    ],
    [
        "vCPU maximum",
        "restart",
        (a) => {
            a.vcpu = { maximum: 8, current: 2 };
        },
    ],
    [
        "current memory through the balloon",
        "live",
        (a) => {
            a.currentMemory = 2048;
        },
    ],
    [
        "current memory without a balloon",
        "restart",
        (a) => {
            a.currentMemory = 2048;
            a.devices!.memballoon = { model: "none" };
        },
    ],
    [
        "memory",
        "restart",
        (a) => {
            a.memory = 4096;
        },
    ],
    [
        "title",
        "live",
        (a) => {
            a.title = "web server";
        },
    ],
    [
        "description",
        "live",
        (a) => {
            a.description = "notes";
        },
    ],
    [
        "autostart",
        "live",
        (a) => {
            a.autostart = true;
        },
    ],
    [
        "running",
        "live",
        (a) => {
            a.running = false;
        },
    ],
    [
        "cdrom media",
        "live",
        (a) => {
            a.devices!.disks![2] = {
                device: "cdrom",
                source: { file: "/iso/x.iso" },
                target: { dev: "sda", bus: "sata" },
            };
        },
    ],
    [
        "a virtio disk added",
        "live",
        (a) => void a.devices!.disks!.push({ source: { file: "/img/c.qcow2" }, target: { dev: "vdc" } }),
    ],
    ["the first disk removed (others shift)", "live", (a) => void a.devices!.disks!.splice(0, 1)],
    [
        "a SATA disk added",
        "restart",
        (a) => void a.devices!.disks!.push({ source: { file: "/img/s.qcow2" }, target: { dev: "sdb", bus: "sata" } }),
    ],
    [
        "a disk's cache mode",
        "restart",
        (a) => {
            a.devices!.disks![0]!.driver = { cache: "none" };
        },
    ],
    ["a NIC added", "live", (a) => void a.devices!.interfaces!.push({ source: { bridge: "br0" } })],
    ["a NIC removed", "live", (a) => void a.devices!.interfaces!.pop()],
    [
        "NIC link state",
        "live",
        (a) => {
            a.devices!.interfaces![0]!.linkUp = false;
        },
    ],
    [
        "NIC model",
        "restart",
        (a) => {
            a.devices!.interfaces![0]!.model = "e1000e";
        },
    ],
    [
        "cpu mode",
        "restart",
        (a) => {
            a.cpu = { mode: "host-passthrough" };
        },
    ],
    [
        "boot order",
        "nextBoot",
        (a) => {
            a.os = { boot: ["cdrom", "hd"] };
        },
    ],
    [
        "crash action",
        "nextBoot",
        (a) => {
            a.onCrash = "preserve";
        },
    ],
    [
        "domain type",
        "replace",
        (a) => {
            a.type = "qemu";
        },
    ],
    [
        "name",
        "replace",
        (a) => {
            a.name = "lab2";
        },
    ],
];

for (const [what, expected, mutate] of cases) {
    test(`${what}: ${expected}`, () => assert.equal(strongest(mutate), expected));
}

test("a MAC or UUID that libvirt generated is not a change when the model leaves it out", () => {
    const withMac = domainSchema.parse(base);
    const withoutMac = structuredClone(withMac);
    delete withoutMac.devices.interfaces![0]!.mac;
    assert.deepEqual(classifyChanges("domain", withMac, withoutMac), []);
    const withUuid = domainSchema.parse({ ...base, uuid: "6b1f9a36-6f2e-4f4e-9a51-4b1c0e0c2f11" });
    assert.deepEqual(classifyChanges("domain", withUuid, domainSchema.parse(base)), []);
});
