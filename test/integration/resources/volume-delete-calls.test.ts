/**
 * RPCs of Volume deletes against the real libvirtd, counted by the client's call counter: 200
 * volumes deleted together (as a destroy does) share the in-use check's scan of the host, so the
 * calls grow linearly with the volumes (a constant per delete plus one scan per wave), not with
 * their square (every delete used to read every volume's XML). The protection is kept: a volume that
 * is the backing image of another, or a disk of a defined domain, is refused with its users named.
 * Counts only: how fast is bench:stack's business.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { clientFor } from "../../../provider/resources/shared/connection";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { BACKING_KEEP_MS, setInUseWaitMs } from "../../../provider/resources/volume/in-use";
import { defaultPool } from "../../../provider/rpc";
import { counted } from "../../helpers/count-calls";
import { hostVolumes, removeTestObjects, virsh, volumeNames } from "../../helpers/virsh";

const PREFIX = "pltest-voldelcalls-";
const POOL = `${PREFIX}pool`;
const COUNT = 200;

let poolDir = "";
let restoreLog: () => void = () => {};
let restoreWait = 0;

async function create(news: Properties): Promise<{ id: string; outs: Properties }> {
    const checked = await volumeHandler.check({}, news);
    assert.deepEqual(checked.failures ?? [], []);
    const r = await volumeHandler.create(checked.inputs as Properties);
    return { id: r.id, outs: r.outs as Properties };
}

before(async () => {
    removeTestObjects(PREFIX);
    restoreLog = setLogSink(() => {});
    poolDir = mkdtempSync(join(tmpdir(), PREFIX));
    virsh(["pool-create-as", POOL, "dir", "--target", poolDir]);
    await clientFor();
});

after(async () => {
    restoreLog();
    setInUseWaitMs(restoreWait);
    removeTestObjects(PREFIX);
    if (poolDir) rmSync(poolDir, { recursive: true, force: true });
    await defaultPool.closeAll();
});

test(`${COUNT} Volume deletes at once: linear in the volumes, and a volume in use is still refused`, {
    timeout: 180_000,
}, async (t) => {
    const base = await create({
        namePrefix: "base",
        name: `${PREFIX}base.qcow2`,
        pool: POOL,
        capacity: "1M",
        target: { format: "qcow2" },
    });
    const overlay = await create({
        namePrefix: "overlay",
        name: `${PREFIX}overlay.qcow2`,
        pool: POOL,
        capacity: "1M",
        target: { format: "qcow2" },
        backingStore: { path: base.outs.path as string, format: "qcow2" },
    });
    const states: { id: string; outs: Properties }[] = [];
    for (let i = 0; i < COUNT; i += 50) {
        const wave = Array.from({ length: Math.min(50, COUNT - i) }, (_, j) =>
            create({ namePrefix: `v${i + j}`, name: `${PREFIX}v${i + j}.img`, pool: POOL, capacity: "64K" }),
        );
        states.push(...(await Promise.all(wave)));
    }
    const scanned = hostVolumes();
    restoreWait = setInUseWaitMs(0);

    // The base is deleted with the others, while its overlay still exists: refused, naming the overlay.
    const { result, calls, total } = await counted(() =>
        Promise.allSettled([...states, base].map((s) => volumeHandler.delete(s.id, s.outs))),
    );
    t.diagnostic(`${COUNT + 1} deletes, ${scanned} volumes on the host: ${total} calls ${JSON.stringify(calls)}`);
    const refused = result.at(-1)!;
    assert.equal(refused.status, "rejected");
    assert.match(
        String((refused as PromiseRejectedResult).reason),
        new RegExp(`backing image of volume\\(s\\) '${POOL}/${PREFIX}overlay.qcow2'`),
    );
    assert.ok(
        result.slice(0, -1).every((r) => r.status === "fulfilled"),
        "the others are deleted",
    );
    assert.deepEqual(volumeNames(POOL).sort(), [`${PREFIX}base.qcow2`, `${PREFIX}overlay.qcow2`]);

    assert.equal(calls.STORAGE_VOL_DELETE, COUNT);
    // Each delete reads its own volume once; the scans read the host's volumes (a few scans at most
    // for one wave, as deletes arrive while one runs); never one scan per delete.
    const ownReads = COUNT + 1;
    const xmlReads = calls.STORAGE_VOL_GET_XML_DESC ?? 0;
    const scans = (xmlReads - ownReads) / scanned;
    t.diagnostic(`volume XML reads: ${xmlReads} (${scans.toFixed(2)} scans of ${scanned} volumes)`);
    assert.ok(scans <= 3, `${xmlReads} volume XML reads: at most three scans of the host's ${scanned} volumes`);
    assert.ok((calls.CONNECT_LIST_ALL_STORAGE_POOLS ?? 0) <= 3, JSON.stringify(calls));
    const perDelete = (total - (xmlReads - ownReads)) / (COUNT + 1);
    assert.ok(perDelete <= 4, `${perDelete.toFixed(2)} calls per delete besides the scans`);

    // The overlay first, then the base: both go.
    await volumeHandler.delete(overlay.id, overlay.outs);
    await volumeHandler.delete(base.id, base.outs);
    assert.deepEqual(volumeNames(POOL), []);
});

test("Volume deletes one after another read each volume's XML once, not every volume's each time", {
    timeout: 180_000,
}, async (t) => {
    const SEQUENTIAL = 60;
    const states: { id: string; outs: Properties }[] = [];
    for (let i = 0; i < SEQUENTIAL; i += 30) {
        const wave = Array.from({ length: 30 }, (_, j) =>
            create({ namePrefix: `s${i + j}`, name: `${PREFIX}s${i + j}.img`, pool: POOL, capacity: "64K" }),
        );
        states.push(...(await Promise.all(wave)));
    }
    const scanned = hostVolumes();
    const started = performance.now();
    const { calls, total } = await counted(async () => {
        for (const s of states) await volumeHandler.delete(s.id, s.outs);
    });
    const elapsed = performance.now() - started;
    t.diagnostic(
        `${SEQUENTIAL} deletes in ${elapsed.toFixed(0)} ms, ${scanned} volumes on the host: ${total} calls ${JSON.stringify(calls)}`,
    );
    assert.equal(calls.STORAGE_VOL_DELETE, SEQUENTIAL);
    assert.deepEqual(volumeNames(POOL), []);
    // Every delete lists the pools and their volumes afresh (a volume made outside Pulumi is seen),
    // but reads only the documents it has not read in the last BACKING_KEEP_MS: its own volume's
    // (to check the key) and, once, each other volume of the host.
    assert.equal(calls.CONNECT_LIST_ALL_STORAGE_POOLS, SEQUENTIAL);
    const xmlReads = calls.STORAGE_VOL_GET_XML_DESC ?? 0;
    const window = 1 + Math.ceil(elapsed / BACKING_KEEP_MS);
    assert.ok(xmlReads <= SEQUENTIAL + window * scanned, `${xmlReads} volume XML reads (${scanned} volumes)`);
    // The pool's lookup is kept a short while too.
    assert.ok((calls.STORAGE_POOL_LOOKUP_BY_NAME ?? 0) <= 1 + Math.ceil(elapsed / 2_000), JSON.stringify(calls));
});
