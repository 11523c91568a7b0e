import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { EngineError } from "../../tools/engine/emulator";
import { JsonFile } from "../fixtures/engine/json-file";
import { engineFixture, nameOf } from "./setup";

test("resources no longer in the program are deleted in reverse dependency order", async () => {
    const f = engineFixture();
    try {
        await f.engine().up(() => {
            const a = new JsonFile("a", { dir: f.dataDir, content: 1, name: "a" });
            const b = new JsonFile("b", { dir: f.dataDir, content: a.path, name: "b" });
            new JsonFile("c", { dir: f.dataDir, content: 3, name: "c" }, { dependsOn: [b] });
            new JsonFile("keep", { dir: f.dataDir, content: 4, name: "keep" });
        });
        f.resetCalls();
        const summary = await f.engine().up(() => {
            new JsonFile("keep", { dir: f.dataDir, content: 4, name: "keep" });
        });
        assert.deepEqual(f.calls("delete"), ["delete c", "delete b", "delete a"]);
        assert.deepEqual(
            summary.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["same keep", "delete c", "delete b", "delete a"],
        );
        const state = JSON.parse(readFileSync(f.stateFile, "utf8"));
        assert.deepEqual(
            state.resources.map((r: { urn: string }) => nameOf(r.urn)),
            ["keep"],
        );
    } finally {
        f.cleanup();
    }
});

test("an alias carries the old state to a renamed resource", async () => {
    const f = engineFixture();
    try {
        await f.engine().up(() => {
            new JsonFile("old", { dir: f.dataDir, content: 1, name: "file" });
        });
        const summary = await f.engine().up(() => {
            new JsonFile("new", { dir: f.dataDir, content: 1, name: "file" }, { aliases: [{ name: "old" }] });
        });
        assert.deepEqual(
            summary.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["same new"],
        );
    } finally {
        f.cleanup();
    }
});

test("protect stops a delete and keeps the resource in the state; retainOnDelete forgets without deleting", async () => {
    const f = engineFixture();
    try {
        const first = await f.engine().up(() => {
            const p = new JsonFile("p", { dir: f.dataDir, content: 1 }, { protect: true });
            const r = new JsonFile("r", { dir: f.dataDir, content: 2 }, { retainOnDelete: true });
            return { p: p.path, r: r.path };
        });
        // Removing both: r is forgotten (its file stays), p's delete is refused and fails the run.
        const err = await f
            .engine()
            .up(() => {})
            .then(
                () => assert.fail("expected the run to fail"),
                (e: unknown) => e as EngineError,
            );
        assert.ok(err instanceof EngineError);
        assert.match(err.message, /marked for protection/);
        assert.deepEqual(
            err.summary.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["delete r"],
        );
        assert.match(err.summary.steps[0]!.detail!, /retained/);
        assert.equal(existsSync(first.outputs.r as string), true, "a retained resource's object stays");

        await assert.rejects(f.engine().destroy(), /marked for protection/);
        assert.equal(existsSync(first.outputs.p as string), true);
        const state = JSON.parse(readFileSync(f.stateFile, "utf8"));
        assert.deepEqual(
            state.resources.map((r: { urn: string }) => nameOf(r.urn)),
            ["p"],
        );
        // Unprotecting (an up without the option) then lets destroy proceed.
        await f.engine().up(() => {
            new JsonFile("p", { dir: f.dataDir, content: 1 });
        });
        await f.engine().destroy();
        assert.equal(existsSync(first.outputs.p as string), false);
    } finally {
        f.cleanup();
    }
});

test("a resource can be unprotected and replaced in the same run", async () => {
    const f = engineFixture();
    try {
        await f.engine().up(() => {
            new JsonFile("a", { dir: f.dataDir, content: 1, name: "one" }, { protect: true });
        });
        await assert.rejects(
            f.engine().up(() => {
                new JsonFile("a", { dir: f.dataDir, content: 1, name: "two" }, { protect: true });
            }),
            /unable to replace resource .* marked for protection/,
        );
        f.resetCalls();
        const summary = await f.engine().up(() => {
            new JsonFile("a", { dir: f.dataDir, content: 1, name: "two" });
        });
        assert.deepEqual(
            summary.steps.map((s) => s.op),
            ["delete", "replace"],
        );
        assert.deepEqual(f.calls("create", "delete"), ["delete one", "create two"]);
    } finally {
        f.cleanup();
    }
});
