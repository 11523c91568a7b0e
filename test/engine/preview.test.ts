import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { UNKNOWN } from "../../tools/engine/values";
import { JsonFile } from "../fixtures/engine/json-file";
import { engineFixture, nameOf } from "./setup";

test("preview runs check and diff only, plans every step and writes no state", async () => {
    const f = engineFixture();
    try {
        const seen: unknown[] = [];
        const program = (content: number, withB: boolean) => () => {
            const a = new JsonFile("a", { dir: f.dataDir, content });
            if (withB) new JsonFile("b", { dir: f.dataDir, content: 1 });
            const c = new JsonFile("c", { dir: f.dataDir, content: a.path });
            c.content.apply((v) => seen.push(v));
            return { path: a.path };
        };
        const planned = await f.engine().preview(program(1, true));
        assert.deepEqual(planned.steps.map((s) => `${s.op} ${nameOf(s.urn)}`).sort(), [
            "create a",
            "create b",
            "create c",
        ]);
        assert.deepEqual(f.calls("create", "update", "delete", "read"), []);
        assert.equal(existsSync(f.stateFile), false);
        assert.deepEqual(readdirSync(f.dataDir), []);
        // a's path is an output only create knows: c's check saw the unknown sentinel, the program an unknown.
        const c = planned.registrations.find((r) => r.name === "c")!;
        assert.equal(c.inputs.content, UNKNOWN);
        assert.equal(planned.outputs.path, UNKNOWN);
        assert.deepEqual(seen, [], "apply does not run on unknown values in preview");

        await f.engine().up(program(1, true));
        f.resetCalls();
        const second = await f.engine().preview(program(2, false));
        // a's update previews with its inputs as state, so its path is unknown again and c shows an update:
        // what the real engine plans for a provider without preview support.
        assert.deepEqual(
            second.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["update a", "update c", "delete b"],
        );
        assert.equal(second.registrations.find((r) => r.name === "c")!.inputs.content, UNKNOWN);
        assert.deepEqual(f.calls("create", "update", "delete"), []);
        assert.ok(f.calls("diff").length >= 2);
    } finally {
        f.cleanup();
    }
});
