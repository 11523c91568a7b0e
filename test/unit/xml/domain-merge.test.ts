/**
 * mergeDomain: only what the model manages changes; the UUID, generated MACs, PCI addresses,
 * aliases, undeclared devices and unmodelled elements and attributes survive.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type DomainArgs, domainSchema } from "../../../provider/model/domain";
import { domainFromXml, mergeDomain, unmodelledParts } from "../../../provider/xml/domain";
import { child, children, parseTree, textOf, type XElement } from "../../../provider/xml/tree";
import { relaxngFailures } from "./domain-relaxng";

/** A definition as libvirt 9.0 prints it back (inactive XML), with the extras libvirt adds. */
const current = `<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>lab1</name>
  <uuid>6b1f9a36-6f2e-4f4e-9a51-4b1c0e0c2f11</uuid>
  <metadata>
    <app:note xmlns:app='http://example.org/app'>kept</app:note>
  </metadata>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <resource>
    <partition>/machine</partition>
  </resource>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <cpu mode='host-model' check='partial'/>
  <clock offset='utc'>
    <timer name='rtc' tickpolicy='catchup'/>
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' copy_on_read='on'/>
      <source file='/var/lib/libvirt/images/lab1.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <controller type='usb' index='0' model='qemu-xhci' ports='15'>
      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
    </controller>
    <controller type='pci' index='0' model='pcie-root'/>
    <interface type='network'>
      <mac address='52:54:00:6a:3c:01'/>
      <source network='default'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <interface type='user'>
      <mac address='52:54:00:6a:3c:02'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <target type='isa-serial' port='0'>
        <model name='isa-serial'/>
      </target>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <input type='tablet' bus='usb'>
      <address type='usb' bus='0' port='1'/>
    </input>
    <input type='mouse' bus='ps2'/>
    <input type='keyboard' bus='ps2'/>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <redirdev bus='usb' type='spicevmc'/>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0'/>
    </memballoon>
  </devices>
  <seclabel type='dynamic' model='dac' relabel='yes'/>
  <qemu:commandline>
    <qemu:arg value='-no-hpet'/>
  </qemu:commandline>
</domain>
`;

const declared: DomainArgs = {
    name: "lab1",
    memory: 1024,
    vcpu: 2,
    os: { machine: "q35" },
    cpu: { mode: "host-model" },
    devices: {
        disks: [
            { source: { file: "/var/lib/libvirt/images/lab1.qcow2" }, target: { dev: "vda", bus: "virtio" } },
            { device: "cdrom", target: { dev: "sda", bus: "sata" } },
        ],
        interfaces: [{ source: { network: "default" }, model: "virtio" }],
        graphics: [{ type: "vnc" }],
        inputs: [{ type: "tablet", bus: "usb" }],
    },
};

const parse = (args: DomainArgs) => domainSchema.parse(args);
const devicesOf = (xml: string) => child(parseTree(xml, "domain"), "devices")!;
const named = (devices: XElement, name: string) => children(devices, name);

test("a model read against its own document compares equal (no drift)", () => {
    const model = parse(declared);
    const { autostart: _a, running: _r, ...expected } = model;
    assert.deepEqual(domainFromXml(current, { like: model }), expected);
});

test("merging an unchanged model changes nothing", () => {
    assert.deepEqual(parseTree(mergeDomain(current, parse(declared)), "domain"), parseTree(current, "domain"));
});

