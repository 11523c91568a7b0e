/**
 * The deletes an `up` plans (resources the program no longer registers, old halves of
 * create-before-delete replacements) run as the engine runs them: independent ones side by side
 * within `parallel`, each only once what depends on it is deleted; after a failed delete no other
 * starts, except after a refusal to delete a protected resource. The JsonFile runtime logs the
 * start and end of every delete (`deleteEvents`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { EngineError } from "../../tools/engine/emulator";
import { JsonFile } from "../fixtures/engine/json-file";
import * as runtime from "../fixtures/engine/json-file-runtime";
import { engineFixture, nameOf } from "./setup";

const at = (event: string) => {
    const i = runtime.deleteEvents.indexOf(event);
    assert.ok(i >= 0, `no "${event}" in ${JSON.stringify(runtime.deleteEvents)}`);
    return i;
};

function stateNames(stateFile: string): string[] {
    const state = JSON.parse(readFileSync(stateFile, "utf8"));
    assert.equal(state.pendingOperations, undefined, "nothing is left in flight");
    return state.resources.map((r: { urn: string }) => nameOf(r.urn)).sort();
}

async function failedUp(run: Promise<unknown>): Promise<EngineError> {
    const err = await run.then(
        () => assert.fail("expected the run to fail"),
        (e: unknown) => e,
    );
    assert.ok(err instanceof EngineError, String(err));
    return err;
}

test("removed resources that do not depend on each other are deleted side by side, at most `parallel` at once", async () => {
    const f = engineFixture();
    try {
        const all = () => {
            for (const name of ["a", "b", "c"])
                new JsonFile(name, { dir: f.dataDir, content: name, name, deleteDelayMs: 150 });
            new JsonFile("keep", { dir: f.dataDir, content: 0, name: "keep" });
        };
        const shrunk = () => {
            new JsonFile("keep", { dir: f.dataDir, content: 0, name: "keep" });
        };
        await f.engine({ parallel: 8 }).up(all);
        f.resetCalls();
        const summary = await f.engine({ parallel: 8 }).up(shrunk);
        const firstEnd = runtime.deleteEvents.findIndex((e) => e.startsWith("end "));
        assert.deepEqual(
            runtime.deleteEvents.slice(0, firstEnd).sort(),
            ["start a", "start b", "start c"],
            `all three started before any ended: ${JSON.stringify(runtime.deleteEvents)}`,
        );
        assert.deepEqual(summary.steps.map((s) => `${s.op} ${nameOf(s.urn)}`).sort(), [
            "delete a",
            "delete b",
            "delete c",
            "same keep",
        ]);
        assert.deepEqual(stateNames(f.stateFile), ["keep"]);

        // parallel 1: the same cap as the creates, one delete at a time.
        await f.engine({ parallel: 8 }).up(all);
        f.resetCalls();
        await f.engine({ parallel: 1 }).up(shrunk);
        assert.equal(runtime.deleteEvents.length, 6);
        for (let i = 0; i < 6; i += 2) {
            const name = runtime.deleteEvents[i]!.split(" ")[1];
            assert.deepEqual(runtime.deleteEvents.slice(i, i + 2), [`start ${name}`, `end ${name}`]);
        }
    } finally {
        f.cleanup();
    }
});

test("a dependent is deleted before what it depends on; an unrelated delete runs beside them", async () => {
    const f = engineFixture();
    try {
        await f.engine().up(() => {
            const base = new JsonFile("base", { dir: f.dataDir, content: 1, name: "base", deleteDelayMs: 80 });
            const mid = new JsonFile("mid", { dir: f.dataDir, content: base.path, name: "mid", deleteDelayMs: 80 });
            new JsonFile("top", { dir: f.dataDir, content: 3, name: "top", deleteDelayMs: 80 }, { dependsOn: [mid] });
            new JsonFile("other", { dir: f.dataDir, content: 4, name: "other", deleteDelayMs: 400 });
        });
        f.resetCalls();
        const summary = await f.engine({ parallel: 8 }).up(() => {});
        assert.ok(at("end top") < at("start mid"), "mid waits for top (dependsOn)");
        assert.ok(at("end mid") < at("start base"), "base waits for mid (an input from base)");
        assert.ok(at("start other") < at("end top"), "other is deleted beside the chain");
        const deletes = summary.steps.map((s) => nameOf(s.urn));
        assert.ok(deletes.indexOf("top") < deletes.indexOf("mid") && deletes.indexOf("mid") < deletes.indexOf("base"));
        assert.equal(summary.counts.delete, 4);
        assert.deepEqual(stateNames(f.stateFile), []);
    } finally {
        f.cleanup();
    }
});

test("after a failed delete no other delete starts; the ones running finish and the state keeps the rest", async () => {
    const f = engineFixture();
    try {
        await f.engine().up(() => {
            const base = new JsonFile("base", { dir: f.dataDir, content: 1, name: "base" });
            // bad fails after 30 ms, while xdep's delete (200 ms) is running.
            new JsonFile("bad", {
                dir: f.dataDir,
                content: base.path,
                name: "bad",
                deleteDelayMs: 30,
                failDelete: true,
            });
            const x = new JsonFile("x", { dir: f.dataDir, content: 2, name: "x" });
            new JsonFile("xdep", { dir: f.dataDir, content: x.path, name: "xdep", deleteDelayMs: 200 });
        });
        f.resetCalls();
        const err = await failedUp(f.engine({ parallel: 8 }).up(() => {}));
        assert.match(err.message, /bad: delete failed: cannot delete bad: failDelete is set/);
        assert.ok(at("start xdep") < at("end bad"), "xdep's delete was running when bad's failed");
        assert.ok(at("end bad") < at("end xdep"));
        assert.equal(
            runtime.deleteEvents.includes("start x"),
            false,
            "x's delete would have started after the failure",
        );
        assert.equal(runtime.deleteEvents.includes("start base"), false, "bad, still there, keeps what it uses");
        assert.deepEqual(
            err.summary.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["delete xdep"],
        );
        assert.deepEqual(stateNames(f.stateFile), ["bad", "base", "x"]);
        // The next run (the failing input gone from the program's view: bad is still in the state) finishes the job.
        f.resetCalls();
        await assert.rejects(
            f.engine().up(() => {}),
            /bad: delete failed/,
        );
        assert.deepEqual(stateNames(f.stateFile), ["bad", "base"], "x has nothing left depending on it");
    } finally {
        f.cleanup();
    }
});

test("a protected resource's refusal does not stop the other deletes; what it depends on is kept", async () => {
    const f = engineFixture();
    try {
        await f.engine().up(() => {
            new JsonFile("q", { dir: f.dataDir, content: 0, name: "q" });
            const base = new JsonFile("base", { dir: f.dataDir, content: 1, name: "base" });
            new JsonFile("p", { dir: f.dataDir, content: base.path, name: "p" }, { protect: true });
            new JsonFile("r", { dir: f.dataDir, content: 2, name: "r" });
        });
        f.resetCalls();
        const err = await failedUp(f.engine({ parallel: 1 }).up(() => {}));
        assert.match(err.message, /p: delete failed: unable to delete resource .* marked for protection/);
        assert.deepEqual(f.calls("delete").sort(), ["delete q", "delete r"]);
        assert.deepEqual(stateNames(f.stateFile), ["base", "p"]);
    } finally {
        f.cleanup();
    }
});

test("the old halves of create-before-delete replacements are deleted side by side after the creates", async () => {
    const f = engineFixture();
    try {
        const program = (immutable: string) => () => {
            for (const name of ["a", "b"])
                new JsonFile(name, { dir: f.dataDir, content: 1, immutable, deleteDelayMs: 150 });
        };
        await f.engine().up(program("one"));
        f.resetCalls();
        const summary = await f.engine({ parallel: 8 }).up(program("two"));
        assert.deepEqual(
            f.calls("create", "delete").map((c) => c.split(" ")[0]),
            ["create", "create", "delete", "delete"],
        );
        assert.deepEqual(
            runtime.deleteEvents.map((e) => e.split(" ")[0]),
            ["start", "start", "end", "end"],
        );
        assert.deepEqual([summary.counts.replace, summary.counts.delete], [2, 0]);
        assert.deepEqual(stateNames(f.stateFile), ["a", "b"]);
    } finally {
        f.cleanup();
    }
});
