/**
 * Volume upload and download against the real daemon: 64 MiB byte for byte, checked with virsh.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { after, before, test } from "node:test";
import { connect, type LibvirtClient, type RemoteNonnullStoragePool } from "../../../provider/rpc";
import { VirStoragePoolBuildFlags } from "../../../provider/rpc/generated";
import { loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh } from "../../helpers/virsh";

const PREFIX = "pltest-rpcstream-";
const MIB = 1024 * 1024;
const SIZE = 64 * MIB;
const host = loadTestHost();

let client: LibvirtClient;
let pool: RemoteNonnullStoragePool;
const workDir = mkdtempSync(join(tmpdir(), PREFIX));

/** Deterministic pseudo-random data generated chunk by chunk, so 64 MiB never sits in memory twice. */
function* pattern(size: number, seed: Buffer): Generator<Buffer> {
    const chunk = 4 * MIB;
    for (let at = 0; at < size; at += chunk) {
        const block = Buffer.alloc(Math.min(chunk, size - at));
        let counter = createHash("sha256").update(seed).update(String(at)).digest();
        for (let i = 0; i < block.length; i += counter.length) {
            counter.copy(block, i);
            counter = createHash("sha256").update(counter).digest();
        }
        yield block;
    }
}

function sha256Of(size: number, seed: Buffer): string {
    const hash = createHash("sha256");
    for (const block of pattern(size, seed)) hash.update(block);
    return hash.digest("hex");
}

function hashingSink(): { sink: Writable; digest: () => string; bytes: () => number } {
    const hash = createHash("sha256");
    let bytes = 0;
    const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            bytes += chunk.length;
            done();
        },
    });
    return { sink, digest: () => hash.digest("hex"), bytes: () => bytes };
}

before(async () => {
    removeTestObjects(PREFIX);
    client = await connect(host.unixUri);
    ({ pool } = await client.storagePoolDefineXml({
        xml: `<pool type='dir'><name>${PREFIX}pool</name><target><path>${join(workDir, "pool")}</path></target></pool>`,
    }));
    await client.storagePoolBuild({ pool, flags: VirStoragePoolBuildFlags.VIR_STORAGE_POOL_BUILD_NEW });
    await client.storagePoolCreate({ pool });
});

after(async () => {
    await client?.close();
    removeTestObjects(PREFIX);
    rmSync(workDir, { recursive: true, force: true });
});

/** A raw volume with no allocation: a sparse file that reads as zeros. */
async function rawVolume(name: string, bytes: number) {
    const { vol } = await client.storageVolCreateXml({
        pool,
        xml: `<volume><name>${name}</name><capacity unit='bytes'>${bytes}</capacity><allocation>0</allocation><target><format type='raw'/></target></volume>`,
    });
    return vol;
}

test("a 64 MiB upload then download is byte for byte identical, and virsh reads the same bytes", async () => {
    const seed = randomBytes(8);
    const expected = sha256Of(SIZE, seed);
    const vol = await rawVolume(`${PREFIX}64m.raw`, SIZE);

    const progress: number[] = [];
    const sent = await client.upload(vol, Readable.from(pattern(SIZE, seed)), {
        length: SIZE,
        total: SIZE,
        onProgress: (p) => progress.push(p.bytes),
    });
    assert.equal(sent, SIZE);
    assert.equal(progress.at(-1), SIZE);

    const { sink, digest, bytes } = hashingSink();
    const received = await client.download(vol, sink);
    assert.equal(received, SIZE);
    assert.equal(bytes(), SIZE);
    assert.equal(digest(), expected);

    // virsh, an independent client, reads back what we uploaded.
    const copy = join(workDir, "virsh-copy.raw");
    virsh(["vol-download", `${PREFIX}64m.raw`, copy, "--pool", `${PREFIX}pool`]);
    assert.equal(createHash("sha256").update(readFileSync(copy)).digest("hex"), expected);
    rmSync(copy);
});

test("uploadFile sends a file (or part of it) through its reused buffers, byte for byte", async () => {
    const seed = randomBytes(8);
    // Not a multiple of libvirt's chunk size, and more chunks than the buffer pool holds, so every
    // buffer is lent, written, given back and filled again while the upload runs.
    const size = 24 * MIB + 4321;
    const source = join(workDir, "file-source.raw");
    writeFileSync(source, Buffer.concat([...pattern(size, seed)]));
    const whole = await rawVolume(`${PREFIX}file.raw`, size);
    const progress: number[] = [];
    assert.equal(await client.uploadFile(whole, source, { onProgress: (p) => progress.push(p.bytes) }), size);
    assert.equal(progress.at(-1), size);
    const copy = join(workDir, "file-copy.raw");
    virsh(["vol-download", `${PREFIX}file.raw`, copy, "--pool", `${PREFIX}pool`]);
    assert.ok(readFileSync(copy).equals(readFileSync(source)), "virsh reads back the file's bytes");

    // A range of the file into a range of the volume.
    const part = await rawVolume(`${PREFIX}file-part.raw`, 2 * MIB);
    const fileRange = { offset: 3 * MIB + 7, length: MIB + 11 };
    assert.equal(await client.uploadFile(part, source, { fileRange, offset: MIB }), fileRange.length);
    const { sink, digest } = hashingSink();
    await client.download(part, sink, { offset: MIB, length: fileRange.length });
    const expected = readFileSync(source).subarray(fileRange.offset, fileRange.offset + fileRange.length);
    assert.equal(digest(), createHash("sha256").update(expected).digest("hex"));

    await assert.rejects(
        client.uploadFile(part, source, { fileRange: { offset: size - 10, length: 100 } }),
        /ended after 10 of the 100 bytes/,
    );
    rmSync(copy);
    rmSync(source);
});

test("a volume written by virsh downloads identically through the client", async () => {
    const seed = randomBytes(8);
    const size = 3 * MIB + 12345;
    const source = join(workDir, "virsh-source.raw");
    writeFileSync(source, Buffer.concat([...pattern(size, seed)]));
    const vol = await rawVolume(`${PREFIX}virsh.raw`, size);
    virsh(["vol-upload", `${PREFIX}virsh.raw`, source, "--pool", `${PREFIX}pool`]);
    const { sink, digest } = hashingSink();
    assert.equal(await client.download(vol, sink), size);
    assert.equal(digest(), sha256Of(size, seed));
});

test("a sparse download reports the holes of a sparse volume", async () => {
    const size = 8 * MIB;
    const vol = await rawVolume(`${PREFIX}sparse.raw`, size);
    // Write 1 MiB of data at offset 2 MiB; the rest of the file stays a hole.
    const data = Buffer.alloc(MIB, 0x61);
    await client.upload(vol, Readable.from([data]), { offset: 2 * MIB, length: MIB });
    let holeBytes = 0;
    const { sink, bytes } = hashingSink();
    const total = await client.download(vol, sink, { sparse: true, onHole: (length) => (holeBytes += length) });
    assert.equal(total, size);
    assert.equal(bytes(), MIB, "only the data region travels as data");
    assert.equal(holeBytes, size - MIB);
});

test("uploading more than the declared length fails with the daemon's error and leaves the connection usable", async () => {
    const vol = await rawVolume(`${PREFIX}small.raw`, MIB);
    const error = await client
        .upload(vol, Readable.from([Buffer.alloc(MIB), Buffer.alloc(MIB)]), { length: MIB })
        .catch((e: unknown) => e);
    assert.ok(error instanceof Error && /stream|space|length/i.test(error.message), String(error));
    const { hostname } = await client.connectGetHostname();
    assert.ok(hostname.length > 0);
});