test("a merge keeps the UUID, the generated MAC, PCI addresses, metadata and undeclared parts", () => {
    const merged = mergeDomain(current, parse({ ...declared, memory: 2048 }));
    const root = parseTree(merged, "domain");
    assert.equal(textOf(child(root, "uuid")), "6b1f9a36-6f2e-4f4e-9a51-4b1c0e0c2f11");
    assert.equal(child(child(root, "memory"), "x"), undefined);
    assert.equal(textOf(child(root, "memory")), "2097152");
    assert.equal(child(root, "currentMemory"), undefined, "current memory follows memory when not declared");
    const devices = child(root, "devices")!;
    const nic = named(devices, "interface")[0]!;
    assert.equal(child(nic, "mac")?.attrs.address, "52:54:00:6a:3c:01");
    assert.equal(child(nic, "address")?.attrs.bus, "0x01");
    assert.equal(named(devices, "interface")[1]?.attrs.type, "user", "an unmodelled NIC is kept");
    assert.equal(child(named(devices, "disk")[0], "driver")?.attrs.copy_on_read, "on");
    assert.equal(named(devices, "controller").length, 2);
    assert.equal(named(devices, "redirdev").length, 1);
    assert.equal(named(devices, "input").length, 3, "the implicit PS/2 devices stay");
    assert.equal(named(devices, "console").length, 1, "the serial console stays");
    assert.ok(child(root, "metadata"));
    assert.ok(child(root, "seclabel"));
    assert.ok(child(root, "qemu:commandline"));
    assert.equal(child(root, "resource") !== undefined, true);
});

test("hot-plugging a disk adds only that disk; the others keep their addresses", () => {
    const args = structuredClone(declared);
    args.devices!.disks!.push({ source: { file: "/var/lib/libvirt/images/data.qcow2" }, target: { dev: "vdb" } });
    const devices = devicesOf(mergeDomain(current, parse(args)));
    const disks = named(devices, "disk");
    assert.equal(disks.length, 3);
    assert.equal(child(disks[0], "address")?.attrs.bus, "0x04");
    assert.equal(child(disks[2], "target")?.attrs.dev, "vdb");
    assert.equal(child(disks[2], "address"), undefined, "libvirt assigns the new disk's address");
});

test("removing a disk removes that disk only, matched by target dev", () => {
    const args = structuredClone(declared);
    args.devices!.disks!.splice(0, 1);
    const disks = named(devicesOf(mergeDomain(current, parse(args))), "disk");
    assert.deepEqual(
        disks.map((d) => child(d, "target")?.attrs.dev),
        ["sda"],
    );
    assert.equal(child(disks[0], "address")?.attrs.type, "drive");
});

test("inserting cdrom media keeps the drive's address", () => {
    const args = structuredClone(declared);
    args.devices!.disks![1] = {
        device: "cdrom",
        source: { file: "/iso/debian.iso" },
        target: { dev: "sda", bus: "sata" },
    };
    const cdrom = named(devicesOf(mergeDomain(current, parse(args))), "disk")[1]!;
    assert.equal(child(cdrom, "source")?.attrs.file, "/iso/debian.iso");
    assert.equal(child(cdrom, "address")?.attrs.type, "drive");
    assert.ok(child(cdrom, "readonly"));
});

test("NICs are matched by MAC when declared, else in order; link state changes in place", () => {
    const args = structuredClone(declared);
    args.devices!.interfaces = [
        { source: { network: "lab" }, model: "virtio", mac: "52:54:00:00:00:99" },
        { source: { network: "default" }, model: "virtio", mac: "52:54:00:6a:3c:01", linkUp: false },
    ];
    const nics = named(devicesOf(mergeDomain(current, parse(args))), "interface");
    const byMac = (mac: string) => nics.find((n) => child(n, "mac")?.attrs.address === mac)!;
    assert.equal(child(byMac("52:54:00:6a:3c:01"), "link")?.attrs.state, "down");
    assert.equal(child(byMac("52:54:00:6a:3c:01"), "address")?.attrs.bus, "0x01");
    assert.equal(child(byMac("52:54:00:00:00:99"), "source")?.attrs.network, "lab");
    assert.equal(nics.filter((n) => n.attrs.type === "user").length, 1);
});

test("an undeclared device list is not managed; a declared empty list removes that kind", () => {
    const args = structuredClone(declared);
    delete args.devices!.interfaces;
    args.devices!.graphics = [];
    const devices = devicesOf(mergeDomain(current, parse(args)));
    assert.equal(named(devices, "interface").length, 2);
    assert.equal(named(devices, "graphics").length, 0);
});

