/**
 * How a Volume create opens its pool, against the real libvirtd, counted by the client's call
 * counter: the creates of a burst share one listing of the running pools (kept a few seconds), a
 * change this process makes to a pool drops it, and a pool changed by hand since it was listed
 * still gives the clear error (stopped, removed) or, re-created under its name, still gets the
 * volume. What was made is cross-checked with virsh.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { clientFor } from "../../../provider/resources/shared/connection";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { counted } from "../../helpers/count-calls";
import { virsh, virshMaybe } from "../../helpers/virsh";
import { setUpPool, type TestPool, uri, volumeNames } from "./volume-helpers";

const PREFIX = "pltest-volpool-";
let pool: TestPool;
let lines: string[] = [];
let restoreLog: () => void = () => {};

before(async () => {
    pool = setUpPool(PREFIX);
    restoreLog = setLogSink((_level, line) => lines.push(line));
    await clientFor(uri); // the connection is open before counting
});

after(async () => {
    restoreLog();
    await pool.cleanup();
});

/** The inputs after check, as the engine hands them to create (checked before any pool changes). */
async function checked(volume: string): Promise<Properties> {
    const result = await volumeHandler.check(
        {},
        { uri, namePrefix: volume, name: `${PREFIX}${volume}.img`, pool: pool.name, capacity: "1M" },
    );
    assert.deepEqual(result.failures ?? [], []);
    return result.inputs as Properties;
}

/** A create, counted; its error when it fails. */
async function countedCreate(inputs: Properties) {
    return counted(() =>
        volumeHandler.create(inputs).then(
            (r) => ({ outs: r.outs as Properties, error: undefined }),
            (error: unknown) => ({ outs: undefined, error: error as Error }),
        ),
    );
}

/**
 * Two creates in the pool, so that the kept listing holds it running: the first may find it
 * missing from an older kept listing (the pool restarted by hand by an earlier test) and drop that.
 */
async function listedRunning(tag: string): Promise<void> {
    for (const volume of [`${tag}-w1`, `${tag}-w2`]) {
        const { result } = await countedCreate(await checked(volume));
        assert.equal(result.error, undefined, String(result.error));
    }
}

/** Stops (or removes, then defines and starts again) the test pool behind the provider's back. */
function byHand(what: "stop" | "remove" | "re-create"): void {
    virsh(["pool-destroy", pool.name]);
    if (what === "stop") return;
    virsh(["pool-undefine", pool.name]);
    if (what === "remove") return;
    virsh(["pool-define-as", pool.name, "dir", "--target", pool.dir]);
    virsh(["pool-start", pool.name]);
}

/** The pool defined and running again as setUpPool left it (after a test removed or stopped it). */
function restorePool(): void {
    if (virshMaybe(["pool-info", pool.name]) === undefined)
        virsh(["pool-define-as", pool.name, "dir", "--target", pool.dir]);
    if (/^State:\s+inactive/m.test(virsh(["pool-info", pool.name]))) virsh(["pool-start", pool.name]);
    assert.match(virsh(["pool-info", pool.name]), /^State:\s+running/m);
}

/** openPool's error for the test pool when it is stopped: names the pool and the command that starts it. */
function notRunning(): RegExp {
    return new RegExp(`storage pool '${pool.name}' on .* is not running; start it \\(virsh pool-start ${pool.name}\\)`);
}

