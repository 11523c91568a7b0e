import assert from "node:assert/strict";
import { test } from "node:test";
import { isLocked, lockKey, retryWhile, withLock, withSharedLock } from "../../../provider/resources/shared/locks";

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

test("holders of one key run one at a time, in arrival order", async () => {
    const events: string[] = [];
    const job = (id: string) =>
        withLock("net a", async () => {
            events.push(`start ${id}`);
            await tick();
            events.push(`end ${id}`);
            return id;
        });
    const results = await Promise.all([job("1"), job("2"), job("3")]);
    assert.deepEqual(results, ["1", "2", "3"]);
    assert.deepEqual(events, ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
    assert.equal(isLocked("net a"), false, "the key is forgotten when the queue empties");
});

test("different keys run concurrently", async () => {
    let running = 0;
    let peak = 0;
    const job = (key: string) =>
        withLock(key, async () => {
            running++;
            peak = Math.max(peak, running);
            await tick(10);
            running--;
        });
    await Promise.all([job("pool a"), job("pool b"), job("pool c")]);
    assert.equal(peak, 3);
});

test("a failing holder releases the key and its error reaches only its caller", async () => {
    const first = withLock("k", async () => {
        throw new Error("boom");
    });
    const second = withLock("k", async () => "ok");
    await assert.rejects(first, /boom/);
    assert.equal(await second, "ok");
    assert.equal(isLocked("k"), false);
});

test("shared holders run together, never beside an exclusive one, and wait behind one that came first", async () => {
    const events: string[] = [];
    const job = (id: string, lock: typeof withLock) =>
        lock("pool p", async () => {
            events.push(`start ${id}`);
            await tick();
            events.push(`end ${id}`);
        });
    await Promise.all([
        job("s1", withSharedLock),
        job("s2", withSharedLock),
        job("x", withLock),
        job("s3", withSharedLock),
        job("s4", withSharedLock),
    ]);
    assert.deepEqual(events, [
        "start s1",
        "start s2",
        "end s1",
        "end s2",
        "start x",
        "end x",
        "start s3",
        "start s4",
        "end s3",
        "end s4",
    ]);
    assert.equal(isLocked("pool p"), false);
});

test("a failing shared holder releases its share", async () => {
    const failing = withSharedLock("q", async () => {
        throw new Error("boom");
    });
    const exclusive = withLock("q", async () => "ok");
    await assert.rejects(failing, /boom/);
    assert.equal(await exclusive, "ok");
    assert.equal(isLocked("q"), false);
});

test("lockKey separates kinds, hosts and names", () => {
    assert.notEqual(lockKey("pool", "qemu:///system", "a"), lockKey("pool", "qemu+tcp://h/system", "a"));
    assert.notEqual(lockKey("pool", "qemu:///system", "a"), lockKey("network", "qemu:///system", "a"));
});

test("retryWhile retries transient failures with backoff and gives up after the attempts", async () => {
    let calls = 0;
    const value = await retryWhile(
        (e) => (e as Error).message === "busy",
        async () => {
            calls++;
            if (calls < 3) throw new Error("busy");
            return "done";
        },
        { firstDelayMs: 1 },
    );
    assert.equal(value, "done");
    assert.equal(calls, 3);

    calls = 0;
    await assert.rejects(
        retryWhile(
            () => true,
            async () => {
                calls++;
                throw new Error(`busy ${calls}`);
            },
            { attempts: 4, firstDelayMs: 1 },
        ),
        /busy 4/,
    );
    calls = 0;
    await assert.rejects(
        retryWhile(
            () => false,
            async () => {
                calls++;
                throw new Error("fatal");
            },
        ),
        /fatal/,
    );
    assert.equal(calls, 1, "a permanent error is not retried");
});
