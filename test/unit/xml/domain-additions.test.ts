/**
 * The Domain model's controllers, memtune, I/O threads, guest NUMA cells and per-vCPU states:
 * round trips and domain.rng for every controller model, libvirt's own test documents read into
 * the new fields, merges that rewrite libvirt's implicit controllers in place, readings that do
 * not drift where libvirt fills values in, the checks at `check`, and the change classes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ChangeClass, classifyChanges, strongestClass } from "../../../provider/model/change-policy";
import { type Domain, type DomainArgs, domainSchema, validateDomain } from "../../../provider/model/domain";
import { domainFieldsSchema } from "../../../provider/model/domain-fields-schema";
import { controllerModels, controllerTypes } from "../../../provider/model/domain-devices-controller";
import { domainFromXml, domainToXml, mergeDomain, unmodelledParts } from "../../../provider/xml/domain";
import { child, children, parseTree } from "../../../provider/xml/tree";
import { acceptedCorpusPaths, readCorpusFile } from "../../helpers/shared-paths";
import { relaxngFailures } from "./domain-relaxng";

const base: DomainArgs = { name: "add", type: "kvm", memory: 512 };
const parse = (fields: Partial<DomainArgs>): Domain => domainSchema.parse({ ...base, ...fields });
const file = (name: string) => ({ file: `/var/lib/libvirt/images/${name}` });

/** Cases named by what they cover; each is merged into the base model. */
const cases: Array<[string, Partial<DomainArgs>]> = [
    ...controllerTypes.flatMap((type) => [
        // A pci controller without a model is refused by domain.rng (and by check, below).
        ...(type === "pci"
            ? []
            : [
                  [`controller ${type} without model`, { devices: { controllers: [{ type }] } }] as [
                      string,
                      Partial<DomainArgs>,
                  ],
              ]),
        ...controllerModels[type].map((model): [string, Partial<DomainArgs>] => [
            `controller ${type} ${model}`,
            {
                devices: {
                    controllers: [{ type, index: model === "pci-root" || model === "pcie-root" ? 0 : 1, model }],
                },
            },
        ]),
    ]),
    [
        "virtio-scsi with queues and an I/O thread, a SCSI disk on it",
        {
            iothreads: 2,
            devices: {
                controllers: [{ type: "scsi", index: 0, model: "virtio-scsi", driver: { queues: 4, iothread: 1 } }],
                disks: [{ source: file("a.qcow2"), target: { dev: "sda", bus: "scsi" } }],
            },
        },
    ],
    [
        "virtio disk with an I/O thread",
        {
            iothreads: 1,
            devices: { disks: [{ source: file("b.qcow2"), target: { dev: "vda" }, driver: { iothread: 1 } }] },
        },
    ],
    ["memtune every limit", { memtune: { hardLimit: "1GiB", softLimit: 768, swapHardLimit: "2GiB" } }],
    ["memtune locked memory", { memtune: { hardLimit: 1024 }, memoryBacking: { locked: true } }],
    [
        "numa cells with distances, memAccess, discard and memnodes",
        {
            vcpu: 4,
            cpu: {
                mode: "host-model",
                numa: {
                    cells: [
                        {
                            id: 0,
                            cpus: "0-1",
                            memory: 256,
                            memAccess: "shared",
                            distances: [
                                { id: 0, value: 10 },
                                { id: 1, value: 21 },
                            ],
                        },
                        { id: 1, cpus: "2-3", memory: "256MiB", memAccess: "private", discard: true },
                    ],
                },
            },
            numatune: {
                memnodes: [
                    { cellid: 0, mode: "strict", nodeset: "0" },
                    { cellid: 1, mode: "preferred", nodeset: "0" },
                ],
            },
        },
    ],
    ["numa cell without cpus", { cpu: { numa: { cells: [{ cpus: "0", memory: 256 }, { memory: 256 }] } } }],
    [
        "vcpus hotpluggable with order",
        {
            vcpu: { maximum: 3, current: 2 },
            vcpus: [
                { id: 0, enabled: true, hotpluggable: false, order: 1 },
                { id: 1, enabled: true, hotpluggable: true, order: 2 },
                { id: 2, enabled: false, hotpluggable: true },
            ],
        },
    ],
    [
        "DIMMs in maxMemory slots",
        {
            memory: 1024,
            maxMemory: { size: "4GiB", slots: 4 },
            cpu: { numa: { cells: [{ cpus: "0", memory: 512 }] } },
            devices: {
                memories: [
                    { size: 256, node: 0 },
                    { model: "dimm", size: "256MiB" },
                ],
            },
        },
    ],
    [
        "nic vhost with one queue",
        {
            devices: {
                interfaces: [{ source: { network: "default" }, model: "virtio", driver: { name: "vhost", queues: 1 } }],
            },
        },
    ],
];

