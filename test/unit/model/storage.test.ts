import assert from "node:assert/strict";
import { test } from "node:test";
import { validate } from "../../../provider/model/common";
import { storagePoolSchema } from "../../../provider/model/storage-pool";
import { volumeSchema } from "../../../provider/model/volume";

const GiB = 1024 ** 3;

function failurePaths(schema: Parameters<typeof validate>[0], input: unknown): string[] {
    const result = validate(schema, input);
    assert.equal(result.ok, false, `expected ${JSON.stringify(input)} to be refused`);
    return result.ok ? [] : result.failures.map((failure) => failure.property);
}

test("a dir pool with permissions validates", () => {
    const pool = storagePoolSchema.parse({
        name: "images",
        type: "dir",
        target: { path: "/var/lib/libvirt/images", permissions: { mode: "711", owner: 0, group: "0" } },
        autostart: true,
    });
    assert.deepEqual(pool.target?.permissions, { mode: "0711", owner: 0, group: 0 });
});

test("pool mistakes are refused with paths", () => {
    assert.deepEqual(failurePaths(storagePoolSchema, { name: "p", type: "tmpfs" }), ["type"]);
    assert.deepEqual(failurePaths(storagePoolSchema, { name: "p", type: "dir", target: { path: "relative" } }), [
        "target.path",
    ]);
    assert.deepEqual(
        failurePaths(storagePoolSchema, { name: "p", type: "dir", target: { permissions: { mode: "8" } } }),
        ["target.permissions.mode"],
    );
});

test("volume sizes are friendly at the surface and bytes underneath", () => {
    const volume = volumeSchema.parse({
        name: "disk.qcow2",
        pool: "images",
        capacity: "20GiB",
        allocation: 0,
        target: { format: "qcow2", clusterSize: "64KiB", features: { lazyRefcounts: true } },
        backingStore: { volume: { name: "base.qcow2" }, format: "qcow2" },
    });
    assert.equal(volume.capacity, 20 * GiB);
    assert.equal(volume.target?.clusterSize, 65536);
});

test("volume mistakes are refused with paths and hints", () => {
    assert.deepEqual(failurePaths(volumeSchema, { name: "v" }), ["capacity"]);
    assert.deepEqual(failurePaths(volumeSchema, { name: "v", capacity: "lots" }), ["capacity"]);
    const vhdx = validate(volumeSchema, { name: "v", capacity: 1, target: { format: "vhdx" } });
    assert.ok(!vhdx.ok && vhdx.failures[0]!.property === "target.format" && /vpc|qcow2/.test(vhdx.failures[0]!.reason));
    // libvirt 9.0 answers "unknown volume format type luks"; LUKS is raw plus <encryption>.
    const luks = validate(volumeSchema, { name: "v", capacity: 1, target: { format: "luks" } });
    assert.ok(
        !luks.ok && luks.failures[0]!.property === "target.format" && /encryption/.test(luks.failures[0]!.reason),
    );
    assert.deepEqual(
        failurePaths(volumeSchema, { name: "v", capacity: 1, backingStore: { path: "/a", volume: { name: "b" } } }),
        ["backingStore"],
    );
    assert.deepEqual(
        failurePaths(volumeSchema, { name: "v", capacity: 1, target: { format: "raw" }, backingStore: { path: "/a" } }),
        ["target.format"],
    );
    assert.deepEqual(failurePaths(volumeSchema, { name: "v", sourceImage: { url: "ftp://x/y.img" } }), [
        "sourceImage.url",
    ]);
    assert.deepEqual(failurePaths(volumeSchema, { name: "v", sourceImage: { url: "/x.img", sha256: "abc" } }), [
        "sourceImage.sha256",
    ]);
    assert.deepEqual(
        failurePaths(volumeSchema, { name: "v", capacity: 1, target: { encryption: { format: "aes" } } }),
        ["target.encryption.format"],
    );
});

test("a volume may omit its capacity when it has a backing store or a source image", () => {
    assert.equal(
        volumeSchema.safeParse({ name: "v", backingStore: { path: "/base.qcow2", format: "qcow2" } }).success,
        true,
    );
    assert.equal(
        volumeSchema.safeParse({ name: "v", sourceImage: { url: "https://example.org/a.img" } }).success,
        true,
    );
});
