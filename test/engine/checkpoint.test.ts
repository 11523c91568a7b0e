/**
 * The emulator keeps state as the engine does: written after every step, with the operation in
 * flight, so killing the process running `up` between two creates leaves a state that holds the
 * first object and names the second as pending; the next `up` says so, keeps the first (no second
 * copy) and finishes the job, and a `destroy` instead removes the pending create's object too.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { StateFile } from "../../tools/engine";
import { engineFixture } from "./setup";

const DIST = join(__dirname, "..", "..");
const RUN = join(DIST, "tools", "lab", "run-engine.js");
const PROGRAM = join(DIST, "test", "fixtures", "engine", "slow-program.js");

async function until<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const found = probe();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** Starts `up` of the slow program and kills it once b's create is in flight; answers that checkpoint. */
async function killedUp(args: string[], stateFile: string): Promise<StateFile> {
    const child = spawn(process.execPath, [RUN, "up", "--program", PROGRAM, ...args, "--config", "delayMs=60000"], {
        stdio: "ignore",
    });
    const state = await until("a checkpoint with b in flight", () => {
        if (!existsSync(stateFile)) return undefined;
        const s = JSON.parse(readFileSync(stateFile, "utf8")) as StateFile;
        return s.pendingOperations?.some((p) => p.urn.endsWith("::b")) ? s : undefined;
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    return state;
}

test("a killed up leaves a state with what it made and what was in flight; the next up converges", async () => {
    const f = engineFixture();
    try {
        const args = ["--state", f.stateFile, "--cwd", f.dir, "--project", "proj", "--config", `dir=${f.dataDir}`];
        const state = await killedUp(args, f.stateFile);
        assert.ok(
            state.resources.some((r) => r.urn.endsWith("::a")),
            "the state already holds a, created before the kill",
        );
        assert.deepEqual(
            state.pendingOperations?.map((p) => `${p.type} ${p.urn.split("::").pop()}`),
            ["creating b"],
        );
        assert.equal(existsSync(`${f.stateFile}.lock`), true, "the killed run's lock is left behind");

        const summary = await f.engine({ config: { dir: f.dataDir } }).up(PROGRAM);
        const ops = summary.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        assert.ok(ops.includes("same a"), `a is kept, not made twice: ${ops.join(", ")}`);
        assert.ok(ops.includes("create b"), ops.join(", "));
        const after = JSON.parse(readFileSync(f.stateFile, "utf8")) as StateFile;
        assert.equal(after.pendingOperations, undefined, "nothing left in flight");
        assert.equal(existsSync(`${f.stateFile}.lock`), false, "the stale lock was taken over and released");
    } finally {
        f.cleanup();
    }
});

test("destroy right after a killed up removes the object of the create it left pending, found by the provider", async () => {
    const f = engineFixture();
    try {
        const args = ["--state", f.stateFile, "--cwd", f.dir, "--project", "proj", "--config", `dir=${f.dataDir}`];
        const state = await killedUp(args, f.stateFile);
        // The create of b had made its object when the run died (its reply never reached the state).
        const b = state.pendingOperations!.find((p) => p.urn.endsWith("::b"))!;
        const name = (b.inputs as { name: string }).name;
        writeFileSync(join(f.dataDir, `${name}.json`), JSON.stringify({ content: "made before the kill" }));
        assert.equal(readdirSync(f.dataDir).length, 2, "a's and b's files exist");

        const summary = await f.engine({ config: { dir: f.dataDir } }).destroy();
        const steps = summary.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}${s.detail ? ` (${s.detail})` : ""}`);
        assert.deepEqual(steps, ["delete b (interrupted create: deleted the object it made)", "delete a"]);
        assert.deepEqual(readdirSync(f.dataDir), [], "nothing is left");
        const after = JSON.parse(readFileSync(f.stateFile, "utf8")) as StateFile;
        assert.equal(after.pendingOperations, undefined, "no pending create is left in the state");
        assert.deepEqual(after.resources, []);
    } finally {
        f.cleanup();
    }
});