const written = new Map<string, string>();

for (const [label, fields] of cases) {
    test(`round trip: ${label}`, () => {
        const model = parse(fields);
        const xml = domainToXml(model);
        written.set(label, xml);
        assert.deepEqual(domainFromXml(xml), model);
        assert.deepEqual(unmodelledParts(xml), [], "every element written is modelled");
        // Merging the same model into its own document changes nothing.
        assert.equal(mergeDomain(xml, model, model), xml);
    });
}

test("every written document validates against domain.rng", () => {
    assert.equal(written.size, cases.length, "the round trips ran first");
    assert.deepEqual(relaxngFailures(written), {});
});

test("a removed section goes when the previous model had it, and a merge from nothing adds it", () => {
    const full = parse(cases.find(([l]) => l.startsWith("numa cells with"))![1]);
    const withTune = parse({ ...cases.find(([l]) => l === "memtune every limit")![1], iothreads: 2 });
    const plain = parse({});
    for (const model of [full, withTune]) {
        const xml = domainToXml(model);
        assert.deepEqual(domainFromXml(mergeDomain(xml, plain, model)), plain);
        assert.deepEqual(domainFromXml(mergeDomain(domainToXml(plain), model, plain)), model);
    }
});

// --- libvirt's own documents -------------------------------------------------------------------

