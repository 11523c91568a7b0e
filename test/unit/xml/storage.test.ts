import assert from "node:assert/strict";
import { test } from "node:test";
import { poolTypes, type StoragePoolInput, storagePoolSchema } from "../../../provider/model/storage-pool";
import {
    encryptionFormats,
    partitionFormats,
    type VolumeInput,
    volumeFormats,
    volumeSchema,
    volumeTypes,
} from "../../../provider/model/volume";
import { storagePoolFromXml, storagePoolToXml } from "../../../provider/xml/storage-pool";
import { volumeFromXml, volumeToXml } from "../../../provider/xml/volume";
import { assertValidXml } from "./relaxng";

/** Pool types whose RelaxNG definition a small model can satisfy, with what each needs. */
const validatablePools: Record<string, StoragePoolInput> = {
    dir: { name: "p-dir", type: "dir", target: { path: "/var/lib/libvirt/images" } },
    fs: {
        name: "p-fs",
        type: "fs",
        source: { devices: [{ path: "/dev/sdb1" }], format: "ext4" },
        target: { path: "/mnt/p" },
    },
    netfs: {
        name: "p-netfs",
        type: "netfs",
        source: { hosts: [{ name: "nfs.example", port: 2049 }], dir: "/export", format: "nfs" },
        target: { path: "/mnt/nfs" },
    },
    logical: {
        name: "vg0",
        type: "logical",
        source: { name: "vg0", format: "lvm2", devices: [{ path: "/dev/sdc" }] },
        target: { path: "/dev/vg0" },
    },
    disk: {
        name: "p-disk",
        type: "disk",
        source: { devices: [{ path: "/dev/sdd" }], format: "gpt" },
        target: { path: "/dev" },
    },
};

function poolRoundTrip(input: StoragePoolInput): string {
    const model = storagePoolSchema.parse(input);
    const xml = storagePoolToXml(model);
    const { autostart: _autostart, ...inXml } = model;
    assert.deepEqual(storagePoolFromXml(xml), inXml);
    return xml;
}

test("pools round-trip and validate, with permissions and sizes", () => {
    for (const input of Object.values(validatablePools))
        assertValidXml(poolRoundTrip(input), "storagePool", input.name);
    const xml = poolRoundTrip({
        name: "perm",
        type: "dir",
        uuid: "70a7eb15-6c34-ee9c-bf57-69e8e5ff3fb2",
        capacity: 10,
        allocation: "1MiB",
        available: "9MiB",
        target: { path: "/srv/p", permissions: { mode: "0711", owner: 107, group: 107, label: "virt_image_t" } },
        autostart: true,
    });
    assertValidXml(xml, "storagePool");
    assert.match(xml, /<mode>0711<\/mode>/);
});

test("every pool type reads back as written", () => {
    for (const type of poolTypes) poolRoundTrip({ name: `p-${type}`, type, source: { name: "src" } });
});

test("pool sizes in any unit read as bytes; empty <source> disappears", () => {
    const pool = storagePoolFromXml(`<pool type='dir'><name>p</name><capacity unit='KiB'>4</capacity><source>
  </source><target><path>/p</path><permissions><mode>755</mode></permissions></target></pool>`);
    assert.deepEqual(pool, {
        name: "p",
        type: "dir",
        capacity: 4096,
        target: { path: "/p", permissions: { mode: "0755" } },
    });
});

function volumeRoundTrip(input: VolumeInput): string {
    const model = volumeSchema.parse(input);
    const xml = volumeToXml(model);
    assertValidXml(xml, "volume", model.name);
    const { pool, preallocation: _p, sourceImage: _s, ...inXml } = model;
    assert.deepEqual(volumeFromXml(xml, pool), pool === undefined ? inXml : { ...inXml, pool });
    return xml;
}

