import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { JsonFile } from "../fixtures/engine/json-file";
import { engineFixture, nameOf } from "./setup";

test("refresh finds drift and deletion, and the next up repairs them", async () => {
    const f = engineFixture();
    try {
        const program = () => {
            const a = new JsonFile("a", { dir: f.dataDir, content: "declared" });
            const b = new JsonFile("b", { dir: f.dataDir, content: "declared" });
            const c = new JsonFile("c", { dir: f.dataDir, content: "declared" });
            return { a: a.path, b: b.path, c: c.path };
        };
        const up = await f.engine().up(program);
        writeFileSync(up.outputs.a as string, JSON.stringify({ content: "edited out of band" }));
        rmSync(up.outputs.b as string);
        f.resetCalls();

        const refresh = await f.engine().refresh();
        assert.deepEqual(f.calls("read").length, 3);
        const byName = Object.fromEntries(refresh.steps.map((s) => [nameOf(s.urn), s]));
        assert.equal(byName.a!.op, "refresh");
        assert.match(byName.a!.detail!, /outputs changed: content/);
        assert.match(byName.a!.detail!, /inputs changed: content/);
        assert.match(byName.b!.detail!, /deleted/);
        assert.equal(byName.c!.detail, "unchanged");
        assert.equal(refresh.counts.refresh, 3);

        const state = JSON.parse(readFileSync(f.stateFile, "utf8"));
        const names = state.resources.map((r: { urn: string }) => nameOf(r.urn));
        assert.deepEqual(names, ["a", "c"]);
        const a = state.resources[0];
        assert.equal(a.outputs.content, "edited out of band");
        assert.equal(a.inputs.content, "edited out of band", "read's inputs replace the state inputs");
        assert.equal(a.inputs.__provider, a.outputs.__provider, "__provider is kept in refreshed inputs");

        f.resetCalls();
        const repair = await f.engine().up(program);
        assert.deepEqual(repair.steps.map((s) => `${s.op} ${nameOf(s.urn)}`).sort(), [
            "create b",
            "same c",
            "update a",
        ]);
        assert.deepEqual(JSON.parse(readFileSync(up.outputs.a as string, "utf8")), { content: "declared" });
    } finally {
        f.cleanup();
    }
});

test("a state written with the old third copy of the provider text loads, and a refresh drops the copy", async () => {
    const f = engineFixture();
    try {
        await f.engine().up(() => {
            new JsonFile("a", { dir: f.dataDir, content: "declared" });
        });
        // As files written before 2026-12-07 held it: the provider's text again, beside outputs.__provider.
        const old = JSON.parse(readFileSync(f.stateFile, "utf8"));
        for (const r of old.resources) r.provider = r.outputs.__provider;
        writeFileSync(f.stateFile, JSON.stringify(old, null, 2));

        const refresh = await f.engine().refresh();
        assert.deepEqual(
            refresh.steps.map((s) => `${s.op} ${nameOf(s.urn)} ${s.detail}`),
            ["refresh a unchanged"],
        );
        const after = JSON.parse(readFileSync(f.stateFile, "utf8"));
        assert.equal(after.resources.length, 1);
        assert.equal(after.resources[0].provider, undefined);
        assert.equal(typeof after.resources[0].outputs.__provider, "string");
    } finally {
        f.cleanup();
    }
});