test("fields left out are kept, unless the previous model set them", () => {
    const withTitle = parse({ ...declared, title: "old", features: { acpi: true, apic: true } });
    const withoutTitle = parse(declared);
    const titled = mergeDomain(current, withTitle);
    assert.equal(textOf(child(parseTree(titled, "domain"), "title")), "old");
    assert.equal(textOf(child(parseTree(mergeDomain(titled, withoutTitle), "domain"), "title")), "old");
    assert.equal(child(parseTree(mergeDomain(titled, withoutTitle, withTitle), "domain"), "title"), undefined);
    assert.equal(child(parseTree(mergeDomain(titled, withoutTitle, withTitle), "domain"), "features"), undefined);
});

test("changing the CPU mode keeps the CPU's unmodelled children", () => {
    const xml = current.replace(
        "<cpu mode='host-model' check='partial'/>",
        "<cpu mode='host-model'><numa><cell id='0' cpus='0-1' memory='1048576' unit='KiB'/></numa></cpu>",
    );
    const merged = mergeDomain(xml, parse({ ...declared, cpu: { mode: "custom", model: "Haswell" } }));
    const cpu = child(parseTree(merged, "domain"), "cpu")!;
    assert.equal(cpu.attrs.mode, "custom");
    assert.equal(textOf(child(cpu, "model")), "Haswell");
    assert.ok(child(cpu, "numa"));
});

test("merged documents validate against domain.rng", () => {
    const args = structuredClone(declared);
    args.devices!.disks!.push({ source: { pool: "default", volume: "x.qcow2" }, target: { dev: "vdc" } });
    args.devices!.interfaces!.push({ source: { bridge: "br0" } });
    const documents = new Map([
        ["unchanged", mergeDomain(current, parse(declared))],
        ["grown", mergeDomain(current, parse(args))],
    ]);
    assert.deepEqual(relaxngFailures(documents), {});
});

test("the parts a merge keeps without managing them are listed", () => {
    assert.deepEqual(unmodelledParts(current), [
        "metadata",
        "resource",
        "seclabel",
        "qemu:commandline",
        "devices/interface[1]: interface type 'user'",
        "devices/redirdev[0]",
    ]);
});

test("a new vCPU maximum without a declared current count brings every vCPU online", () => {
    const xml = current.replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static' current='1'>2</vcpu>");
    const vcpu = child(parseTree(mergeDomain(xml, parse({ ...declared, vcpu: 4 })), "domain"), "vcpu")!;
    assert.equal(textOf(vcpu), "4");
    assert.equal(vcpu.attrs.current, undefined);
    const unchanged = child(parseTree(mergeDomain(xml, parse(declared)), "domain"), "vcpu")!;
    assert.equal(unchanged.attrs.current, "1", "an unchanged maximum keeps the live count");
});

test("removing the first of two NICs without MACs removes that NIC, not its neighbour's identity", () => {
    const xml = current.replace(
        "<interface type='user'>",
        "<interface type='bridge'><mac address='52:54:00:6a:3c:03'/><source bridge='br0'/><model type='virtio'/></interface><interface type='user'>",
    );
    const args = structuredClone(declared);
    args.devices!.interfaces = [{ source: { bridge: "br0" }, model: "virtio" }];
    const nics = named(devicesOf(mergeDomain(xml, parse(args))), "interface");
    assert.deepEqual(
        nics.map((n) => child(n, "mac")?.attrs.address),
        ["52:54:00:6a:3c:03", "52:54:00:6a:3c:02"],
    );
});

test("a CPU mode change away from host-passthrough drops the migratable attribute libvirt added", () => {
    const passthrough = current.replace(
        "<cpu mode='host-model' check='partial'/>",
        "<cpu mode='host-passthrough' check='none' migratable='on'/>",
    );
    const cpuOf = (xml: string) => child(parseTree(xml, "domain"), "cpu")!;
    const toModel = cpuOf(mergeDomain(passthrough, parse({ ...declared, cpu: { mode: "host-model" } })));
    assert.equal(toModel.attrs.mode, "host-model");
    assert.equal(toModel.attrs.migratable, undefined);
    const toMaximum = cpuOf(mergeDomain(passthrough, parse({ ...declared, cpu: { mode: "maximum" } })));
    assert.equal(toMaximum.attrs.migratable, "on", "maximum takes the attribute: libvirt's value is kept");
});