test("a volume with every modelled element round-trips and validates", () => {
    const xml = volumeRoundTrip({
        name: "disk.qcow2",
        pool: "images",
        type: "file",
        key: "/var/lib/libvirt/images/disk.qcow2",
        capacity: "20GiB",
        allocation: "1GiB",
        physical: "1100MiB",
        target: {
            path: "/var/lib/libvirt/images/disk.qcow2",
            format: "qcow2",
            permissions: { mode: "0600", owner: 107, group: 107 },
            encryption: { format: "luks", secret: "F52A81B2-424E-490C-823D-6BD4235BC572" },
            compat: "1.1",
            nocow: true,
            clusterSize: "64KiB",
            features: { lazyRefcounts: true, extendedL2: true },
        },
        backingStore: {
            path: "/var/lib/libvirt/images/base.qcow2",
            format: "qcow2",
            permissions: { mode: "0644", owner: 0, group: 0, label: "system_u:object_r:virt_content_t:s0" },
        },
    });
    assert.match(xml, /<capacity unit="bytes">21474836480<\/capacity>/);
    assert.match(xml, /<secret type="passphrase" uuid="f52a81b2-424e-490c-823d-6bd4235bc572"\/>/);
});

test("every volume format, partition format, volume type and encryption format round-trips", () => {
    for (const format of [...volumeFormats, ...partitionFormats])
        volumeRoundTrip({ name: `v-${format}`, capacity: 1, target: { format } });
    for (const type of volumeTypes.filter((t) => t !== "ploop"))
        volumeRoundTrip({ name: `v-${type}`, type, capacity: 1 });
    for (const format of encryptionFormats)
        volumeRoundTrip({ name: `v-${format}`, capacity: 1, target: { encryption: { format } } });
});

test("a secret given other than by UUID stays verbatim", () => {
    const volume = volumeFromXml(
        `<volume><name>v</name><target><encryption format='luks'><secret type='passphrase' usage='/x'/></encryption></target></volume>`,
    );
    assert.equal(volume.target?.encryption?.secret, undefined);
    assert.deepEqual(volume.target?.encryption?.extra?.elements, [
        { name: "secret", attributes: { type: "passphrase", usage: "/x" } },
    ]);
    assert.deepEqual(volumeFromXml(volumeToXml(volume)), volume);
});

test("full preallocation writes the capacity as allocation; a volume reference must be resolved first", () => {
    const xml = volumeToXml(volumeSchema.parse({ name: "v", capacity: 1, preallocation: "full" }));
    assert.match(xml, /<allocation unit="bytes">1048576<\/allocation>/);
    const unresolved = volumeSchema.parse({ name: "v", backingStore: { volume: { name: "base" } } });
    assert.throws(() => volumeToXml(unresolved), /resolve it to a path/);
});

test("volume sizes, timestamps and unmodelled parts", () => {
    const volume = volumeFromXml(`<volume type='block'>
  <name>sda1</name>
  <source><device path='/dev/sda'><extent start='0' end='512'/></device></source>
  <capacity unit='G'>5</capacity>
  <allocation>294912</allocation>
  <target>
    <format type='none'/>
    <timestamps><atime>1.5</atime></timestamps>
    <encryption format='luks'><secret type='passphrase' uuid='F52A81B2-424E-490C-823D-6BD4235BC572'/><cipher name='serpent' size='256' mode='cbc' hash='sha256'/><ivgen name='plain64' hash='sha256'/></encryption>
  </target>
</volume>`);
    assert.equal(volume.capacity, 5 * 1024 ** 3);
    assert.equal(volume.allocation, 294912);
    assert.equal(volume.extra?.elements?.[0]?.name, "source");
    assert.equal(volume.target?.encryption?.secret, "f52a81b2-424e-490c-823d-6bd4235bc572");
    assert.deepEqual(
        volume.target?.encryption?.extra?.elements?.map((e) => e.name),
        ["cipher", "ivgen"],
    );
    assert.equal(JSON.stringify(volume).includes("timestamps"), false);
    const rewritten = volumeToXml(volume);
    assertValidXml(rewritten, "volume");
    assert.deepEqual(volumeFromXml(rewritten), volume);
});