const corpus = acceptedCorpusPaths()
    .filter((path) => /^libvirt-tests\/tests\/(qemuxml2argvdata|qemuxml2xmloutdata|genericxml2xml\w*)\//.test(path))
    .map((path) => ({ path, model: domainFromXml(readCorpusFile(path)) }));

test("libvirt's documents read into the new fields", () => {
    const count = (pick: (m: Domain) => unknown) =>
        corpus.filter(({ model }) => {
            const value = pick(model);
            return Array.isArray(value) ? value.length > 0 : value !== undefined;
        }).length;
    const coverage = {
        controllers: count((m) => m.devices.controllers),
        virtioScsi: count((m) => m.devices.controllers?.find((c) => c.model === "virtio-scsi")),
        controllerDriver: count((m) => m.devices.controllers?.find((c) => c.driver)),
        pcieRootPorts: count((m) => m.devices.controllers?.find((c) => c.model === "pcie-root-port")),
        memtune: count((m) => m.memtune),
        iothreads: count((m) => m.iothreads),
        diskIothread: count((m) => m.devices.disks?.find((d) => d.driver?.iothread !== undefined)),
        numaCells: count((m) => m.cpu?.numa?.cells),
        vcpus: count((m) => m.vcpus),
        dimms: count((m) => m.devices.memories),
    };
    for (const [part, documents] of Object.entries(coverage)) {
        assert.ok(documents > 0, `no corpus document has ${part} in its model`);
    }
});

test("a NUMA document reads as its cells, and libvirt's sorted output of it does not drift", () => {
    const input = domainFromXml(readCorpusFile("libvirt-tests/tests/qemuxml2argvdata/cpu-numa2.xml"));
    assert.deepEqual(
        input.cpu?.numa?.cells.map((c) => [c.id, c.cpus]),
        [
            [1, "8-15"],
            [0, "0-7"],
        ],
    );
    const output = readCorpusFile("libvirt-tests/tests/qemuxml2xmloutdata/cpu-numa2.xml");
    assert.deepEqual(domainFromXml(output, { like: input }), input);
});

// --- merges into what libvirt holds --------------------------------------------------------------

/** A defined domain as libvirt prints it: the lsilogic controller it adds for a SCSI disk. */
const libvirtDocument = `<domain type='qemu'>
  <name>add</name>
  <memory unit='KiB'>524288</memory>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/a.qcow2'/>
      <target dev='sda' bus='scsi'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <controller type='scsi' index='0' model='lsilogic'>
      <alias name='scsi0'/>
      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
    </controller>
    <controller type='usb' index='0' model='qemu-xhci' ports='15'>
      <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
    </controller>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'>
      <model name='pcie-root-port'/>
      <target chassis='1' port='0x10'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/>
    </controller>
    <controller type='sata' index='0'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>
    </controller>
  </devices>
</domain>
`;

const controllersOf = (xml: string) => children(child(parseTree(xml, "domain"), "devices"), "controller");

test("a declared virtio-scsi controller replaces libvirt's lsilogic one in place, keeping the rest", () => {
    const declared = parse({
        type: "qemu",
        devices: {
            disks: [{ source: file("a.qcow2"), target: { dev: "sda", bus: "scsi" } }],
            controllers: [{ type: "scsi", model: "virtio-scsi" }],
        },
    });
    const merged = mergeDomain(libvirtDocument, declared);
    const scsi = controllersOf(merged).filter((c) => c.attrs.type === "scsi");
    assert.equal(scsi.length, 1, "no second SCSI controller");
    assert.equal(scsi[0]!.attrs.model, "virtio-scsi");
    assert.equal(scsi[0]!.attrs.index, "0", "the disk's controller='0' still names it");
    assert.deepEqual(
        controllersOf(merged).map((c) => `${c.attrs.type}:${c.attrs.index}:${c.attrs.model ?? ""}`),
        ["scsi:0:virtio-scsi", "usb:0:qemu-xhci", "pci:0:pcie-root", "pci:1:pcie-root-port", "sata:0:"],
        "the controllers libvirt added stay",
    );
    // Read against the declaration, libvirt's additions are not drift.
    assert.deepEqual(domainFromXml(merged, { like: declared }), declared);
});

test("a PCI root is never rewritten: a declared root port is added beside it", () => {
    // Check asks for root port indexes; the merge protects the root even without them.
    const declared = domainFieldsSchema.parse({
        ...base,
        type: "qemu",
        devices: {
            controllers: [
                { type: "pci", model: "pcie-root-port" },
                { type: "pci", model: "pcie-root-port" },
            ],
        },
    });
    const merged = controllersOf(mergeDomain(libvirtDocument, declared)).filter((c) => c.attrs.type === "pci");
    assert.deepEqual(
        merged.map((c) => `${c.attrs.index ?? "new"}:${c.attrs.model}`),
        ["0:pcie-root", "1:pcie-root-port", "new:pcie-root-port"],
    );
    // The existing root port keeps what libvirt derived for it.
    assert.equal(child(merged[1], "target")?.attrs.chassis, "1");
});

test("a controller declared before and dropped now is removed; one libvirt added is not", () => {
    const before = parse({ type: "qemu", devices: { controllers: [{ type: "usb", index: 0, model: "qemu-xhci" }] } });
    const after = parse({ type: "qemu", devices: { controllers: [] } });
    const merged = controllersOf(mergeDomain(libvirtDocument, after, before));
    assert.ok(!merged.some((c) => c.attrs.type === "usb"));
    assert.equal(merged.length, 4);
    assert.equal(controllersOf(mergeDomain(libvirtDocument, after)).length, 5, "without a previous model nothing goes");
});

test("a declared controller the guest lacks, or with another model, is drift", () => {
    const declared = parse({ type: "qemu", devices: { controllers: [{ type: "virtio-serial" }] } });
    assert.notDeepEqual(domainFromXml(libvirtDocument, { like: declared }), declared);
    const other = parse({ type: "qemu", devices: { controllers: [{ type: "usb", index: 0, model: "nec-xhci" }] } });
    assert.notDeepEqual(domainFromXml(libvirtDocument, { like: other }), other);
});

test("libvirt's mirrored NUMA distances and a dropped single queue are not drift", () => {
    const declared = parse({
        vcpu: 2,
        cpu: {
            numa: {
                cells: [
                    { cpus: "0", memory: 256, distances: [{ id: 1, value: 21 }] },
                    { cpus: "1", memory: 256 },
                ],
            },
        },
        devices: {
            interfaces: [{ source: { network: "default" }, model: "virtio", driver: { name: "vhost", queues: 1 } }],
        },
    });
    // As libvirt 9.0 prints it: both directions and the cells' own distances filled in, queues='1' gone.
    const printed = domainToXml(declared)
        .replace('<sibling id="1" value="21"/>', "<sibling id='0' value='10'/><sibling id='1' value='21'/>")
        .replace(
            /(<cell id="1"[^>]*?)\/>|(<cell cpus="1"[^>]*?)\/>/,
            (_m, a, b) =>
                `${a ?? b}><distances><sibling id='0' value='21'/><sibling id='1' value='10'/></distances></cell>`,
        )
        .replace(/ queues="1"/, "");
    assert.match(printed, /<sibling id='0' value='10'\/><sibling id='1' value='21'\/>/);
    assert.match(printed, /<sibling id='0' value='21'\/><sibling id='1' value='10'\/>/);
    assert.doesNotMatch(printed, /queues/);
    assert.deepEqual(domainFromXml(printed, { like: declared }), declared);
});

// --- check -------------------------------------------------------------------------------------

function failures(fields: Partial<DomainArgs>): string[] {
    const result = validateDomain({ ...base, ...fields });
    return result.ok ? [] : result.failures.map((f) => `${f.property}: ${f.reason}`);
}

const refusals: Array<[string, Partial<DomainArgs>, RegExp]> = [
    [
        "locked memory without a hard limit",
        { memoryBacking: { locked: true } },
        /^memoryBacking\.locked: locked memory needs memtune\.hardLimit/,
    ],
    ["min_guarantee on QEMU", { memtune: { minGuarantee: 256 } }, /^memtune\.minGuarantee: .*drop it/],
    [
        "swap limit below the hard limit",
        { memtune: { hardLimit: 1024, swapHardLimit: 512 } },
        /^memtune\.swapHardLimit: swapHardLimit 512MiB is below hardLimit 1GiB/,
    ],
    [
        "a model of another controller type",
        { devices: { controllers: [{ type: "usb", model: "virtio-scsi" }] } },
        /^devices\.controllers\[0\]\.model: 'virtio-scsi' is not a usb controller model; use one of piix3-uhci/,
    ],
    ["a pci controller without a model", { devices: { controllers: [{ type: "pci" }] } }, /needs a model/],
    [
        "a root port without an index",
        { devices: { controllers: [{ type: "pci", model: "pcie-root-port" }] } },
        /^devices\.controllers\[0\]\.index: a pcie-root-port needs an index from 1/,
    ],
    [
        "a model for sata",
        { devices: { controllers: [{ type: "sata", model: "ich6" }] } },
        /a sata controller has no model/,
    ],
    [
        "two controllers with one index",
        {
            devices: {
                controllers: [
                    { type: "scsi", index: 0, model: "virtio-scsi" },
                    { type: "scsi", index: 0, model: "lsilogic" },
                ],
            },
        },
        /^devices\.controllers\[1\]\.index: scsi controller 0 is already devices\.controllers\[0\]/,
    ],
    [
        "queues on lsilogic",
        { devices: { controllers: [{ type: "scsi", model: "lsilogic", driver: { queues: 2 } }] } },
        /^devices\.controllers\[0\]\.driver\.queues: driver\.queues applies to virtio-scsi controllers only/,
    ],
    [
        "an I/O thread that does not exist",
        { iothreads: 1, devices: { disks: [{ source: file("a"), target: { dev: "vda" }, driver: { iothread: 2 } }] } },
        /^devices\.disks\[0\]\.driver\.iothread: I\/O thread 2 does not exist \(iothreads is 1/,
    ],
    [
        "an I/O thread without iothreads",
        { devices: { controllers: [{ type: "scsi", model: "virtio-scsi", driver: { iothread: 1 } }] } },
        /^devices\.controllers\[0\]\.driver\.iothread: .*set iothreads/,
    ],
    [
        "an I/O thread on a SATA disk",
        {
            iothreads: 1,
            devices: { disks: [{ source: file("a"), target: { dev: "sda", bus: "sata" }, driver: { iothread: 1 } }] },
        },
        /^devices\.disks\[0\]\.driver\.iothread: an I\/O thread serves virtio disks only/,
    ],
    [
        "memnodes without cells",
        { numatune: { memnodes: [{ cellid: 0, mode: "strict", nodeset: "0" }] } },
        /^numatune\.memnodes: .*declare cpu\.numa\.cells/,
    ],
    [
        "a memnode for a missing cell",
        {
            cpu: { numa: { cells: [{ cpus: "0", memory: 512 }] } },
            numatune: { memnodes: [{ cellid: 1, mode: "strict", nodeset: "0" }] },
        },
        /^numatune\.memnodes\[0\]\.cellid: there is no guest NUMA cell 1/,
    ],
    ["maxMemory without cells", { maxMemory: { size: 2048, slots: 2 } }, /^maxMemory: memory hot plug needs/],
    [
        "cells that do not add up to memory",
        { cpu: { numa: { cells: [{ cpus: "0", memory: 256 }] } } },
        /^cpu\.numa\.cells: the cells hold 256MiB in total but memory is 512MiB/,
    ],
    [
        "a cell id out of order",
        { cpu: { numa: { cells: [{ id: 2, cpus: "0", memory: 512 }] } } },
        /^cpu\.numa\.cells\[0\]\.id: cell ids must be 0 to 0/,
    ],
    [
        "a cell with a vCPU beyond the maximum",
        { vcpu: 2, cpu: { numa: { cells: [{ cpus: "0-2", memory: 512 }] } } },
        /^cpu\.numa\.cells\[0\]\.cpus: vCPU 2 does not exist/,
    ],
    [
        "a vCPU in two cells",
        {
            vcpu: 2,
            cpu: {
                numa: {
                    cells: [
                        { cpus: "0-1", memory: 256 },
                        { cpus: "1", memory: 256 },
                    ],
                },
            },
        },
        /^cpu\.numa\.cells\[1\]\.cpus: vCPU 1 is already in cell 0/,
    ],
    [
        "a distance to itself other than 10",
        { cpu: { numa: { cells: [{ cpus: "0", memory: 512, distances: [{ id: 0, value: 20 }] }] } } },
        /distances\[0\]\.value: a cell's distance to itself is 10/,
    ],
    [
        "vcpus not listing every vCPU",
        { vcpu: 2, vcpus: [{ id: 0, enabled: true }] },
        /^vcpus: list every vCPU: 1 entries for vcpu\.maximum 2/,
    ],
    [
        "vcpus enabling more than current",
        {
            vcpu: { maximum: 2, current: 1 },
            vcpus: [
                { id: 0, enabled: true, hotpluggable: false },
                { id: 1, enabled: true, hotpluggable: true },
            ],
        },
        /^vcpus: 2 vCPUs are enabled but vcpu\.current is 1/,
    ],
    [
        "a hotpluggable vCPU 0",
        {
            vcpu: 2,
            vcpus: [
                { id: 0, enabled: true, hotpluggable: true },
                { id: 1, enabled: true, hotpluggable: true },
            ],
        },
        /^vcpus\[0\]: vCPU 0 must be enabled and not hotpluggable/,
    ],
    [
        "a disabled vCPU that is not hotpluggable",
        {
            vcpu: { maximum: 2, current: 1 },
            vcpus: [
                { id: 0, enabled: true },
                { id: 1, enabled: false, hotpluggable: false },
            ],
        },
        /^vcpus\[1\]\.hotpluggable: a vCPU that is off at start must be hotpluggable/,
    ],
    [
        "DIMMs without maxMemory",
        { devices: { memories: [{ size: 256 }] } },
        /^devices\.memories: DIMMs plug into the slots of maxMemory/,
    ],
    [
        "more DIMMs than slots",
        {
            memory: 1024,
            maxMemory: { size: 2048, slots: 1 },
            cpu: { numa: { cells: [{ cpus: "0", memory: 512 }] } },
            devices: { memories: [{ size: 256 }, { size: 256 }] },
        },
        /^devices\.memories: 2 DIMMs for 1 slots/,
    ],
    [
        "memory that leaves out the DIMMs",
        {
            memory: 1024,
            maxMemory: { size: 2048, slots: 1 },
            cpu: { numa: { cells: [{ cpus: "0", memory: 512 }] } },
            devices: { memories: [{ size: 256 }] },
        },
        /^cpu\.numa\.cells: the cells hold 512MiB in total and the DIMMs 256MiB but memory is 1GiB/,
    ],
    [
        "a DIMM of part of a MiB",
        {
            memory: "1048064KiB",
            maxMemory: { size: 2048, slots: 1 },
            cpu: { numa: { cells: [{ cpus: "0", memory: 512 }] } },
            devices: { memories: [{ size: "523776KiB" }] },
        },
        /^devices\.memories\[0\]\.size: .* is not a whole number of MiB/,
    ],
    [
        "a DIMM on a missing cell",
        {
            memory: 768,
            maxMemory: { size: 2048, slots: 1 },
            cpu: { numa: { cells: [{ cpus: "0", memory: 512 }] } },
            devices: { memories: [{ size: 256, node: 1 }] },
        },
        /^devices\.memories\[0\]\.node: there is no guest NUMA cell 1/,
    ],
    [
        "vhost on an e1000 NIC",
        { devices: { interfaces: [{ source: { network: "default" }, model: "e1000", driver: { name: "vhost" } }] } },
        /^devices\.interfaces\[0\]\.driver\.name: driver\.name applies to virtio NICs only \(model is 'e1000'\); set model: "virtio"/,
    ],
    [
        "queues on a NIC without a model",
        { devices: { interfaces: [{ source: { network: "default" }, driver: { queues: 2 } }] } },
        /^devices\.interfaces\[0\]\.driver\.queues: .*model is not set/,
    ],
];

for (const [label, fields, expected] of refusals) {
    test(`check refuses ${label}`, () => {
        const found = failures(fields);
        assert.ok(
            found.some((f) => expected.test(f)),
            `expected ${expected}, got:\n${found.join("\n") || "(accepted)"}`,
        );
    });
}

test("ICH9 USB companion controllers may share their master's index", () => {
    const companions = ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"].map((model) => ({
        type: "usb" as const,
        index: 0,
        model,
    }));
    assert.deepEqual(failures({ devices: { controllers: companions } }), []);
});

