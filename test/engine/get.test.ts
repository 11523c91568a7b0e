import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { JsonFile } from "../fixtures/engine/json-file";
import { engineFixture, nameOf } from "./setup";

test("get reads an existing object by ID, and destroy only forgets it", async () => {
    const f = engineFixture();
    try {
        const path = join(f.dataDir, "existing.json");
        writeFileSync(path, JSON.stringify({ content: { made: "elsewhere" } }));
        const summary = await f.engine().up(() => {
            const found = JsonFile.get("found", path);
            return { content: found.content, name: found.name };
        });
        assert.deepEqual(summary.outputs, { content: { made: "elsewhere" }, name: "existing" });
        assert.deepEqual(
            summary.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["read found"],
        );
        const reg = summary.registrations[0]!;
        assert.equal(reg.id, path);
        assert.equal(typeof reg.inputs.__provider, "string", "get sends __provider in the inputs");
        const state = JSON.parse(readFileSync(f.stateFile, "utf8"));
        assert.equal(state.resources[0].external, true);

        await f.engine().destroy();
        assert.equal(existsSync(path), true, "a resource read with get is never deleted");
        await assert.rejects(
            f.engine().up(() => {
                JsonFile.get("missing", join(f.dataDir, "nope.json"));
            }),
            /does not exist/,
        );
    } finally {
        f.cleanup();
    }
});
