/**
 * The in-use check of a volume delete at O(1) scans per wave of deletes: 200 volumes deleted
 * together (as a destroy does) share one listing of the pools and one XML read per volume and per
 * domain, instead of one scan each (which read 200 x 200 volume documents). The protection holds:
 * an overlay still names its base, a defined domain still names its disk.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { connect, type LibvirtClient } from "../../../provider/rpc";
import { domainsUsingVolume } from "../../../provider/resources/volume/domain-disks";
import { overlaysOf } from "../../../provider/resources/volume/in-use";
import { loadTestHost } from "../../helpers/test-host";
import { hostVolumes, removeTestObjects, virsh } from "../../helpers/virsh";

const PREFIX = "pltest-inuse";
const POOL = `${PREFIX}-pool`;
const DIR = `/var/lib/libvirt/${POOL}`;
const COUNT = 200;

let client: LibvirtClient;

/** The client, with every call of the named procedures counted. */
function counting(c: LibvirtClient): { client: LibvirtClient; calls: Map<string, number> } {
    const calls = new Map<string, number>();
    const proxy = new Proxy(c, {
        get(target, key, receiver) {
            const value = Reflect.get(target, key, receiver);
            if (typeof value !== "function" || typeof key !== "string") return value;
            return (...args: unknown[]) => {
                calls.set(key, (calls.get(key) ?? 0) + 1);
                return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
        },
    });
    return { client: proxy, calls };
}

before(() => {
    removeTestObjects(PREFIX);
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    virsh(["pool-create-as", POOL, "dir", "--target", DIR]);
    virsh(["vol-create-as", POOL, `${PREFIX}-base.qcow2`, "1M", "--format", "qcow2"]);
    for (let i = 0; i < COUNT - 1; i++) {
        virsh(["vol-create-as", POOL, `${PREFIX}-v${i}.img`, "64K", "--format", "raw"]);
    }
    const xml = join(DIR, "vm.xml");
    writeFileSync(
        xml,
        `<domain type='qemu'><name>${PREFIX}-vm</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os>` +
            `<devices><disk type='file' device='disk'><source file='${DIR}/${PREFIX}-v0.img'/><target dev='vdb' bus='virtio'/></disk></devices></domain>`,
    );
    virsh(["define", xml]);
    rmSync(xml);
    virsh([
        "vol-create-as",
        POOL,
        `${PREFIX}-overlay.qcow2`,
        "1M",
        "--format",
        "qcow2",
        "--backing-vol",
        `${DIR}/${PREFIX}-base.qcow2`,
        "--backing-vol-format",
        "qcow2",
    ]);
});

after(async () => {
    await client?.close();
    removeTestObjects(PREFIX);
    rmSync(DIR, { recursive: true, force: true });
});

test(`${COUNT} concurrent in-use checks share one scan of the host`, async (t) => {
    client = await connect(loadTestHost().unixUri);
    const { client: c, calls } = counting(client);
    const vols = virsh(["vol-list", POOL])
        .split("\n")
        .map((l) => l.trim().split(/\s+/)[0] ?? "")
        .filter((v) => v.startsWith(PREFIX));
    assert.equal(vols.length, COUNT + 1);
    const paths = vols.map((v) => `${DIR}/${v}`);
    const volumesBefore = hostVolumes();

    const [overlays, users] = await Promise.all([
        Promise.all(paths.map((p) => overlaysOf(c, p))),
        Promise.all(vols.map((v, i) => domainsUsingVolume(c, { path: paths[i]!, pool: POOL, name: v }))),
    ]);
    const volumeXmlReads = calls.get("storageVolGetXmlDesc") ?? 0;
    const poolListings = calls.get("connectListAllStoragePools") ?? 0;
    const domainListings = calls.get("connectListAllDomains") ?? 0;
    t.diagnostic(`calls for ${paths.length} checks: ${JSON.stringify(Object.fromEntries(calls))}`);
    // One scan: every volume's XML once (the other pools of the host add theirs).
    assert.equal(poolListings, 1, "one listing of the pools for all the checks");
    assert.equal(domainListings, 2, "one listing of all domains and one of the running ones");
    // One scan reads each volume of the host once (other work may add a few meanwhile).
    const hostVolumesSeen = Math.max(volumesBefore, hostVolumes());
    assert.ok(
        volumeXmlReads <= hostVolumesSeen + 50,
        `${volumeXmlReads} volume XML reads for ${hostVolumesSeen} volumes on the host (one scan reads each once)`,
    );

    // The protection still holds.
    const base = paths.findIndex((p) => p.endsWith(`${PREFIX}-base.qcow2`));
    assert.deepEqual(overlays[base], [`'${POOL}/${PREFIX}-overlay.qcow2'`]);
    assert.ok(
        overlays.every((o, i) => i === base || o.length === 0),
        "no other volume is a backing image",
    );
    const disk = vols.indexOf(`${PREFIX}-v0.img`);
    assert.deepEqual(
        users[disk]?.map((u) => `${u.domain} ${u.target}`),
        [`${PREFIX}-vm vdb`],
        "the defined domain's disk is found",
    );
    assert.ok(
        users.every((u, i) => i === disk || u.length === 0),
        "no domain uses the other volumes",
    );

    // A later check starts a new scan: it sees a change made after the first one finished.
    virsh(["vol-delete", `${PREFIX}-overlay.qcow2`, "--pool", POOL]);
    assert.deepEqual(await overlaysOf(c, paths[base]!), [], "the deleted overlay no longer holds the base");
    assert.equal(calls.get("connectListAllStoragePools"), 2);
});
