/**
 * The in-use check of a Volume delete against a host full of domains that are not ours: 200
 * defined domains with file disks cost no call each (libvirt's block statistics of all domains
 * give their disks' paths in one call), so a delete makes a constant number of calls however many
 * domains the host holds. Only the domains the statistics cannot answer for are read: a running
 * guest (its next boot's definition) and a domain with a disk that has no local path (a pool
 * volume of a domain that is not running, a network disk, an empty CD-ROM).
 *
 * The protection is unchanged: a disk of a defined domain (by path or as pool/volume), of a
 * running guest, and of a running guest's next boot only, is refused with the domain named.
 *
 * Calls are counted by the client's counter; XML reads are told apart by domain (the host is
 * shared: other work's domains and volumes are read too, and are not what is asserted on).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { clientFor } from "../../../provider/resources/shared/connection";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { setInUseWaitMs } from "../../../provider/resources/volume/in-use";
import { connect, defaultPool, type LibvirtClient, type RemoteNonnullDomain } from "../../../provider/rpc";
import { counted } from "../../helpers/count-calls";
import { assertTinyGuest, loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";

const PREFIX = "pltest-inuse-fd-";
const POOL = `${PREFIX}pool`;
const FOREIGN = 200;
const DELETES = 20;

let poolDir = "";
let definer: LibvirtClient | undefined;
const foreign: RemoteNonnullDomain[] = [];
let restoreLog: () => void = () => {};
let restoreWait: number | undefined;

/** Names of the domains whose XML the provider's client read, in order (one entry per read). */
const xmlReads: string[] = [];
/** Pools of the volumes whose XML the provider's client read (one entry per read). */
const volumeReads: string[] = [];