describe("a Volume create opens its pool from a listing the creates of a burst share", { timeout: 120_000 }, () => {
    // A case that fails halfway must not leave the pool stopped or removed for the cases after it.
    afterEach(() => restorePool());

    test("a burst of creates in waves one after another lists the running pools once or twice, not once per wave", async () => {
        const WAVES = 5;
        const PER_WAVE = 6;
        const inputs = await Promise.all(Array.from({ length: WAVES * PER_WAVE }, (_, i) => checked(`burst${i}`)));
        const { result, calls } = await counted(async () => {
            const outs: Properties[] = [];
            for (let w = 0; w < WAVES; w++) {
                const wave = inputs.slice(w * PER_WAVE, (w + 1) * PER_WAVE);
                for (const r of await Promise.all(wave.map((i) => volumeHandler.create(i))))
                    outs.push(r.outs as Properties);
            }
            return outs;
        });
        assert.equal(calls.STORAGE_VOL_CREATE_XML, WAVES * PER_WAVE);
        assert.equal(calls.STORAGE_VOL_GET_XML_DESC, WAVES * PER_WAVE);
        const listings = calls.CONNECT_LIST_ALL_STORAGE_POOLS ?? 0;
        assert.ok(listings >= 1 && listings <= 2, `pool listings: ${JSON.stringify(calls)}`);
        assert.equal(Object.keys(calls).length, 3, JSON.stringify(calls));
        const names = volumeNames(pool.name);
        for (const outs of result) assert.ok(names.includes(outs.name as string), `${outs.name} in virsh vol-list`);
    });

    test("a pool stopped through this process drops the kept listing: the next create is not sent to it", async () => {
        await listedRunning("inproc1");
        const next = await checked("inproc2");
        const client = await clientFor(uri);
        const { pool: handle } = await client.storagePoolLookupByName({ name: pool.name });
        await client.storagePoolDestroy({ pool: handle });
        const { result, calls } = await countedCreate(next);
        assert.match(result.error?.message ?? "", notRunning());
        // Listed afresh (the stop dropped the kept listing), then looked up to say why; no create
        // was sent on the kept handle.
        assert.deepEqual(calls, {
            CONNECT_LIST_ALL_STORAGE_POOLS: 1,
            STORAGE_POOL_IS_ACTIVE: 1,
            STORAGE_POOL_LOOKUP_BY_NAME: 1,
        });
        assert.match(virsh(["pool-info", pool.name]), /^State:\s+inactive/m);
        restorePool();
    });

    test("a pool stopped by hand between two creates: the same clear 'not running' error, nothing made", async () => {
        const b = await checked("stopped2");
        await listedRunning("stopped1");
        byHand("stop");
        const { result, calls } = await countedCreate(b);
        assert.match(result.error?.message ?? "", notRunning());
        // libvirt refused the create for the stopped pool; the pool was then looked up without the listing.
        assert.deepEqual(calls, {
            STORAGE_POOL_IS_ACTIVE: 1,
            STORAGE_POOL_LOOKUP_BY_NAME: 1,
            STORAGE_VOL_CREATE_XML: 1,
        });
        restorePool();
        assert.ok(!volumeNames(pool.name).includes(`${PREFIX}stopped2.img`), "nothing was made");
        // Started again by hand: the next create lists afresh and makes the volume.
        const again = await countedCreate(b);
        assert.equal(again.result.error, undefined);
        assert.equal(again.calls.CONNECT_LIST_ALL_STORAGE_POOLS, 1);
        assert.ok(volumeNames(pool.name).includes(`${PREFIX}stopped2.img`));
    });

    test("a pool removed by hand between two creates: the same clear 'does not exist' error", async () => {
        const b = await checked("removed2");
        await listedRunning("removed1");
        byHand("remove");
        const { result, calls } = await countedCreate(b);
        assert.match(
            result.error?.message ?? "",
            new RegExp(`storage pool '${pool.name}' does not exist on .*; create it first`),
        );
        assert.deepEqual(calls, { STORAGE_POOL_LOOKUP_BY_NAME: 1, STORAGE_VOL_CREATE_XML: 1 });
        restorePool();
    });

    test("a pool removed and defined again by hand under its name (a new UUID): the volume is made in it", async () => {
        const [b, c] = [await checked("recreated2"), await checked("recreated3")];
        await listedRunning("recreated1");
        const oldUuid = virsh(["pool-uuid", pool.name]).trim();
        byHand("re-create");
        assert.notEqual(virsh(["pool-uuid", pool.name]).trim(), oldUuid, "virsh gave the pool a new UUID");
        lines = [];
        const { result, calls } = await countedCreate(b);
        assert.equal(result.error, undefined, String(result.error));
        // Refused for the old handle, looked up, made on the new one.
        assert.deepEqual(calls, {
            STORAGE_POOL_IS_ACTIVE: 1,
            STORAGE_POOL_LOOKUP_BY_NAME: 1,
            STORAGE_VOL_CREATE_XML: 2,
            STORAGE_VOL_GET_XML_DESC: 1,
        });
        assert.ok(
            lines.some((line) => /was not there under the UUID it was listed with .* made again by hand/.test(line)),
            lines.join("\n"),
        );
        assert.ok(volumeNames(pool.name).includes(`${PREFIX}recreated2.img`), "virsh lists the volume");
        assert.equal(result.outs?.pool, pool.name);
        // The refusal dropped the kept listing: the next create lists the new pool and goes straight through.
        const next = await countedCreate(c);
        assert.equal(next.result.error, undefined);
        assert.deepEqual(next.calls, {
            CONNECT_LIST_ALL_STORAGE_POOLS: 1,
            STORAGE_VOL_CREATE_XML: 1,
            STORAGE_VOL_GET_XML_DESC: 1,
        });
    });

    test("a refusal that is not about the pool (a file of the volume's name in the running pool) stands as libvirt's", async () => {
        const b = await checked("file2");
        await listedRunning("file1");
        // Written behind libvirt's back: the pool does not list it, and its create refuses the path.
        writeFileSync(join(pool.dir, `${PREFIX}file2.img`), "not a volume of libvirt's");
        const { result, calls } = await countedCreate(b);
        assert.match(result.error?.message ?? "", /already exists/);
        assert.doesNotMatch(result.error?.message ?? "", /not running|does not exist/);
        // Looked up once to tell it from a stopped pool; not sent again.
        assert.deepEqual(calls, {
            STORAGE_POOL_IS_ACTIVE: 1,
            STORAGE_POOL_LOOKUP_BY_NAME: 1,
            STORAGE_VOL_CREATE_XML: 1,
        });
    });
});
