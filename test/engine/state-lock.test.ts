/**
 * One operation per stack at a time: a second operation on a state file that a live process holds
 * fails at once and names that process; a lock left by a killed run is taken over; the lock goes
 * when the operation ends, whether it succeeded or failed.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { JsonFile } from "../fixtures/engine/json-file";
import { engineFixture } from "./setup";

test("a second operation on a locked stack fails at once, naming the process that holds it", async () => {
    const f = engineFixture();
    const holder = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
        writeFileSync(`${f.stateFile}.lock`, `${holder.pid}\n`);
        const started = Date.now();
        await assert.rejects(
            f.engine().up(() => {
                new JsonFile("a", { dir: f.dataDir, content: 1 });
            }),
            new RegExp(`locked by process ${holder.pid} \\(another operation on this stack is running\\)`),
        );
        assert.ok(Date.now() - started < 5000, "it did not wait");
        assert.equal(existsSync(`${f.stateFile}.lock`), true, "the holder's lock is left alone");
    } finally {
        holder.kill();
        f.cleanup();
    }
});

test("a lock left by a process that is gone is taken over, and released after the run", async () => {
    const f = engineFixture();
    try {
        const gone = spawnSync("true").pid;
        writeFileSync(`${f.stateFile}.lock`, `${gone}\n`);
        const summary = await f.engine().up(() => {
            new JsonFile("a", { dir: f.dataDir, content: 1 });
        });
        assert.equal(summary.counts.create, 1);
        assert.equal(existsSync(`${f.stateFile}.lock`), false, "released");
        // A failed run releases it too.
        await assert.rejects(
            f.engine().up(() => {
                new JsonFile("a", { dir: f.dataDir, content: "invalid" });
            }),
        );
        assert.equal(existsSync(`${f.stateFile}.lock`), false, "released after a failure");
    } finally {
        f.cleanup();
    }
});
