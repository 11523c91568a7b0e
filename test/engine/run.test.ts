import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { EngineError } from "../../tools/engine/emulator";
import { JsonFile } from "../fixtures/engine/json-file";
import * as runtime from "../fixtures/engine/json-file-runtime";
import { engineFixture, nameOf } from "./setup";

test("independent steps run concurrently up to `parallel`", async () => {
    const f = engineFixture();
    try {
        const program = () => {
            for (let i = 0; i < 4; i++) new JsonFile(`r${i}`, { dir: f.dataDir, content: i, delayMs: 200 });
        };
        await f.engine({ parallel: 8 }).up(program);
        // All four are registered at once; under load some may start late, so only "more than one" is certain.
        assert.ok(runtime.concurrency.max > 1, `max concurrent creates: ${runtime.concurrency.max}`);
        await f.engine().destroy();
        f.resetCalls();
        await f.engine({ parallel: 1 }).up(program);
        assert.equal(runtime.concurrency.max, 1);
    } finally {
        f.cleanup();
    }
});

test("a program that throws fails the run and deletes nothing it did not register", async () => {
    const f = engineFixture();
    try {
        const first = await f.engine().up(() => {
            const a = new JsonFile("a", { dir: f.dataDir, content: 1 });
            const b = new JsonFile("b", { dir: f.dataDir, content: 2 });
            return { a: a.path, b: b.path };
        });
        const err = await f
            .engine()
            .up(() => {
                new JsonFile("a", { dir: f.dataDir, content: 1 });
                throw new Error("program bug");
            })
            .then(
                () => assert.fail("expected the run to fail"),
                (e: unknown) => e as EngineError,
            );
        assert.ok(err instanceof EngineError);
        assert.match(err.message, /program bug/);
        assert.deepEqual(
            err.summary.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["same a"],
        );
        assert.equal(existsSync(first.outputs.b as string), true);
    } finally {
        f.cleanup();
    }
});

test("a module program given by a relative path runs in the project folder with stack config", async () => {
    const f = engineFixture();
    try {
        const program = join(__dirname, "..", "fixtures", "engine", "program.js");
        const summary = await f.engine({ config: { dir: f.dataDir, count: "3" } }).up(relative(process.cwd(), program));
        assert.equal(summary.counts.create, 3);
        assert.equal((summary.outputs.paths as string[]).length, 3);
        // Loaded afresh each time: a second run in the same process runs the program again.
        const again = await f.engine({ config: { dir: f.dataDir, count: "2" } }).up(program);
        assert.deepEqual([again.counts.same, again.counts.delete], [2, 1]);
    } finally {
        f.cleanup();
    }
});
