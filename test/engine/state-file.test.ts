import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadState, saveState } from "../../tools/engine/state-file";
import type { StateFile, StateResource } from "../../tools/engine/types";
import { isSecret, makeSecret } from "../../tools/engine/values";

function resource(name: string, outputs: Record<string, unknown>): StateResource {
    return {
        urn: `urn:pulumi:s::p::test:Thing::${name}`,
        type: "test:Thing",
        custom: true,
        dependencies: [],
        propertyDependencies: { a: ["urn:x"] },
        inputs: { name, nested: { list: [1, "two", null] } },
        outputs,
        options: {} as StateResource["options"],
        id: `id-${name}`,
    };
}

test("the state file is the state formatted by JSON.stringify with a two-space indent, resources or none", () => {
    const dir = mkdtempSync(join(tmpdir(), "pltest-state-file-"));
    try {
        const path = join(dir, "state.json");
        const empty: StateFile = { version: 1, project: "p", stack: "s", resources: [] };
        saveState(path, empty);
        assert.equal(readFileSync(path, "utf8"), `${JSON.stringify(empty, null, 2)}\n`);
        const full: StateFile = {
            version: 1,
            project: "p",
            stack: "s",
            resources: [resource("a", { text: 'quote " and \\ and\nnewline' }), resource("b", {})],
            pendingOperations: [{ urn: "urn:c", type: "creating", inputs: { x: 1 } }],
        };
        for (let i = 0; i < 2; i++) {
            // The second save answers from the kept texts; both must match the plain formatting.
            saveState(path, full);
            assert.equal(readFileSync(path, "utf8"), `${JSON.stringify(full, null, 2)}\n`);
        }
        assert.deepEqual(loadState(path, "p", "s"), full);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

test("a resource whose field is replaced is written anew, and its secrets stay sealed", () => {
    const dir = mkdtempSync(join(tmpdir(), "pltest-state-file-"));
    try {
        const path = join(dir, "state.json");
        const r = resource("a", { token: makeSecret("first-secret") });
        const state: StateFile = { version: 1, project: "p", stack: "s", resources: [r] };
        saveState(path, state);
        r.outputs = { token: makeSecret("second-secret"), extra: 2 };
        saveState(path, state);
        const text = readFileSync(path, "utf8");
        assert.doesNotMatch(text, /first-secret|second-secret/);
        const loaded = loadState(path, "p", "s").resources[0]!;
        assert.equal(loaded.outputs.extra, 2);
        assert.ok(isSecret(loaded.outputs.token));
        assert.equal((loaded.outputs.token as { value: unknown }).value, "second-secret");
        // The same resource saved into another stack's file is sealed with that file's key.
        const other = join(dir, "other.json");
        saveState(other, state);
        const again = loadState(other, "p", "s").resources[0]!;
        assert.equal((again.outputs.token as { value: unknown }).value, "second-secret");
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
