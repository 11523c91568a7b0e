/**
 * `<domainsnapshot>` documents: what libvirt 9.0 describes reads into the model with the recorded
 * domain kept verbatim and writes back equal; a redefine writes its change onto libvirt's own
 * description; the documents a create sends validate against libvirt's RelaxNG schema.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { domainSnapshotSchema } from "../../../provider/model/snapshot";
import { snapshotFromXml, snapshotToXml, withSnapshotDescription } from "../../../provider/xml/snapshot";
import { isElement, parseTree, serializeTree } from "../../../provider/xml/tree";
import { assertValidXml } from "./relaxng";

/** Shaped like `virsh snapshot-dumpxml` of libvirt 9.0 for an external snapshot with memory (domain shortened). */
const DESCRIBED = `<domainsnapshot>
  <name>before-upgrade</name>
  <description>taken &lt;before&gt; the upgrade
second line</description>
  <state>running</state>
  <parent>
    <name>fresh</name>
  </parent>
  <creationTime>1796620636</creationTime>
  <memory snapshot='external' file='/var/lib/libvirt/images//vm1.mem'/>
  <disks>
    <disk name='vda' snapshot='external' type='file'>
      <driver type='qcow2'/>
      <source file='/var/lib/libvirt/images/vm1.before-upgrade'/>
    </disk>
    <disk name='vdb' snapshot='external' type='block'>
      <driver type='qcow2'><metadata_cache><max_size unit='KiB'>1024</max_size></metadata_cache></driver>
      <source dev='/dev/vg0/vm1-overlay'/>
    </disk>
    <disk name='hdc' snapshot='no'/>
  </disks>
  <domain type='qemu'>
    <name>vm1</name>
    <uuid>961e28d2-0ebb-4f1c-84c3-ef16476ba93f</uuid>
    <memory unit='KiB'>131072</memory>
    <os><type arch='x86_64'>hvm</type></os>
  </domain>
  <active>1</active>
  <cookie>
    <cpu mode='custom' match='exact' check='full'><model fallback='forbid'>qemu64</model></cpu>
  </cookie>
</domainsnapshot>`;

test("a snapshot as libvirt describes it reads into the model, the recorded domain kept verbatim", () => {
    const model = snapshotFromXml(DESCRIBED);
    assert.equal(model.name, "before-upgrade");
    assert.equal(model.description, "taken <before> the upgrade\nsecond line");
    assert.equal(model.state, "running");
    assert.equal(model.parent, "fresh");
    assert.equal(model.creationTime, 1796620636);
    assert.deepEqual(model.memory, { snapshot: "external", file: "/var/lib/libvirt/images/vm1.mem" });
    assert.deepEqual(model.disks?.[0], {
        name: "vda",
        snapshot: "external",
        type: "file",
        driverType: "qcow2",
        source: "/var/lib/libvirt/images/vm1.before-upgrade",
    });
    // A driver with more than a type stays unread, in the disk's extra, so nothing is lost.
    assert.equal(model.disks?.[1]?.source, "/dev/vg0/vm1-overlay");
    assert.equal(model.disks?.[1]?.driverType, undefined);
    assert.equal(model.disks?.[1]?.extra?.elements?.[0]?.name, "driver");
    assert.deepEqual(model.disks?.[2], { name: "hdc", snapshot: "no" });
    assert.deepEqual(
        model.extra?.elements?.map((element) => element.name),
        ["domain", "active", "cookie"],
    );
    // The reader's model is a valid model.
    assert.equal(domainSnapshotSchema.safeParse(model).success, true);
});

test("written back and read again, the document is the same model", () => {
    const model = snapshotFromXml(DESCRIBED);
    const written = snapshotToXml(model);
    assert.deepEqual(snapshotFromXml(written), model);
    assert.match(written, /<source dev="\/dev\/vg0\/vm1-overlay"\/>/);
    assert.match(written, /<max_size unit="KiB">1024<\/max_size>/);
    assert.match(written, /<uuid>961e28d2-0ebb-4f1c-84c3-ef16476ba93f<\/uuid>/);
});

test("a description change is written onto libvirt's description; everything else goes back as it was", () => {
    const others = (xml: string) =>
        parseTree(xml, "domainsnapshot")
            .children.filter(isElement)
            .filter((element) => element.name !== "description")
            .map((element) => serializeTree(element));
    const changed = withSnapshotDescription(DESCRIBED, "after <the> change");
    assert.equal(snapshotFromXml(changed).description, "after <the> change");
    assert.deepEqual(others(changed), others(DESCRIBED));
    assert.match(changed, /<memory snapshot="external" file="\/var\/lib\/libvirt\/images\/\/vm1.mem"\/>/);
    const removed = withSnapshotDescription(DESCRIBED, undefined);
    assert.equal(snapshotFromXml(removed).description, undefined);
    assert.deepEqual(others(removed), others(DESCRIBED));
    const { description: _gone, ...rest } = snapshotFromXml(DESCRIBED);
    assert.deepEqual(snapshotFromXml(removed), rest);
    const added = withSnapshotDescription(withSnapshotDescription(DESCRIBED, undefined), "new");
    assert.deepEqual(
        parseTree(added, "domainsnapshot")
            .children.filter(isElement)
            .slice(0, 2)
            .map((element) => element.name),
        ["name", "description"],
    );
});

test("the documents a create sends validate against domainsnapshot.rng", () => {
    const documents = {
        internal: { name: "s1", description: "with <markup> & quotes \"'" },
        "internal, one disk left out": { name: "s2", disks: [{ name: "vdb", snapshot: "no" as const }] },
        "external disk-only with an overlay path": {
            name: "s3",
            memory: { snapshot: "no" as const },
            disks: [{ name: "vda", snapshot: "external" as const, type: "file" as const, source: "/images/vm.s3" }],
        },
        "external with memory": {
            name: "s4",
            memory: { snapshot: "external" as const, file: "/images/vm-s4.mem" },
        },
    };
    for (const [label, document] of Object.entries(documents)) {
        const xml = snapshotToXml(domainSnapshotSchema.parse(document));
        assertValidXml(xml, "domainSnapshot", label);
        assert.deepEqual(snapshotFromXml(xml), domainSnapshotSchema.parse(document), label);
    }
});

test("values libvirt never writes are refused with the element named", () => {
    assert.throws(
        () => snapshotFromXml("<domainsnapshot><name>a</name><state>asleep</state></domainsnapshot>"),
        /<state>/,
    );
    assert.throws(() => snapshotFromXml("<domainsnapshot><state>running</state></domainsnapshot>"), /no <name>/);
    assert.throws(() => snapshotFromXml("<snapshot><name>a</name></snapshot>"), /<domainsnapshot>/);
    assert.throws(
        () => snapshotFromXml("<domainsnapshot><name>a</name><creationTime>soon</creationTime></domainsnapshot>"),
        /creationTime/,
    );
});
