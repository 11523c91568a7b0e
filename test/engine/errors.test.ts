import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { EngineError } from "../../tools/engine/emulator";
import { JsonFile, type JsonFileArgs } from "../fixtures/engine/json-file";
import { engineFixture, nameOf } from "./setup";

async function failure(promise: Promise<unknown>): Promise<EngineError> {
    try {
        await promise;
    } catch (e) {
        assert.ok(e instanceof EngineError, String(e));
        return e;
    }
    assert.fail("expected the run to fail");
}

test("an undefined value in create's outputs fails like the host's Struct conversion", async () => {
    const f = engineFixture();
    try {
        const err = await failure(
            f.engine().up(() => {
                new JsonFile("a", { dir: f.dataDir, content: 1, badOutput: true });
            }),
        );
        assert.match(err.message, /create failed: create result: Unexpected struct type/);
        assert.deepEqual(err.summary.steps, []);
    } finally {
        f.cleanup();
    }
});

test("a create that throws fails the run with the provider's message; nothing is recorded", async () => {
    const f = engineFixture();
    try {
        const err = await failure(
            f.engine().up(() => {
                const a = new JsonFile("a", { dir: f.dataDir, content: 1, name: "a", failCreate: "plain" });
                new JsonFile("b", { dir: f.dataDir, content: a.path, name: "b" });
            }),
        );
        assert.match(err.message, /JsonFile::a: create failed: cannot create a: failCreate is set/);
        assert.deepEqual(f.calls("create"), ["create a"], "no step starts after a failure");
        assert.deepEqual(JSON.parse(readFileSync(f.stateFile, "utf8")).resources, []);
    } finally {
        f.cleanup();
    }
});

test("a partial create (id/properties/reasons) is kept, then updated by the next up and deletable", async () => {
    const f = engineFixture();
    try {
        const program = (extra: Partial<JsonFileArgs>) => () => {
            new JsonFile("a", { dir: f.dataDir, content: 1, name: "a", ...extra });
        };
        const err = await failure(f.engine().up(program({ failCreate: "partial" })));
        assert.match(err.message, /a was written but did not start/);
        const state = JSON.parse(readFileSync(f.stateFile, "utf8"));
        assert.equal(state.resources.length, 1);
        assert.deepEqual(state.resources[0].initErrors, ["did not start"]);
        const path = state.resources[0].id;
        assert.equal(existsSync(path), true);

        f.resetCalls();
        const next = await f.engine().up(program({}));
        assert.deepEqual(
            next.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["update a"],
        );
        assert.deepEqual(f.calls("create", "update"), ["update a"]);
        const after = JSON.parse(readFileSync(f.stateFile, "utf8"));
        assert.equal(after.resources[0].initErrors, undefined);
        await f.engine().destroy();
        assert.equal(existsSync(path), false);
    } finally {
        f.cleanup();
    }
});

test("an unchanged resource with init errors is still updated (the engine retries initialisation)", async () => {
    const f = engineFixture();
    try {
        const program = () => {
            new JsonFile("a", { dir: f.dataDir, content: 1, name: "a", failCreate: "partial" });
        };
        await failure(f.engine().up(program));
        f.resetCalls();
        const next = await f.engine().up(program);
        assert.equal(next.steps[0]!.op, "update");
        assert.match(next.steps[0]!.detail!, /failed to initialise/);
    } finally {
        f.cleanup();
    }
});

test("check failures stop the run before any create, naming property and reason", async () => {
    const f = engineFixture();
    try {
        const err = await failure(
            f.engine().up(() => {
                new JsonFile("a", { dir: f.dataDir, content: "invalid" });
            }),
        );
        assert.match(err.message, /resource 'a': property content value "invalid" has a problem: content must not be/);
        assert.deepEqual(f.calls("create"), []);
    } finally {
        f.cleanup();
    }
});

test("after a failed run the old half of a replacement stays pending-delete, and the next up deletes it", async () => {
    const f = engineFixture();
    try {
        const program = (immutable: string, failB: boolean) => () => {
            const a = new JsonFile("a", { dir: f.dataDir, content: 1, immutable });
            new JsonFile("b", {
                dir: f.dataDir,
                content: a.path,
                name: "b",
                ...(failB ? { failCreate: "plain" } : {}),
            });
        };
        await f.engine().up(() => {
            new JsonFile("a", { dir: f.dataDir, content: 1, immutable: "one" });
        });
        const err = await failure(f.engine().up(program("two", true)));
        assert.match(err.message, /cannot create b/);
        const state = JSON.parse(readFileSync(f.stateFile, "utf8"));
        const entries = state.resources.map(
            (r: { urn: string; pendingDelete?: boolean }) =>
                `${nameOf(r.urn)}${r.pendingDelete ? " (pending delete)" : ""}`,
        );
        assert.deepEqual(entries.sort(), ["a", "a (pending delete)"]);
        const [oldA] = state.resources.filter((r: { pendingDelete?: boolean }) => r.pendingDelete);
        assert.equal(existsSync(oldA.id), true);

        f.resetCalls();
        const next = await f.engine().up(program("two", false));
        assert.deepEqual(
            next.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["same a", "create b", "delete a"],
        );
        assert.equal(existsSync(oldA.id), false);
        const after = JSON.parse(readFileSync(f.stateFile, "utf8"));
        assert.equal(after.resources.filter((r: { pendingDelete?: boolean }) => r.pendingDelete).length, 0);
    } finally {
        f.cleanup();
    }
});
