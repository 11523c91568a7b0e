/**
 * A disk under an external snapshot's overlay (the table in domain-xml-disk-readback): libvirt's
 * definition has the overlay as the source and the declared image in its `<backingStore>` chain.
 * Read against the declaration it is the declared disk (no change); a merge keeps the overlay and
 * its chain; a declared source outside the chain is a change, written with the old chain dropped.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyChanges } from "../../../provider/model/change-policy";
import { type DomainArgs, domainSchema } from "../../../provider/model/domain";
import { domainFromXml, mergeDomain } from "../../../provider/xml/domain";
import { child, children, parseTree } from "../../../provider/xml/tree";

const BASE = "/images/base.qcow2";
const MIDDLE = "/images/older.qcow2";
const OVERLAY = "/images/newer.qcow2";

/** The inactive XML of a running guest after two external snapshots, as libvirt 9.0 writes it. */
const afterSnapshots = `<domain type='qemu'>
  <name>snapped</name>
  <uuid>0b7c4a52-4d8e-4c5e-9d9f-2f1c1a0e6b21</uuid>
  <memory unit='KiB'>65536</memory>
  <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${OVERLAY}'/>
      <backingStore type='file'>
        <format type='qcow2'/>
        <source file='${MIDDLE}'/>
        <backingStore type='file'>
          <format type='qcow2'/>
          <source file='${BASE}'/>
        </backingStore>
      </backingStore>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>`;

function declared(file: string, description?: string) {
    const args: DomainArgs = {
        name: "snapped",
        type: "qemu",
        memory: 64,
        description,
        devices: { disks: [{ source: { file }, target: { dev: "vda", bus: "virtio" }, driver: { type: "qcow2" } }] },
    };
    return domainSchema.parse(args);
}

function diskOf(xml: string) {
    return children(child(parseTree(xml, "domain"), "devices"), "disk")[0]!;
}

function chainOf(xml: string): string[] {
    const files: string[] = [];
    let element = child(diskOf(xml), "backingStore");
    while (element !== undefined) {
        const file = child(element, "source")?.attrs.file;
        if (file !== undefined) files.push(file);
        element = child(element, "backingStore");
    }
    return files;
}

test("an overlay whose backing chain holds the declared image reads as the declared disk", () => {
    for (const image of [BASE, MIDDLE]) {
        const model = declared(image);
        const read = domainFromXml(afterSnapshots, { like: model });
        assert.deepEqual(read.devices.disks?.[0]?.source, { file: image });
        assert.deepEqual(classifyChanges("domain", model, read), [], `declared ${image}: no drift`);
    }
});

test("without the declaration the reading is libvirt's source (adoption sees the overlay)", () => {
    assert.deepEqual(domainFromXml(afterSnapshots).devices.disks?.[0]?.source, { file: OVERLAY });
});

test("a declared image outside the chain is a change of the disk", () => {
    const model = declared("/images/other.qcow2");
    const read = domainFromXml(afterSnapshots, { like: model });
    assert.deepEqual(read.devices.disks?.[0]?.source, { file: OVERLAY });
    const changes = classifyChanges("domain", read, model);
    assert.deepEqual(
        changes.map((c) => [c.path, c.class]),
        [["devices.disks[0].source.file", "restart"]],
    );
});

test("a volume source is matched by pool and volume in the chain", () => {
    const xml = afterSnapshots.replace(
        `<backingStore type='file'>
          <format type='qcow2'/>
          <source file='${BASE}'/>`,
        `<backingStore type='volume'>
          <format type='qcow2'/>
          <source pool='images' volume='base.qcow2'/>`,
    );
    const model = domainSchema.parse({
        ...declared(BASE),
        devices: {
            disks: [
                {
                    source: { pool: "images", volume: "base.qcow2" },
                    target: { dev: "vda", bus: "virtio" },
                    driver: { type: "qcow2" },
                },
            ],
        },
    });
    assert.deepEqual(domainFromXml(xml, { like: model }).devices.disks?.[0]?.source, {
        pool: "images",
        volume: "base.qcow2",
    });
    const merged = diskOf(mergeDomain(xml, model, model));
    assert.equal(merged.attrs.type, "file", "the overlay is still a file disk");
    assert.equal(child(merged, "source")?.attrs.file, OVERLAY);
});

test("an update of another field keeps the overlay and its backing chain in the definition", () => {
    const merged = mergeDomain(afterSnapshots, declared(BASE, "described"), declared(BASE));
    assert.equal(child(diskOf(merged), "source")?.attrs.file, OVERLAY);
    assert.deepEqual(chainOf(merged), [MIDDLE, BASE]);
    assert.match(merged, /<description>described<\/description>/);
});

test("a real change of the source is written, without the old source's backing chain", () => {
    const merged = mergeDomain(afterSnapshots, declared("/images/other.qcow2"), declared(BASE));
    assert.equal(child(diskOf(merged), "source")?.attrs.file, "/images/other.qcow2");
    assert.deepEqual(chainOf(merged), []);
    assert.equal(child(diskOf(merged), "backingStore"), undefined);
});
