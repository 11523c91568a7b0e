/**
 * The rules of shared reads (provider/rpc/shared-reads.ts) without a daemon: who joins a read in
 * flight, what a failure leaves, which tags a change drops, and which tags each family of
 * procedures touches. That the client applies them to real changes is tested against libvirtd
 * (test/integration/resources/shared-reads.test.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
    dropSharedReads,
    forgetSharedRead,
    keepSharedAnswer,
    sharedRead,
    tagsTouchedBy,
} from "../../../provider/rpc/shared-reads";

/** A read that resolves when the test says so, counting how often it was started. */
function gatedRead() {
    const waiting: ((value: string) => void)[] = [];
    const read = () => new Promise<string>((resolve) => waiting.push(resolve));
    const resolveAll = (value: string) => {
        for (const resolve of waiting) resolve(value);
    };
    return { read, started: () => waiting.length, resolveAll };
}

test("callers join the read in flight; after it settled, the next caller starts a new one", async () => {
    const client = {};
    const gate = gatedRead();
    const first = sharedRead(client, "k", { tags: ["network:a"] }, gate.read);
    assert.equal(sharedRead(client, "k", { tags: ["network:a"] }, gate.read), first);
    assert.notEqual(sharedRead(client, "other key", { tags: ["network:a"] }, gate.read), first);
    assert.equal(gate.started(), 2);
    gate.resolveAll("x");
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    const later = sharedRead(client, "k", { tags: ["network:a"] }, async () => "y");
    assert.equal(await later, "y");
});

test("reads are per client", () => {
    const gate = gatedRead();
    const a = sharedRead({}, "k", { tags: [] }, gate.read);
    const b = sharedRead({}, "k", { tags: [] }, gate.read);
    assert.notEqual(a, b);
});

test("keepMs keeps sharing a settled answer, a change still drops it", async () => {
    const client = {};
    const kept = sharedRead(client, "caps", { tags: ["host"], keepMs: 60_000 }, async () => "caps");
    await kept;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(
        sharedRead(client, "caps", { tags: ["host"], keepMs: 60_000 }, async () => "new"),
        kept,
    );
    dropSharedReads(client, ["pool:x"]);
    assert.equal(
        sharedRead(client, "caps", { tags: ["host"], keepMs: 60_000 }, async () => "new"),
        kept,
    );
    dropSharedReads(client, ["*"]);
    assert.equal(await sharedRead(client, "caps", { tags: ["host"], keepMs: 60_000 }, async () => "new"), "new");
});

test("an answer put in place is shared until it expires, a change drops it or it is forgotten", async () => {
    const client = {};
    const fresh = async () => "read";
    keepSharedAnswer(client, "copy", { tags: ["network:a"], keepMs: 60_000 }, "carried");
    assert.equal(await sharedRead(client, "copy", { tags: ["network:a"] }, fresh), "carried");
    keepSharedAnswer(client, "copy", { tags: ["network:a"], keepMs: 60_000 }, "carried again");
    assert.equal(await sharedRead(client, "copy", { tags: ["network:a"] }, fresh), "carried again");
    dropSharedReads(client, ["network:a"]);
    assert.equal(await sharedRead(client, "copy", { tags: ["network:a"] }, fresh), "read");
    keepSharedAnswer(client, "copy", { tags: ["network:a"], keepMs: 60_000 }, "carried");
    forgetSharedRead(client, "copy");
    assert.equal(await sharedRead(client, "copy", { tags: ["network:a"] }, fresh), "read");
    keepSharedAnswer(client, "copy", { tags: ["network:a"], keepMs: -1 }, "expired");
    assert.equal(await sharedRead(client, "copy", { tags: ["network:a"] }, fresh), "read");
});

test("a failed read is not shared afterwards, not even with keepMs", async () => {
    const client = {};
    const failed = sharedRead(client, "k", { tags: [], keepMs: 60_000 }, async () => {
        throw new Error("no");
    });
    await assert.rejects(failed, /no/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await sharedRead(client, "k", { tags: [], keepMs: 60_000 }, async () => "ok"), "ok");
});

test("a change drops the reads whose tags it matches: same tag, a wildcard on either side, or everything", () => {
    const client = {};
    const pending = () => new Promise<string>(() => {});
    const cases: [readTag: string, changeTags: string[], dropped: boolean][] = [
        ["network:a", ["network:a"], true],
        ["network:a", ["network:b"], false],
        ["network:a", ["network:*"], true],
        ["network:*", ["network:b"], true],
        ["network:a", ["pool:a"], false],
        ["pool:a", ["pool-content:a"], false],
        ["domains", ["domains"], true],
        ["domains", ["pool:*"], false],
        ["host", ["*"], true],
    ];
    for (const [readTag, changeTags, dropped] of cases) {
        const first = sharedRead(client, readTag, { tags: [readTag] }, pending);
        dropSharedReads(client, changeTags);
        const next = sharedRead(client, readTag, { tags: [readTag] }, pending);
        assert.equal(next !== first, dropped, `${readTag} after a change touching ${changeTags.join(", ")}`);
        dropSharedReads(client, ["*"]);
    }
});

test("which tags a change touches, by procedure family", () => {
    const pool = { name: "images", uuid: Buffer.alloc(16) };
    const vol = { pool: "images", name: "a.qcow2", key: "/x/a.qcow2" };
    const net = { name: "lab", uuid: Buffer.alloc(16) };
    const dom = { name: "vm", uuid: Buffer.alloc(16), id: -1 };
    // Every volume call but a delete may add or change a backing image (volume/in-use.ts keeps a scan of them).
    assert.deepEqual(tagsTouchedBy("STORAGE_VOL_CREATE_XML", { pool, xml: "", flags: 0 }), [
        "pool-content:images",
        "backing-images",
    ]);
    assert.deepEqual(tagsTouchedBy("STORAGE_VOL_WIPE", { vol, flags: 0 }), ["pool-content:images", "backing-images"]);
    assert.deepEqual(tagsTouchedBy("STORAGE_VOL_DELETE", { vol, flags: 0 }), [
        "pool-content:images",
        "volume:images/a.qcow2",
    ]);
    assert.deepEqual(tagsTouchedBy("STORAGE_POOL_DESTROY", { pool }), ["pool:images", "pool-content:images"]);
    assert.deepEqual(tagsTouchedBy("STORAGE_POOL_DEFINE_XML", { xml: "", flags: 0 }), ["pool:*", "pool-content:*"]);
    assert.deepEqual(
        tagsTouchedBy("NETWORK_UPDATE", { net, command: 0, section: 0, parentIndex: -1, xml: "", flags: 0 }),
        ["network:lab"],
    );
    assert.deepEqual(tagsTouchedBy("NETWORK_DEFINE_XML", { xml: "" }), ["network:*"]);
    assert.deepEqual(tagsTouchedBy("DOMAIN_UNDEFINE_FLAGS", { dom, flags: 0 }), ["domains"]);
    assert.deepEqual(
        tagsTouchedBy("SECRET_UNDEFINE", { secret: { uuid: Buffer.alloc(16), usageType: 0, usageID: "" } }),
        ["secrets"],
    );
    assert.deepEqual(tagsTouchedBy("NODE_DEVICE_DESTROY", { name: "x" }), ["*"]);
});