function domainXml(name: string, disks: string, os = "<type arch='x86_64'>hvm</type>"): string {
    return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>128</memory><vcpu>1</vcpu><os>${os}</os><devices>${disks}<memballoon model='none'/></devices></domain>`;
}

const fileDisk = (path: string, dev: string) =>
    `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${path}'/><target dev='${dev}' bus='virtio'/></disk>`;
const volumeDisk = (volume: string, dev: string) =>
    `<disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='${POOL}' volume='${volume}'/><target dev='${dev}' bus='virtio'/></disk>`;

/** The domains of this file that the statistics cannot answer for: each check reads them. */
const PATHLESS = {
    [`${PREFIX}by-volume`]: () => volumeDisk(`${PREFIX}held-by-volume.img`, "vda"),
    [`${PREFIX}network`]: () =>
        "<disk type='network' device='disk'><source protocol='nbd' name='x'><host name='127.0.0.1' port='10809'/></source><target dev='vda' bus='virtio'/></disk>",
    [`${PREFIX}empty-cdrom`]: () => "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>",
};

async function create(name: string): Promise<{ id: string; outs: Properties }> {
    const checked = await volumeHandler.check({}, { namePrefix: name, name, pool: POOL, capacity: "64K" });
    assert.deepEqual(checked.failures ?? [], []);
    const r = await volumeHandler.create(checked.inputs as Properties);
    return { id: r.id, outs: r.outs as Properties };
}

function volumeNames(): string[] {
    return virsh(["vol-list", POOL])
        .split("\n")
        .map((l) => l.trim().split(/\s+/)[0] ?? "")
        .filter(Boolean);
}

function define(name: string, disks: string, os?: string): void {
    const file = join(poolDir, "..", `${name}.xml`);
    writeFileSync(file, domainXml(name, disks, os));
    try {
        virsh(["define", file]);
    } finally {
        rmSync(file, { force: true });
    }
}

before(async () => {
    removeTestObjects(PREFIX);
    restoreLog = setLogSink(() => {});
    poolDir = mkdtempSync(join(tmpdir(), PREFIX));
    virsh(["pool-create-as", POOL, "dir", "--target", poolDir]);
    // 200 domains that are not ours, defined (never started) with a file disk that is no volume.
    definer = await connect(loadTestHost().unixUri);
    for (let i = 0; i < FOREIGN; i += 25) {
        const batch = Array.from({ length: Math.min(25, FOREIGN - i) }, (_, j) =>
            definer!.domainDefineXml({
                xml: domainXml(
                    `${PREFIX}f${i + j}`,
                    fileDisk(`/var/lib/libvirt/${PREFIX}elsewhere/f${i + j}.img`, "vda"),
                ),
            }),
        );
        foreign.push(...(await Promise.all(batch)).map((r) => r.dom));
    }
    for (const [name, disk] of Object.entries(PATHLESS)) define(name, disk());
    // Tell the provider's XML reads apart by domain.
    const client = await clientFor();
    const read = client.domainGetXmlDesc.bind(client);
    client.domainGetXmlDesc = (args, options) => {
        xmlReads.push(args.dom.name);
        return read(args, options);
    };
    const readVolume = client.storageVolGetXmlDesc.bind(client);
    client.storageVolGetXmlDesc = (args, options) => {
        volumeReads.push(args.vol.pool);
        return readVolume(args, options);
    };
});

after(async () => {
    restoreLog();
    if (restoreWait !== undefined) setInUseWaitMs(restoreWait);
    for (let i = 0; i < foreign.length; i += 25) {
        await Promise.all(foreign.slice(i, i + 25).map((dom) => definer?.domainUndefine({ dom }).catch(() => {})));
    }
    await definer?.close();
    removeTestObjects(PREFIX);
    if (poolDir) rmSync(poolDir, { recursive: true, force: true });
    await defaultPool.closeAll();
});

/** XML reads of this file's domains, by kind. */
function readsOfOurs(reads: readonly string[]): { foreign: number; pathless: number; other: number } {
    const ours = reads.filter((name) => name.startsWith(PREFIX));
    const foreignReads = ours.filter((name) => /^pltest-inuse-fd-f\d+$/.test(name)).length;
    const pathless = ours.filter((name) => name in PATHLESS).length;
    return { foreign: foreignReads, pathless, other: ours.length - foreignReads - pathless };
}

test(`${DELETES} Volume deletes with ${FOREIGN} foreign domains: a constant number of calls each`, {
    timeout: 120_000,
}, async (t) => {
    const run = async (label: string, together: number) => {
        const states = await Promise.all(
            Array.from({ length: DELETES }, (_, i) => create(`${PREFIX}${label}${i}.img`)),
        );
        xmlReads.length = 0;
        volumeReads.length = 0;
        const { calls, total } = await counted(async () => {
            for (let i = 0; i < states.length; i += together) {
                await Promise.all(states.slice(i, i + together).map((s) => volumeHandler.delete(s.id, s.outs)));
            }
        });
        const reads = readsOfOurs(xmlReads);
        // Reads of what other work on this shared host holds (its domains; its pools' volumes are
        // read by the scan of backing images, once per 10 s): not what the host's domains cost us.
        const othersDomains = xmlReads.length - reads.foreign - reads.pathless - reads.other;
        const othersVolumes = volumeReads.filter((pool) => pool !== POOL).length;
        t.diagnostic(
            `${label}: ${total} calls for ${DELETES} deletes (${(total / DELETES).toFixed(2)} each), XML reads of ` +
                `our foreign domains ${reads.foreign}, of our pathless ones ${reads.pathless}, of other work's domains ` +
                `${othersDomains}, of other pools' volumes ${othersVolumes}: ${JSON.stringify(calls)}`,
        );
        assert.equal(calls.STORAGE_VOL_DELETE, DELETES);
        assert.deepEqual(volumeNames(), []);
        assert.equal(calls.CONNECT_LIST_ALL_DOMAINS ?? 0, 0, "no listing of domains: the statistics list them");
        assert.equal(reads.foreign, 0, `none of the ${FOREIGN} foreign domains with file disks is read`);
        return { calls, total, reads, othersDomains, othersVolumes };
    };

    const runningPools = () =>
        virsh(["pool-list", "--name"])
            .split("\n")
            .filter((l) => l.trim()).length;
    const poolsBefore = runningPools();
    // One after another: each delete checks alone, with one call for every domain of the host.
    const alone = await run("seq", 1);
    assert.equal(alone.calls.CONNECT_GET_ALL_DOMAIN_STATS, DELETES, "one statistics call per check");
    assert.equal(
        alone.reads.pathless,
        DELETES * Object.keys(PATHLESS).length,
        "each check reads the domains whose disks have no path",
    );
    // Per delete, besides reading what other work holds: the statistics, our pathless domains, the
    // pools' listing and their volumes' (one per running pool), the volume's XML and its delete, and
    // this pool's volumes' XML for the scan of backing images once per 10 s (about one each), and
    // the pool's lookup (kept 2 s).
    const pools = Math.max(poolsBefore, runningPools());
    const perDelete = (alone.total - alone.othersDomains - alone.othersVolumes) / DELETES;
    const bound = 1 + Object.keys(PATHLESS).length + 1 + pools + 2 + 2 + 1;
    assert.ok(perDelete <= bound, `${perDelete.toFixed(2)} calls per delete (bound ${bound} with ${pools} pools)`);

    // All at once (a destroy): the checks share one statistics call.
    const together = await run("par", DELETES);
    assert.ok((together.calls.CONNECT_GET_ALL_DOMAIN_STATS ?? 0) <= 3, JSON.stringify(together.calls));
    assert.ok(together.reads.pathless <= 3 * Object.keys(PATHLESS).length, `${together.reads.pathless} reads`);
});

test("a volume a domain holds is still refused, naming it: by path, as pool/volume, live, and at the next boot only", {
    timeout: 120_000,
}, async () => {
    const host = loadTestHost();
    assertTinyGuest(host);
    const byPath = await create(`${PREFIX}held-by-path.img`);
    const byVolume = await create(`${PREFIX}held-by-volume.img`);
    const live = await create(`${PREFIX}held-live.img`);
    const nextBoot = await create(`${PREFIX}held-next-boot.img`);
    const free = await create(`${PREFIX}free.img`);
    define(`${PREFIX}by-path`, fileDisk(byPath.outs.path as string, "vdb"));
    const guest = `${PREFIX}guest`;
    const os = `<type arch='x86_64' machine='pc'>hvm</type><kernel>${host.guestKernel}</kernel><initrd>${host.guestInitrd}</initrd><cmdline>console=ttyS0</cmdline>`;
    define(guest, volumeDisk(`${PREFIX}held-live.img`, "vda"), os);
    try {
        virsh(["start", guest]);
        // Only the next boot has this disk: QEMU does not have it open.
        virsh(["attach-disk", guest, nextBoot.outs.path as string, "vdc", "--config"]);
        restoreWait = setInUseWaitMs(0);
        const refusals = await Promise.allSettled(
            [byPath, byVolume, live, nextBoot].map((s) => volumeHandler.delete(s.id, s.outs)),
        );
        const expected = [
            `'${PREFIX}by-path' \\(vdb\\)`,
            `'${PREFIX}by-volume' \\(vda\\)`,
            `'${guest}' \\(vda\\)`,
            `'${guest}' \\(vdc\\)`,
        ];
        for (const [i, refusal] of refusals.entries()) {
            assert.equal(refusal.status, "rejected", `delete ${i} is refused`);
            assert.match(
                String((refusal as PromiseRejectedResult).reason),
                new RegExp(`refusing to delete volume .*it is a disk of domain\\(s\\) ${expected[i]}`),
            );
        }
        // Nobody holds this one: it goes, with the others still there.
        await volumeHandler.delete(free.id, free.outs);
        assert.deepEqual(volumeNames().sort(), [
            `${PREFIX}held-by-path.img`,
            `${PREFIX}held-by-volume.img`,
            `${PREFIX}held-live.img`,
            `${PREFIX}held-next-boot.img`,
        ]);
    } finally {
        virshMaybe(["destroy", guest]);
        virshMaybe(["undefine", guest]);
        virshMaybe(["undefine", `${PREFIX}by-path`]);
    }
    // Released: the deletes go through.
    virsh(["undefine", `${PREFIX}by-volume`]);
    for (const s of [byPath, byVolume, live, nextBoot]) await volumeHandler.delete(s.id, s.outs);
    assert.deepEqual(volumeNames(), []);
});
