/**
 * domainFromXml against what libvirt really prints: the inactive and the live XML of a running
 * guest read back as the declared model (zero drift), and real differences still show.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Domain, type DomainArgs, domainSchema } from "../../../provider/model/domain";
import { domainFromXml } from "../../../provider/xml/domain";

const declared: DomainArgs = {
    name: "lab2",
    type: "qemu",
    memory: "1GiB",
    vcpu: { maximum: 4, current: 2, cpuset: "0-3,^2" },
    cpu: { mode: "host-model" },
    features: { acpi: true, pae: false },
    os: { machine: "q35", firmware: "efi" },
    devices: {
        disks: [
            {
                source: { file: "/var/lib/libvirt/images/lab2.qcow2" },
                target: { dev: "vda" },
                driver: { type: "qcow2" },
            },
        ],
        interfaces: [{ source: { network: "default" }, model: "virtio" }],
        graphics: [{ type: "vnc" }],
        serials: [{ type: "pty" }],
        inputs: [{ type: "tablet", bus: "usb" }],
    },
};

/** The live XML of that guest while it runs, as libvirt 9.0 shows it. */
const live = `<domain type='qemu' id='7'>
  <name>lab2</name>
  <uuid>0f3c2d6e-49d5-4c38-9b53-6d0f5ac1d8a2</uuid>
  <memory unit='GiB'>1</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static' cpuset='0-1,3' current='2'>4</vcpu>
  <resource><partition>/machine</partition></resource>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <firmware><feature enabled='no' name='enrolled-keys'/><feature enabled='no' name='secure-boot'/></firmware>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>/var/lib/libvirt/qemu/nvram/lab2_VARS.fd</nvram>
    <boot dev='hd'/>
  </os>
  <features><acpi/></features>
  <cpu mode='custom' match='exact' check='full'>
    <model fallback='forbid'>Skylake-Client-IBRS</model>
    <vendor>Intel</vendor>
    <feature policy='require' name='ss'/>
    <feature policy='disable' name='hle'/>
  </cpu>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/lab2.qcow2' index='1'/>
      <backingStore/>
      <target dev='vda' bus='virtio'/>
      <alias name='virtio-disk0'/>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </disk>
    <controller type='pcie-root-port' index='1' model='pcie-root-port'>
      <target chassis='1' port='0x10'/><alias name='pci.1'/>
    </controller>
    <interface type='network'>
      <mac address='52:54:00:1b:7e:4d'/>
      <source network='default' portid='1c3c8d44-47ce-4d1b-a0a6-6d2d1e8f7a10' bridge='virbr0'/>
      <target dev='vnet16'/>
      <model type='virtio'/>
      <alias name='net0'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <serial type='pty'>
      <source path='/dev/pts/3'/>
      <target type='isa-serial' port='0'><model name='isa-serial'/></target>
      <alias name='serial0'/>
    </serial>
    <console type='pty' tty='/dev/pts/3'>
      <source path='/dev/pts/3'/>
      <target type='serial' port='0'/>
      <alias name='serial0'/>
    </console>
    <input type='tablet' bus='usb'><alias name='input0'/></input>
    <input type='mouse' bus='ps2'><alias name='input1'/></input>
    <input type='keyboard' bus='ps2'><alias name='input2'/></input>
    <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <memballoon model='virtio'><alias name='balloon0'/></memballoon>
  </devices>
  <seclabel type='dynamic' model='dac' relabel='yes'>
    <label>+0:+0</label><imagelabel>+0:+0</imagelabel>
  </seclabel>
</domain>`;

const model = domainSchema.parse(declared);
const { autostart: _autostart, running: _running, ...expected } = model as Domain;

test("the live XML of a running guest reads back as the declared model", () => {
    assert.deepEqual(domainFromXml(live, { like: model }), expected);
});

test("without the declared model, the reading holds what libvirt generated", () => {
    const full = domainFromXml(live);
    assert.equal(full.devices.interfaces?.[0]?.mac, "52:54:00:1b:7e:4d");
    assert.equal(full.devices.interfaces?.[0]?.targetDev, "vnet16");
    assert.equal(full.os.machine, "pc-q35-7.2");
    assert.equal(full.cpu?.mode, "custom");
    assert.equal(full.memory, 1024 ** 3, "units become bytes");
    assert.equal(full.vcpu.cpuset, "0-1,3", "cpusets are canonical");
    assert.equal(full.devices.inputs?.length, 3);
});

test("a MAC or target name the user declared is compared", () => {
    const pinned = domainSchema.parse({
        ...declared,
        devices: {
            ...declared.devices,
            interfaces: [{ source: { network: "default" }, model: "virtio", mac: "52:54:00:00:00:01" }],
        },
    });
    const read = domainFromXml(live, { like: pinned });
    assert.equal(read.devices.interfaces?.[0]?.mac, "52:54:00:1b:7e:4d");
    assert.notDeepEqual(read, pinned);
});

test("real drift shows: memory, vCPUs and a removed disk", () => {
    const changed = live
        .replace("<memory unit='GiB'>1</memory>", "<memory unit='GiB'>2</memory>")
        .replace("current='2'>4<", "current='3'>4<")
        .replace(/<disk type='file' device='disk'>[\s\S]*?<\/disk>/, "");
    const read = domainFromXml(changed, { like: model });
    assert.equal(read.memory, 2 * 1024 ** 3);
    assert.equal(read.vcpu.current, 3);
    assert.equal(read.devices.disks, undefined);
});

