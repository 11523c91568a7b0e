/**
 * Volume creation against the real libvirtd, calling the handler directly: preallocation, uploads
 * from a file and from a local http server (sha256 checked), clones, overlays, adoption and `get`.
 * Every result is checked independently (virsh, qemu-img, the file's bytes).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { virsh } from "../../helpers/virsh";
import {
    change,
    MIB,
    qemuImgInfo,
    setUpPool,
    sha256,
    sha256OfFile,
    type TestPool,
    up,
    uri,
    volInfo,
    volumeNames,
} from "./volume-helpers";

const PREFIX = "pltest-vol-";
let pool: TestPool;
let image: Buffer;
let imagePath: string;
let server: Server;
let baseUrl: string;
/** Log lines the handler printed (progress, adoption notes). */
const logged: string[] = [];
let restoreLog: () => void;

before(async () => {
    pool = setUpPool(PREFIX);
    image = randomBytes(3 * MIB + 12345);
    imagePath = join(pool.dir, "..", `${PREFIX}image.bin`);
    writeFileSync(imagePath, image);
    // A local http server only: tests never reach outside this machine.
    server = createServer((request, response) => {
        if (request.url === "/image.bin") {
            response.writeHead(200, { "content-length": String(image.length) });
            response.end(image);
        } else {
            response.writeHead(404).end();
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    restoreLog = setLogSink((_level, line) => logged.push(line));
});

after(async () => {
    restoreLog?.();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await pool?.cleanup();
    if (imagePath) rmSync(imagePath, { force: true });
});

test("an empty raw volume is sparse by default and fully allocated with preallocation full", async () => {
    const sparse = await up("sparse", { pool: pool.name, name: `${PREFIX}sparse.raw`, capacity: 16 });
    const full = await up("full", {
        pool: pool.name,
        name: `${PREFIX}full.raw`,
        capacity: 16,
        target: { format: "raw" },
        preallocation: "full",
    });
    assert.equal(sparse.outs.capacityBytes, 16 * MIB);
    assert.equal(sparse.outs.format, "raw");
    assert.equal(sparse.id, join(pool.dir, `${PREFIX}sparse.raw`));
    assert.ok((sparse.outs.allocationBytes as number) < MIB, `sparse volume allocates ${sparse.outs.allocationBytes}`);
    assert.ok((full.outs.allocationBytes as number) >= 16 * MIB, `full volume allocates ${full.outs.allocationBytes}`);
    assert.deepEqual(volInfo(pool.name, `${PREFIX}full.raw`), {
        capacity: 16 * MIB,
        allocation: full.outs.allocationBytes,
    });
    // Outputs echo the inputs as written, next to the computed values.
    assert.equal(full.outs.capacity, 16);
    assert.equal(full.outs.preallocation, "full");
});

test("qcow2 volumes honour metadata and full preallocation", async () => {
    const off = await up("q-off", {
        pool: pool.name,
        name: `${PREFIX}off.qcow2`,
        capacity: "256MiB",
        target: { format: "qcow2" },
    });
    const meta = await up("q-meta", {
        pool: pool.name,
        name: `${PREFIX}meta.qcow2`,
        capacity: "256MiB",
        target: { format: "qcow2" },
        preallocation: "metadata",
    });
    const full = await up("q-full", {
        pool: pool.name,
        name: `${PREFIX}full.qcow2`,
        capacity: "256MiB",
        target: { format: "qcow2" },
        preallocation: "full",
    });
    for (const { outs } of [off, meta, full]) {
        assert.equal(outs.format, "qcow2");
        assert.equal(outs.capacityBytes, 256 * MIB);
        assert.equal(qemuImgInfo(outs.path as string).format, "qcow2");
    }
    const [a, m, f] = [off, meta, full].map(({ outs }) => outs.allocationBytes as number);
    assert.ok(m! > a!, `metadata preallocation (${m}) allocates more than none (${a})`);
    assert.ok(f! >= 256 * MIB, `full preallocation allocates ${f}`);
});

test("a volume filled from a local file has its bytes, and its sha256 is checked", async () => {
    const { id, outs } = await up("from-file", {
        pool: pool.name,
        name: `${PREFIX}file.raw`,
        sourceImage: { url: imagePath, sha256: sha256(image) },
    });
    assert.equal(outs.capacityBytes, image.length);
    assert.equal(sha256OfFile(outs.path as string), sha256(image));
    assert.equal(volInfo(pool.name, `${PREFIX}file.raw`).capacity, image.length);
    // A refresh keeps the declaration (no capacity was declared; the image decided it).
    const refreshed = await volumeHandler.read(id, outs);
    assert.equal(refreshed.inputs, undefined);
    assert.deepEqual(refreshed.props, outs);
});

test("a sha256 mismatch fails naming both hashes and leaves no volume behind", async () => {
    const wrong = "0".repeat(64);
    await assert.rejects(
        up("bad-hash", { pool: pool.name, name: `${PREFIX}bad.raw`, sourceImage: { url: imagePath, sha256: wrong } }),
        (error: Error) => {
            assert.match(error.message, new RegExp(wrong));
            assert.match(error.message, new RegExp(sha256(image)));
            assert.match(error.message, /bad\.raw/);
            return true;
        },
    );
    assert.ok(!volumeNames(pool.name).includes(`${PREFIX}bad.raw`), "the failed volume was left behind");
});

test("a volume filled from a local http URL has its bytes and grows to a larger declared capacity", async () => {
    const { outs } = await up("from-http", {
        pool: pool.name,
        name: `${PREFIX}http.raw`,
        capacity: 8,
        sourceImage: { url: `${baseUrl}/image.bin`, sha256: sha256(image) },
    });
    assert.equal(outs.capacityBytes, 8 * MIB);
    assert.equal(volInfo(pool.name, `${PREFIX}http.raw`).capacity, 8 * MIB);
    assert.equal(sha256OfFile(outs.path as string, image.length), sha256(image));
});

test("a long upload prints progress naming the volume", async () => {
    const name = `${PREFIX}slow.raw`;
    // A local server that trickles the image out over about 2.5 s.
    const slow = createServer((_request, response) => {
        response.writeHead(200, { "content-length": String(image.length) });
        const chunk = 256 * 1024;
        let at = 0;
        const timer = setInterval(() => {
            response.write(image.subarray(at, at + chunk));
            at += chunk;
            if (at >= image.length) {
                clearInterval(timer);
                response.end();
            }
        }, 200);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
        const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/image.bin`;
        logged.length = 0;
        const { outs } = await up("slow", { pool: pool.name, name, sourceImage: { url, sha256: sha256(image) } });
        assert.equal(sha256OfFile(outs.path as string), sha256(image));
        const progress = logged.filter((line) => line.includes(name) && line.includes("uploading"));
        assert.ok(progress.length > 0, `no progress line: ${logged.join("\n")}`);
        assert.match(progress[0]!, /of 3\.0 MiB|%/);
        assert.ok(logged.some((line) => line.includes(name) && line.includes("uploaded")));
    } finally {
        await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
});

test("an http error fails the create with the status and leaves nothing", async () => {
    await assert.rejects(
        up("http-404", { pool: pool.name, name: `${PREFIX}missing.raw`, sourceImage: { url: `${baseUrl}/nope` } }),
        /HTTP 404/,
    );
    assert.ok(!volumeNames(pool.name).includes(`${PREFIX}missing.raw`));
});

test("an uploaded image's format is detected, and a declared format that differs is refused", async () => {
    const qcow2Path = join(pool.dir, "..", `${PREFIX}image.qcow2`);
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", qcow2Path, "64M"]);
    try {
        const { outs } = await up("detected", {
            pool: pool.name,
            name: `${PREFIX}detected.img`,
            sourceImage: { url: qcow2Path },
        });
        assert.equal(outs.format, "qcow2");
        assert.equal(outs.capacityBytes, 64 * MIB, "the capacity is the image's virtual size");
        const declared = await up("declared", {
            pool: pool.name,
            name: `${PREFIX}declared.qcow2`,
            target: { format: "qcow2" },
            capacity: "128MiB",
            sourceImage: { url: qcow2Path },
        });
        assert.equal(declared.outs.format, "qcow2");
        assert.equal(declared.outs.capacityBytes, 128 * MIB, "grown past the image's virtual size after the upload");
        assert.equal(qemuImgInfo(declared.outs.path as string)["virtual-size"], 128 * MIB);
        await assert.rejects(
            up("mismatch", {
                pool: pool.name,
                name: `${PREFIX}mismatch.img`,
                target: { format: "raw" },
                sourceImage: { url: qcow2Path },
            }),
            /is qcow2, but target\.format says raw/,
        );
        assert.ok(!volumeNames(pool.name).includes(`${PREFIX}mismatch.img`), "the refused volume was left behind");
    } finally {
        rmSync(qcow2Path, { force: true });
    }
});

test("a clone copies the source volume's bytes and format", async () => {
    await up("clone-src", { pool: pool.name, name: `${PREFIX}src.raw`, sourceImage: { url: imagePath } });
    const { outs } = await up("clone", {
        pool: pool.name,
        name: `${PREFIX}clone.raw`,
        cloneFrom: { name: `${PREFIX}src.raw` },
        capacity: 4,
    });
    assert.equal(outs.format, "raw");
    assert.equal(outs.capacityBytes, 4 * MIB);
    assert.equal(sha256OfFile(outs.path as string, image.length), sha256(image));
});

test("an overlay is a qcow2 whose backing file is the base volume", async () => {
    const base = await up("base", { pool: pool.name, name: `${PREFIX}base.raw`, capacity: 32 });
    const { outs } = await up("overlay", {
        pool: pool.name,
        name: `${PREFIX}overlay.qcow2`,
        backingStore: { volume: { name: `${PREFIX}base.raw` }, format: "raw" },
    });
    assert.equal(outs.format, "qcow2");
    assert.equal(outs.capacityBytes, 32 * MIB, "an overlay without capacity takes its base's");
    assert.equal(outs.backingStorePath, base.outs.path);
    const info = qemuImgInfo(outs.path as string);
    assert.equal(info.format, "qcow2");
    assert.equal(info["backing-filename"], base.outs.path);
    assert.equal(info["backing-filename-format"], "raw");
});

test("a volume that exists is refused unless adopted; adoption grows it and keeps its data", async () => {
    const name = `${PREFIX}existing.raw`;
    virsh(["vol-create-as", pool.name, name, "2M", "--format", "raw"]);
    const data = randomBytes(MIB);
    const dataPath = join(pool.dir, "..", `${PREFIX}adopt-data.bin`);
    writeFileSync(dataPath, data);
    virsh(["vol-upload", name, dataPath, "--pool", pool.name]);
    rmSync(dataPath);
    await assert.rejects(up("existing", { pool: pool.name, name, capacity: 4 }), /already exists.*adopt: true/);
    const { id, outs } = await up("existing", { pool: pool.name, name, capacity: 4, adopt: true });
    assert.equal(id, join(pool.dir, name));
    assert.equal(outs.capacityBytes, 4 * MIB);
    assert.equal(volInfo(pool.name, name).capacity, 4 * MIB);
    assert.equal(sha256OfFile(outs.path as string, MIB), sha256(data), "the adopted volume's data changed");
    assert.ok(
        logged.some((line) => line.includes(name) && line.includes("adopted")),
        "adoption was reported",
    );
});

test("adoption refuses a volume whose format differs and leaves it untouched", async () => {
    const name = `${PREFIX}adopt-fmt.qcow2`;
    virsh(["vol-create-as", pool.name, name, "2M", "--format", "qcow2"]);
    await assert.rejects(
        up("adopt-fmt", { pool: pool.name, name, capacity: 2, target: { format: "raw" }, adopt: true }),
        /cannot adopt.*\n.*target\.format/,
    );
    assert.equal(qemuImgInfo(join(pool.dir, name)).format, "qcow2");
});

test("read by id alone (a `get`) rebuilds the declaration from libvirt", async () => {
    const { id } = await up("gettable", {
        pool: pool.name,
        name: `${PREFIX}get.qcow2`,
        capacity: 3,
        target: { format: "qcow2" },
    });
    const result = await volumeHandler.read(id, { uri } as Properties);
    assert.equal(result.id, id);
    assert.deepEqual(result.inputs, {
        uri,
        name: `${PREFIX}get.qcow2`,
        pool: pool.name,
        capacity: "3MiB",
        target: { format: "qcow2" },
    });
    assert.equal((result.props as Properties).capacityBytes, 3 * MIB);
});

test("a passphrase encrypts the volume with LUKS in a private secret of its own, removed with the volume", async () => {
    const passphrase = `pltest phrase ${randomBytes(6).toString("hex")}`;
    const name = `${PREFIX}luks.raw`;
    const { id, outs } = await up("luks", { pool: pool.name, name, capacity: 16, passphrase });
    const secret = outs.encryptionSecret as string;
    assert.match(secret, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const secretXml = virsh(["secret-dumpxml", secret]);
    assert.match(secretXml, /private='yes'/);
    assert.match(secretXml, new RegExp(`<description>[^<]*${name}`));
    assert.throws(() => virsh(["secret-get-value", secret]), /secret is private/, "libvirt never hands the value back");
    assert.match(
        virsh(["vol-dumpxml", name, "--pool", pool.name]),
        new RegExp(`<encryption format='luks'>\\s*<secret type='passphrase' uuid='${secret}'/>`),
    );
    // qemu-img, independently: the file is a LUKS container, and the passphrase opens it.
    assert.equal(qemuImgInfo(id).format, "luks");
    const opened = execFileSync(
        "qemu-img",
        [
            "info",
            "--object",
            `secret,id=k,data=${passphrase}`,
            "--image-opts",
            `driver=luks,key-secret=k,file.filename=${id}`,
        ],
        { encoding: "utf8" },
    );
    assert.match(opened, /virtual size: 16 MiB/);
    assert.ok(!logged.some((line) => line.includes(passphrase)), "the passphrase is never printed");

    // A new passphrase replaces the volume (LUKS keys cannot be changed here), and its value is not printed.
    const { diff } = await change(id, outs, { ...outs, passphrase: `${passphrase}!` });
    assert.deepEqual(diff.replaces, ["passphrase"]);
    assert.ok(!logged.some((line) => line.includes(passphrase)), "the diff summary hides the passphrase");

    await volumeHandler.delete(id, outs);
    assert.ok(!volumeNames(pool.name).includes(name));
    assert.ok(!virsh(["secret-list"]).includes(secret), "the secret went with the volume");
    // Deleting again (the volume and the secret both gone) succeeds.
    await volumeHandler.delete(id, outs);
});

test("a passphrase is refused with content from elsewhere, with its own secret, or with adopt", async () => {
    const failures = async (inputs: Properties) =>
        ((await volumeHandler.check({}, { uri, namePrefix: "bad", pool: pool.name, ...inputs })).failures ?? []).map(
            (f) => `${f.property}: ${f.reason}`,
        );
    assert.match(
        (await failures({ passphrase: "x", sourceImage: { url: imagePath } })).join(),
        /passphrase: .*sourceImage/,
    );
    assert.match(
        (
            await failures({
                capacity: 8,
                passphrase: "x",
                target: { encryption: { format: "luks", secret: "6d0c2b47-5c1a-4f0e-9d55-7e57000000e1" } },
            })
        ).join(),
        /passphrase: give either passphrase/,
    );
    assert.match(
        (await failures({ capacity: 8, passphrase: "x", adopt: true })).join(),
        /passphrase: adopt takes over/,
    );
    assert.match((await failures({ capacity: 8, passphrase: "" })).join(), /passphrase: an empty passphrase/);
});

test("check reports bad input by field, value and fix before anything is created", async () => {
    const check = (inputs: Properties) =>
        volumeHandler.check({}, { uri, namePrefix: "bad", pool: pool.name, ...inputs });
    const fields =
        (await check({ capacity: "ten gigs", sourceImage: { url: "ftp://example.invalid/x" } })).failures ?? [];
    assert.deepEqual(fields.map((f) => f.property).sort(), ["capacity", "sourceImage.url"]);
    assert.match(fields.find((f) => f.property === "capacity")!.reason, /ten gigs/);
    const cross = (await check({ capacity: 8, preallocation: "metadata" })).failures ?? [];
    assert.deepEqual(
        cross.map((f) => f.property),
        ["preallocation"],
    );
    assert.match(cross[0]!.reason, /qcow2/);
    const none = (await check({})).failures ?? [];
    assert.deepEqual(
        none.map((f) => f.property),
        ["capacity"],
    );
});
