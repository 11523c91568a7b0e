import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupCommit } from "../../tools/engine/group-commit";

/** A write that ends when the test says so, recording what it saw when it started. */
function controlledWrites() {
    const started: number[] = [];
    const finish: ((error?: Error) => void)[] = [];
    let state = 0;
    const group = new GroupCommit(
        () =>
            new Promise<void>((resolve, reject) => {
                started.push(state);
                finish.push((error) => (error ? reject(error) : resolve()));
            }),
    );
    return { group, started, finish, set: (v: number) => (state = v) };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test("requests made while a write runs share the next write, which sees the state as it is when it starts", async () => {
    const w = controlledWrites();
    w.set(1);
    let firstDone = false;
    const first = w.group.commit().then(() => (firstDone = true));
    await tick();
    assert.deepEqual(w.started, [1]);
    w.set(2);
    const second = w.group.commit();
    w.set(3);
    const third = w.group.commit();
    assert.equal(second, third, "both wait for the same write");
    await tick();
    assert.deepEqual(w.started, [1], "no second write while the first runs");
    assert.equal(firstDone, false);
    w.finish[0]!();
    await first;
    await tick();
    assert.deepEqual(w.started, [1, 3], "the shared write took the latest state");
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await tick();
    assert.equal(secondDone, false, "a request is not answered before its write ends");
    w.finish[1]!();
    await second;
    await w.group.idle();
    assert.equal(w.started.length, 2);
});

test("a failed write rejects its own requesters only, and the next request writes again", async () => {
    const w = controlledWrites();
    const failing = w.group.commit();
    await tick();
    const after = w.group.commit();
    w.finish[0]!(new Error("disk full"));
    await assert.rejects(failing, /disk full/);
    await tick();
    assert.equal(w.started.length, 2, "the waiting request got a write of its own");
    w.finish[1]!();
    await after;
    const idle = w.group.idle();
    await idle;
});

test("idle waits for the running and the queued write", async () => {
    const w = controlledWrites();
    void w.group.commit();
    await tick();
    void w.group.commit();
    let idle = false;
    const waiting = w.group.idle().then(() => (idle = true));
    w.finish[0]!();
    await tick();
    await tick();
    assert.equal(idle, false, "the queued write has started and not ended");
    assert.equal(w.started.length, 2);
    w.finish[1]!();
    await waiting;
    assert.equal(idle, true);
});