test("a current vCPU count equal to the maximum reads as unset (libvirt drops it), and as declared against a declaration that spells it out", () => {
    const spelled = live.replace("current='2'>4<", "current='4'>4<");
    assert.equal(domainFromXml(spelled).vcpu.current, undefined);
    assert.equal(domainFromXml(spelled).vcpu.maximum, 4);
    const dropped = live.replace(" current='2'>4<", ">4<");
    const four = domainSchema.parse({ ...declared, vcpu: { maximum: 4, current: 4, cpuset: "0-3,^2" } });
    assert.equal(domainFromXml(dropped, { like: four }).vcpu.current, 4);
    assert.equal(domainFromXml(spelled, { like: four }).vcpu.current, 4);
    // Another count still shows against that declaration.
    assert.equal(domainFromXml(live, { like: four }).vcpu.current, 2);
});

test("sizes in every libvirt unit read as bytes", () => {
    const units: Array<[string, string, number]> = [
        ["b", "1073741824", 1024 ** 3],
        ["bytes", "1073741824", 1024 ** 3],
        ["KiB", "1048576", 1024 ** 3],
        ["k", "1048576", 1024 ** 3],
        ["MiB", "1024", 1024 ** 3],
        ["M", "1024", 1024 ** 3],
        ["GiB", "1", 1024 ** 3],
        ["G", "1", 1024 ** 3],
        ["MB", "1000", 1000 ** 2 * 1000],
    ];
    for (const [unit, value, bytes] of units) {
        const xml = live.replace("<memory unit='GiB'>1</memory>", `<memory unit='${unit}'>${value}</memory>`);
        assert.equal(domainFromXml(xml).memory, bytes, unit);
    }
    assert.equal(
        domainFromXml(live.replace("<memory unit='GiB'>1</memory>", "<memory>1048576</memory>")).memory,
        1024 ** 3,
    );
});

test("documents the provider cannot manage are refused with a reason", () => {
    assert.throws(() => domainFromXml(live.replace("type='qemu' id='7'", "type='xen'")), /domain type 'xen'/);
    assert.throws(() => domainFromXml("<network><name>x</name></network>"), /expected a <domain> document/);
    assert.throws(() => domainFromXml(live.replace(/<memory[^>]*>1<\/memory>/, "")), /no readable <memory>/);
});

test("escaped names and descriptions read back verbatim", () => {
    const xml = live
        .replace(
            "<name>lab2</name>",
            "<name>a&lt;b&amp;c&quot;]]&gt;</name><description>x &lt;y&gt; &amp; ]]&gt;\nz</description>",
        )
        .replace("<uuid>", "<title>T&amp;T</title><uuid>");
    const read = domainFromXml(xml);
    assert.equal(read.name, 'a<b&c"]]>');
    assert.equal(read.description, "x <y> & ]]>\nz");
    assert.equal(read.title, "T&T");
});

/** A minimal libvirt document around `inner`, live when `id` is given. */
const doc = (inner: string, id?: number) =>
    `<domain type='qemu'${id === undefined ? "" : ` id='${id}'`}><name>rw</name><memory unit='KiB'>131072</memory>${inner}</domain>`;

test("defaults libvirt drops from the inactive XML read back as declared", () => {
    const model = domainSchema.parse({
        name: "rw",
        type: "qemu",
        memory: 128,
        numatune: { memory: { mode: "strict", nodeset: "0", placement: "static" } },
        memoryBacking: { hugepages: [{ size: "2MiB", nodeset: "0" }] },
        devices: { disks: [{ source: { file: "/i.raw" }, target: { dev: "vda" }, driver: { cache: "default" } }] },
    });
    const xml = doc(`<numatune><memory mode='strict' nodeset='0'/></numatune>
        <memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages></memoryBacking>
        <devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/i.raw'/>
        <target dev='vda' bus='virtio'/></disk></devices>`);
    assert.deepEqual(domainFromXml(xml, { like: model }), model);
    // A different nodeset or cache mode is still drift.
    const other = xml.replace("nodeset='0'", "nodeset='1'").replace("type='raw'/>", "type='raw' cache='none'/>");
    assert.notDeepEqual(domainFromXml(other, { like: model }), model);
});

test("what libvirt resolves at start reads back as declared from the live XML only", () => {
    const model = domainSchema.parse({
        name: "rw",
        type: "qemu",
        memory: 128,
        cpu: { mode: "custom", model: "qemu64", check: "partial", features: [{ name: "x2apic", policy: "optional" }] },
        clock: { offset: "variable", adjustment: -60, basis: "localtime" },
        os: { machine: "q35", firmware: "efi" },
        devices: { graphics: [{ type: "vnc", websocket: -1 }] },
    });
    const inner = `<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
        <loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader></os>
        <cpu mode='custom' match='exact' check='full'><model fallback='forbid'>qemu64</model>
        <feature policy='disable' name='x2apic'/><feature policy='require' name='hypervisor'/></cpu>
        <clock offset='variable' adjustment='-60' basis='utc'/>
        <devices><graphics type='vnc' port='5900' autoport='yes' websocket='5700' listen='127.0.0.1'>
        <listen type='address' address='127.0.0.1'/></graphics></devices>`;
    assert.deepEqual(domainFromXml(doc(inner, 3), { like: model }), model);
    // The same values in the persistent configuration are real changes.
    const inactive = domainFromXml(doc(inner), { like: model });
    assert.equal(inactive.os.firmware, undefined);
    assert.equal(inactive.clock?.basis, "utc");
    assert.equal(inactive.devices.graphics?.[0]?.websocket, 5700);
    assert.equal(inactive.cpu?.check, "full");
});
