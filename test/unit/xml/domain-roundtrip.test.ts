/**
 * Unit round trips: for a table of models covering every modelled element and every enum value,
 * model → XML → model is the identity, and every written document validates against libvirt's
 * RelaxNG schema.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Domain, type DomainArgs, domainSchema } from "../../../provider/model/domain";
import { domainCpuFeatureSchema, domainCpuSchema } from "../../../provider/model/domain-cpu";
import { domainChannelSchema, domainSerialSchema } from "../../../provider/model/domain-devices-char";
import { diskBuses, diskDriverSchema, domainDiskSchema } from "../../../provider/model/domain-devices-disk";
import { domainInputSchema, soundModels, videoModels } from "../../../provider/model/domain-devices-display";
import { interfaceModels } from "../../../provider/model/domain-devices-interface";
import {
    domainFilesystemSchema,
    domainMemballoonSchema,
    domainRngSchema,
    domainTpmSchema,
    domainWatchdogSchema,
} from "../../../provider/model/domain-devices-misc";
import { domainMemoryBackingSchema, domainNumatuneMemorySchema } from "../../../provider/model/domain-memory";
import { bootDevices, domainClockSchema, onCrashSchema, timerNames } from "../../../provider/model/domain-os";
import { domainFromXml, domainToXml, mergeDomain } from "../../../provider/xml/domain";
import { presenceFlags } from "../../../provider/xml/domain-xml-like";
import { relaxngFailures } from "./domain-relaxng";

const base: DomainArgs = { name: "rt", type: "kvm", memory: 512 };
const disk = (n: number) => ({
    source: { file: `/var/lib/libvirt/images/d${n}.qcow2` },
    target: { dev: `vd${"abcdefghijklmnopqrstuvwxyz"[n]}` },
});

/** Cases named by what they cover; each is merged into the base model. */
const cases: Array<[string, Partial<DomainArgs>]> = [
    ["minimal", {}],
    [
        "identity and metadata",
        {
            type: "qemu",
            uuid: "C7A5FDBD-EDAF-9455-926A-D65C16DB1809",
            title: "Lab VM",
            description: 'a <lab> & "guest" ]]> with\nlines',
        },
    ],
    ["name that needs escaping", { name: "lab<&>'\"]]>vm" }],
    [
        "memory sizes",
        {
            memory: "2GiB",
            currentMemory: 1024,
            maxMemory: { size: "8GiB", slots: 4 },
            cpu: { numa: { cells: [{ cpus: "0", memory: "2GiB" }] } },
        },
    ],
    ["vcpu count shortcut", { vcpu: 4 }],
    ["vcpu placement static", { vcpu: { maximum: 4, current: 2, placement: "static", cpuset: "1-4,^3,6" } }],
    ["vcpu placement auto", { vcpu: { maximum: 2, placement: "auto" } }],
    [
        "cputune",
        {
            vcpu: 2,
            cputune: {
                vcpupins: [
                    { vcpu: 0, cpuset: "0" },
                    { vcpu: 1, cpuset: "2-3" },
                ],
                emulatorpin: "0-1",
            },
        },
    ],
    ["cpu topology", { vcpu: 8, cpu: { mode: "host-model", topology: { sockets: 1, dies: 2, cores: 2, threads: 2 } } }],
    ["cpu custom", { cpu: { mode: "custom", model: "Haswell", fallback: "forbid", match: "exact", check: "partial" } }],
    ["cpu host-passthrough", { cpu: { mode: "host-passthrough", migratable: false, check: "none" } }],
    ["cpu maximum", { cpu: { mode: "maximum", migratable: true } }],
    ...domainCpuFeatureSchema.shape.policy.options.map((policy): [string, Partial<DomainArgs>] => [
        `cpu feature ${policy}`,
        {
            cpu: {
                mode: "custom",
                model: "qemu64",
                match: "minimum",
                check: "full",
                features: [{ name: "vmx", policy }],
            },
        },
    ]),
    ...(["minimum", "exact", "strict"] as const).map((match): [string, Partial<DomainArgs>] => [
        `cpu match ${match}`,
        { cpu: { mode: "custom", model: "Haswell", match, fallback: "allow" } },
    ]),
    ...domainNumatuneMemorySchema.shape.mode
        .unwrap()
        .options.map((mode): [string, Partial<DomainArgs>] => [
            `numatune ${mode}`,
            { numatune: { memory: { mode, nodeset: "0-1", placement: "static" } } },
        ]),
    [
        "numatune memnodes",
        {
            cpu: { mode: "host-model", numa: { cells: [{ cpus: "0", memory: 512 }] } },
            numatune: { memnodes: [{ cellid: 0, mode: "preferred", nodeset: "1" }] },
        },
    ],
    ["numatune auto", { numatune: { memory: { mode: "strict", placement: "auto" } } }],
    [
        "hugepages default",
        { memtune: { hardLimit: "1GiB" }, memoryBacking: { hugepages: true, nosharepages: true, locked: true } },
    ],
    [
        "hugepages sized",
        { memoryBacking: { hugepages: [{ size: "2MiB", nodeset: "0" }, { size: "1GiB" }], discard: true } },
    ],
    ...domainMemoryBackingSchema.shape.source
        .unwrap()
        .options.map((source): [string, Partial<DomainArgs>] => [
            `memory source ${source}`,
            { memoryBacking: { source, access: "shared", allocation: "immediate", allocationThreads: 2 } },
        ]),
    ["memory private ondemand", { memoryBacking: { access: "private", allocation: "ondemand" } }],
    ["features", { features: { acpi: true, apic: true, pae: true, vmport: false, smm: true } }],
    [
        "hyperv",
        {
            features: {
                hyperv: {
                    mode: "custom",
                    relaxed: true,
                    vapic: true,
                    spinlocks: 8191,
                    vpindex: true,
                    runtime: true,
                    synic: true,
                    stimer: true,
                    reset: false,
                    frequencies: true,
                    reenlightenment: false,
                    tlbflush: true,
                    ipi: true,
                    evmcs: false,
                    vendorId: "KVM Hv",
                },
            },
        },
    ],
    ["hyperv passthrough", { features: { hyperv: { mode: "passthrough" } } }],
    ["hyperv spinlocks off", { features: { hyperv: { spinlocks: false } } }],
    ["kvm flags", { features: { kvm: { hidden: true, hintDedicated: true, pollControl: false, pvIpi: true } } }],
    ["clock localtime", { clock: { offset: "localtime" } }],
    ["clock timezone", { clock: { offset: "timezone", timezone: "Europe/Paris" } }],
    ["clock variable", { clock: { offset: "variable", adjustment: 3600, basis: "utc" } }],
    [
        "timers",
        {
            clock: {
                offset: "utc",
                timers: [
                    { name: "rtc", tickpolicy: "catchup", track: "guest" },
                    { name: "pit", tickpolicy: "delay" },
                    { name: "hpet", present: false },
                    { name: "kvmclock", present: true },
                ],
            },
        },
    ],
    ...domainClockSchema.shape.timers
        .unwrap()
        .element.shape.tickpolicy.unwrap()
        .options.map((tickpolicy): [string, Partial<DomainArgs>] => [
            `tickpolicy ${tickpolicy}`,
            { clock: { offset: "utc", timers: [{ name: "rtc", tickpolicy }] } },
        ]),
    ...timerNames.map((name): [string, Partial<DomainArgs>] => [
        `timer ${name}`,
        { clock: { offset: "utc", timers: [{ name, present: true }] } },
    ]),
    [
        "os q35 efi",
        {
            os: {
                arch: "x86_64",
                machine: "q35",
                firmware: "efi",
                secureBoot: true,
                bootMenu: true,
                bootMenuTimeout: 3000,
            },
        },
    ],
    ["os bios boot order", { os: { machine: "pc", firmware: "bios", boot: [...bootDevices] } }],
    ["os loader", { os: { loader: "/usr/share/OVMF/OVMF_CODE.fd" } }],
    [
        "direct kernel boot",
        { os: { kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img", cmdline: "console=ttyS0 root=/dev/vda" } },
    ],
    ["lifecycle", { onPoweroff: "destroy", onReboot: "restart", onCrash: "preserve" }],
    ...onCrashSchema.options.map((action): [string, Partial<DomainArgs>] => [
        `on_crash ${action}`,
        { onCrash: action },
    ]),
    [
        "disk volume",
        {
            devices: {
                disks: [{ source: { pool: "default", volume: "root.qcow2" }, target: { dev: "vda", bus: "virtio" } }],
            },
        },
    ],
    [
        "disk block",
        {
            devices: {
                disks: [{ source: { block: "/dev/sdb" }, target: { dev: "sda", bus: "scsi" }, shareable: true }],
            },
        },
    ],
    ["cdrom empty", { devices: { disks: [{ device: "cdrom", target: { dev: "sda", bus: "sata" }, readonly: true }] } }],
    [
        "cdrom media",
        {
            devices: {
                disks: [
                    { device: "cdrom", source: { file: "/iso/x.iso" }, target: { dev: "hdc", bus: "ide" }, boot: 1 },
                ],
            },
        },
    ],
    [
        "floppy",
        { devices: { disks: [{ device: "floppy", source: { file: "/f.img" }, target: { dev: "fda", bus: "fdc" } }] } },
    ],
    [
        "lun",
        { devices: { disks: [{ device: "lun", source: { block: "/dev/sdc" }, target: { dev: "sdb", bus: "scsi" } }] } },
    ],
    ...diskBuses
        .filter((bus) => bus !== "fdc")
        .map((bus): [string, Partial<DomainArgs>] => [
            `disk bus ${bus}`,
            {
                devices: {
                    disks: [
                        { ...disk(0), target: { dev: bus === "ide" ? "hda" : bus === "virtio" ? "vda" : "sda", bus } },
                    ],
                },
            },
        ]),
    ...diskDriverSchema.shape.type
        .unwrap()
        .options.map((type): [string, Partial<DomainArgs>] => [
            `disk format ${type}`,
            { devices: { disks: [{ ...disk(0), driver: { type } }] } },
        ]),
    ...diskDriverSchema.shape.cache
        .unwrap()
        .options.map((cache): [string, Partial<DomainArgs>] => [
            `disk cache ${cache}`,
            { devices: { disks: [{ ...disk(0), driver: { cache } }] } },
        ]),
    ...diskDriverSchema.shape.io
        .unwrap()
        .options.map((io): [string, Partial<DomainArgs>] => [
            `disk io ${io}`,
            { devices: { disks: [{ ...disk(0), driver: { io, cache: "none" } }] } },
        ]),
    ...diskDriverSchema.shape.discard
        .unwrap()
        .options.map((discard): [string, Partial<DomainArgs>] => [
            `disk discard ${discard}`,
            { devices: { disks: [{ ...disk(0), driver: { discard } }] } },
        ]),
    [
        "disk queues serial boot",
        {
            devices: {
                disks: [
                    {
                        ...disk(0),
                        target: { dev: "vda", bus: "virtio" },
                        driver: { type: "qcow2", queues: 4 },
                        serial: "LAB-0001",
                        boot: 2,
                        readonly: false,
                    },
                ],
            },
        },
    ],
    ["several disks", { devices: { disks: [disk(0), disk(1), disk(2)] } }],
    [
        "nic network",
        {
            devices: {
                interfaces: [
                    { source: { network: "default", portgroup: "web" }, mac: "52:54:00:AA:BB:CC", model: "virtio" },
                ],
            },
        },
    ],
    [
        "nic bridge",
        { devices: { interfaces: [{ source: { bridge: "br0" }, model: "e1000e", linkUp: false, mtu: 9000 }] } },
    ],
    ...(["vepa", "bridge", "private", "passthrough"] as const).map((mode): [string, Partial<DomainArgs>] => [
        `nic direct ${mode}`,
        { devices: { interfaces: [{ source: { direct: "eth0", mode } }] } },
    ]),
    ...interfaceModels.map((model): [string, Partial<DomainArgs>] => [
        `nic model ${model}`,
        { devices: { interfaces: [{ source: { network: "default" }, model }] } },
    ]),
    [
        "nic vhost queues",
        {
            vcpu: 4,
            devices: {
                interfaces: [
                    {
                        source: { network: "default" },
                        model: "virtio",
                        driver: { name: "vhost", queues: 4 },
                        linkUp: true,
                        boot: 1,
                        targetDev: "lab0",
                    },
                ],
            },
        },
    ],
    [
        "nic qemu driver",
        { devices: { interfaces: [{ source: { network: "default" }, model: "virtio", driver: { name: "qemu" } }] } },
    ],
    ["vnc default listen", { devices: { graphics: [{ type: "vnc" }] } }],
    [
        "vnc fixed port",
        {
            devices: {
                graphics: [
                    {
                        type: "vnc",
                        listen: "0.0.0.0",
                        port: 5905,
                        autoport: false,
                        password: "s3cret",
                        websocket: 5705,
                    },
                ],
            },
        },
    ],
    ["vnc autoport websocket auto", { devices: { graphics: [{ type: "vnc", autoport: true, websocket: -1 }] } }],
    ["spice", { devices: { graphics: [{ type: "spice", autoport: true }] } }],
    ...videoModels.map((model): [string, Partial<DomainArgs>] => [
        `video ${model}`,
        { devices: { videos: [{ model }] } },
    ]),
    ["video sizes", { devices: { videos: [{ model: "qxl", vram: "64MiB", heads: 2, primary: true }] } }],
    ...soundModels.map((model): [string, Partial<DomainArgs>] => [
        `sound ${model}`,
        { devices: { sounds: [{ model }] } },
    ]),
    ...domainInputSchema.shape.type.options.flatMap((type) =>
        domainInputSchema.shape.bus
            .unwrap()
            .options.map((bus): [string, Partial<DomainArgs>] => [
                `input ${type} ${bus}`,
                { devices: { inputs: [{ type, bus }] } },
            ]),
    ),
    ...domainSerialSchema.shape.type.options.map((type): [string, Partial<DomainArgs>] => [
        `serial ${type}`,
        { devices: { serials: [{ type, port: 0, ...(type === "file" ? { path: "/var/log/lab-serial.log" } : {}) }] } },
    ]),
    ["console virtio", { devices: { consoles: [{ type: "pty", targetType: "virtio" }] } }],
    [
        "console serial file",
        { devices: { consoles: [{ type: "file", path: "/tmp/console.log", targetType: "serial" }] } },
    ],
    ...domainChannelSchema.shape.type.unwrap().options.map((type): [string, Partial<DomainArgs>] => [
        `channel ${type}`,
        {
            devices: {
                channels: [{ type, name: type === "spicevmc" ? "com.redhat.spice.0" : "org.qemu.guest_agent.0" }],
            },
        },
    ]),
    ["channel with path", { devices: { channels: [{ path: "/var/lib/libvirt/qemu/ga.sock" }] } }],
    ...domainMemballoonSchema.shape.model.options.map((model): [string, Partial<DomainArgs>] => [
        `memballoon ${model}`,
        { devices: { memballoon: { model } } },
    ]),
    [
        "memballoon options",
        { devices: { memballoon: { model: "virtio", autodeflate: true, freePageReporting: false, statsPeriod: 10 } } },
    ],
    ...domainRngSchema.shape.backend
        .unwrap()
        .options.map((backend): [string, Partial<DomainArgs>] => [
            `rng ${backend}`,
            { devices: { rngs: [{ backend }] } },
        ]),
    ...domainRngSchema.shape.model
        .unwrap()
        .options.map((model): [string, Partial<DomainArgs>] => [
            `rng model ${model}`,
            { devices: { rngs: [{ model, rateBytes: 1024, ratePeriod: 1000 }] } },
        ]),
    [
        "virtiofs",
        {
            memoryBacking: { source: "memfd", access: "shared" },
            devices: { filesystems: [{ source: "/srv/share", target: "share", readonly: true }] },
        },
    ],
    ...domainFilesystemSchema.shape.accessmode
        .unwrap()
        .options.map((accessmode): [string, Partial<DomainArgs>] => [
            `9p ${accessmode}`,
            { devices: { filesystems: [{ driver: "path", source: "/srv", target: "srv", accessmode }] } },
        ]),
    [
        "hostdev",
        {
            devices: {
                hostdevs: [
                    { address: "0000:03:10.1", boot: 1 },
                    { address: "04:00.0", managed: false },
                ],
            },
        },
    ],
    ...domainWatchdogSchema.shape.model.options.map((model): [string, Partial<DomainArgs>] => [
        `watchdog ${model}`,
        { devices: { watchdogs: [{ model, action: "reset" }] } },
    ]),
    ...domainWatchdogSchema.shape.action
        .unwrap()
        .options.map((action): [string, Partial<DomainArgs>] => [
            `watchdog action ${action}`,
            { devices: { watchdogs: [{ model: "i6300esb", action }] } },
        ]),
    ...domainTpmSchema.shape.model
        .unwrap()
        .options.map((model): [string, Partial<DomainArgs>] => [
            `tpm ${model}`,
            { devices: { tpms: [{ model, version: "2.0" }] } },
        ]),
    ["tpm 1.2", { devices: { tpms: [{ model: "tpm-tis", version: "1.2" }] } }],
    ["emulator", { devices: { emulator: "/usr/bin/qemu-system-x86_64" } }],
    ["resource-level fields", { autostart: true, running: false }],
];

/** The fields that live outside the XML (set through the API). */
function withoutApiFields(model: Domain): Domain {
    const { autostart: _autostart, running: _running, ...rest } = model;
    return rest;
}

/** A presence element set to false is written as its absence, which the full reading leaves out. */
function withoutOffPresenceFlags<T>(value: T): T {
    if (Array.isArray(value)) return value.map(withoutOffPresenceFlags) as T;
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
        if (!(field === false && presenceFlags.has(key))) out[key] = withoutOffPresenceFlags(field);
    }
    return out as T;
}

const written = new Map<string, string>();

for (const [name, fields] of cases) {
    test(`round trip: ${name}`, () => {
        const model = domainSchema.parse({ ...base, ...fields });
        const xml = domainToXml(model);
        written.set(name, xml);
        assert.deepEqual(domainFromXml(xml), withoutOffPresenceFlags(withoutApiFields(model)), "the full reading");
        assert.deepEqual(domainFromXml(xml, { like: model }), withoutApiFields(model), "the reading against the model");
    });
}

test("every enum of the cpu schema is covered", () => {
    const modes = new Set(cases.map(([, f]) => (f.cpu as { mode?: string } | undefined)?.mode).filter(Boolean));
    assert.deepEqual([...modes].sort(), [...domainCpuSchema.shape.mode.unwrap().options].sort());
    assert.ok(domainDiskSchema.shape.device.unwrap().options.every((d) => cases.some(([n]) => n.includes(d))));
});

test("every written document validates against domain.rng", () => {
    assert.equal(written.size, cases.length, "the round trips ran first");
    assert.deepEqual(relaxngFailures(written), {});
});

/**
 * Transitions: each case's document, merged with the next case's model (telling the merge the
 * previous model), reads back as exactly the next model, and still validates. This drives every
 * writer through changing and removing what it wrote before.
 */
const transitions = new Map<string, string>();

cases.forEach(([name, fields], i) => {
    const [nextName, nextFields] = cases[(i + 1) % cases.length]!;
    test(`transition: ${name} → ${nextName}`, () => {
        const before = domainSchema.parse({ ...base, ...fields });
        const after = domainSchema.parse({ ...base, ...nextFields });
        const merged = mergeDomain(domainToXml(before), after, before);
        transitions.set(`${name} → ${nextName}`, merged);
        // The UUID is identity: it stays when the next model leaves it out.
        const expected = withoutOffPresenceFlags(withoutApiFields(after));
        if (before.uuid !== undefined && after.uuid === undefined) expected.uuid = before.uuid;
        assert.deepEqual(domainFromXml(merged), expected);
    });
});

test("every merged transition validates against domain.rng", () => {
    assert.equal(transitions.size, cases.length, "the transitions ran first");
    assert.deepEqual(relaxngFailures(transitions), {});
});
