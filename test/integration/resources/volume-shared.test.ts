/**
 * A shared volume (`shared: true`), as every VirtualMachine of one pool and image declares its base
 * image: two declarations created at once make one volume (the second takes it over); a delete
 * while another overlay is still backed by it leaves it in place with an info line, not an error;
 * the delete that finds it unused removes it. An unshared volume in use is still refused.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setLogSink } from "../../../provider/resources/shared/log";
import { setInUseWaitMs } from "../../../provider/resources/volume/in-use";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { MIB, qemuImgInfo, setUpPool, sha256, type TestPool, up, volumeNames } from "./volume-helpers";

const PREFIX = "pltest-volshared-";
let pool: TestPool;
let imagePath: string;
let imageSha256: string;
const logged: string[] = [];
let restoreLog: () => void;
let restoreWait: number;

before(() => {
    pool = setUpPool(PREFIX);
    const image = randomBytes(2 * MIB);
    imageSha256 = sha256(image);
    imagePath = join(pool.dir, "..", `${PREFIX}image.bin`);
    writeFileSync(imagePath, image);
    restoreLog = setLogSink((_level, line) => logged.push(line));
    restoreWait = setInUseWaitMs(2_000);
});

after(async () => {
    restoreLog?.();
    setInUseWaitMs(restoreWait);
    await pool?.cleanup();
    if (imagePath) rmSync(imagePath, { force: true });
});

const baseName = () => `${PREFIX}base-${imageSha256.slice(0, 12)}`;

function baseInputs() {
    return { pool: pool.name, name: baseName(), sourceImage: { url: imagePath, sha256: imageSha256 }, shared: true };
}

function overlayInputs(n: number) {
    return {
        pool: pool.name,
        name: `${PREFIX}disk${n}.qcow2`,
        capacity: 8,
        backingStore: { volume: { name: baseName() }, format: "raw" },
    };
}

test("two declarations of one shared volume created at once make one volume; the second takes it over", async () => {
    const [first, second] = await Promise.all([up("base1", baseInputs()), up("base2", baseInputs())]);
    assert.equal(first.id, second.id, "both declarations hold the same volume");
    assert.deepEqual(
        volumeNames(pool.name).filter((n) => n.startsWith(`${PREFIX}base-`)),
        [baseName()],
    );
    assert.ok(
        logged.some((line) => line.includes(baseName()) && line.includes("shared: the volume exists")),
        `the take-over was reported: ${JSON.stringify(logged)}`,
    );
});

test("a delete while another volume is backed by it leaves it with an info line; the last delete removes it", async () => {
    const base1 = await up("base1", baseInputs());
    const base2 = await up("base2", baseInputs());
    const disk1 = await up("disk1", overlayInputs(1));
    const disk2 = await up("disk2", overlayInputs(2));
    assert.equal(qemuImgInfo(disk2.outs.path as string)["backing-filename"], base1.outs.path);

    // The first VM goes: its overlay, then its declaration of the base, which disk2 still uses.
    await volumeHandler.delete(disk1.id, disk1.outs);
    logged.length = 0;
    await volumeHandler.delete(base1.id, base1.outs);
    assert.ok(volumeNames(pool.name).includes(baseName()), "the base disk2 is backed by is still there");
    const note = logged.find((line) => line.includes(baseName()) && line.includes("left in place"));
    assert.ok(note, `an info line says why: ${JSON.stringify(logged)}`);
    assert.match(note, new RegExp(`backing image of volume\\(s\\) '${pool.name}/${PREFIX}disk2\\.qcow2'`));

    // The last VM goes: now nothing uses the base, and its delete removes it.
    await volumeHandler.delete(disk2.id, disk2.outs);
    await volumeHandler.delete(base2.id, base2.outs);
    assert.deepEqual(
        volumeNames(pool.name).filter((n) => n.startsWith(PREFIX)),
        [],
    );
});

test("an unshared volume that backs another is still refused, naming the user", async () => {
    const base = await up("plain", { pool: pool.name, name: baseName(), capacity: 4, target: { format: "raw" } });
    const disk = await up("disk3", overlayInputs(3));
    await assert.rejects(volumeHandler.delete(base.id, base.outs), /refusing to delete volume.*backing image/);
    await volumeHandler.delete(disk.id, disk.outs);
    await volumeHandler.delete(base.id, base.outs);
    assert.deepEqual(
        volumeNames(pool.name).filter((n) => n.startsWith(PREFIX)),
        [],
    );
});

test("check refuses shared with a passphrase, naming both", async () => {
    const checked = await volumeHandler.check(
        {},
        { ...baseInputs(), sourceImage: undefined, capacity: 4, passphrase: "x" },
    );
    const reasons = (checked.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n");
    assert.match(reasons, /passphrase: shared takes over an existing volume/);
});