test("every accepted case above passes check", () => {
    for (const [label, fields] of cases) assert.deepEqual(failures(fields), [], label);
});

// --- change classes ------------------------------------------------------------------------------

function strongest(from: Partial<DomainArgs>, to: Partial<DomainArgs>): ChangeClass | undefined {
    const changes = classifyChanges("domain", parse(from), parse(to));
    assert.ok(changes.length > 0, "something changed");
    return strongestClass(changes);
}

const hotpluggable = (current: number): Partial<DomainArgs> => ({
    vcpu: { maximum: 2, current },
    vcpus: [
        { id: 0, enabled: true, hotpluggable: false },
        { id: 1, enabled: current === 2, hotpluggable: true },
    ],
});

const dimms = (memory: number, sizes: number[], cell = 512): Partial<DomainArgs> => ({
    memory,
    maxMemory: { size: 2048, slots: 2 },
    cpu: { numa: { cells: [{ cpus: "0", memory: cell }] } },
    devices: { memories: sizes.map((size) => ({ size })) },
});

const changeClasses: Array<[string, ChangeClass, Partial<DomainArgs>, Partial<DomainArgs>]> = [
    ["one vCPU fewer with hotpluggable vCPUs", "live", hotpluggable(2), hotpluggable(1)],
    [
        "a vCPU made hotpluggable",
        "restart",
        {
            vcpu: 2,
            vcpus: [
                { id: 0, enabled: true },
                { id: 1, enabled: true },
            ],
        },
        {
            vcpu: 2,
            vcpus: [
                { id: 0, enabled: true },
                { id: 1, enabled: true, hotpluggable: true },
            ],
        },
    ],
    ["a DIMM appended, memory grown by its size", "live", dimms(512, []), dimms(768, [256])],
    ["a DIMM appended while a cell shrinks", "restart", dimms(768, [256]), dimms(1024, [256, 512], 256)],
    ["a DIMM removed", "restart", dimms(768, [256]), dimms(512, [])],
    ["a controller added", "restart", {}, { devices: { controllers: [{ type: "scsi", model: "virtio-scsi" }] } }],
    ["a memory limit", "restart", {}, { memtune: { softLimit: 256 } }],
    ["I/O threads", "restart", {}, { iothreads: 2 }],
    [
        "NUMA cells",
        "restart",
        {},
        {
            vcpu: 2,
            cpu: {
                numa: {
                    cells: [
                        { cpus: "0", memory: 256 },
                        { cpus: "1", memory: 256 },
                    ],
                },
            },
        },
    ],
];

for (const [label, expected, from, to] of changeClasses) {
    test(`change class: ${label} is ${expected}`, () => {
        assert.equal(strongest(from, to), expected);
    });
}
