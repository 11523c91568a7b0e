import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { JsonFile, type JsonFileArgs } from "../fixtures/engine/json-file";
import { engineFixture, nameOf } from "./setup";

test("an autonamed replacement creates the new object before deleting the old one", async () => {
    const f = engineFixture();
    try {
        const program = (immutable: string) => () => {
            const a = new JsonFile("a", { dir: f.dataDir, content: 1, immutable });
            return { path: a.path };
        };
        const first = await f.engine().up(program("one"));
        f.resetCalls();
        const second = await f.engine().up(program("two"));
        assert.deepEqual(
            second.steps.map((s) => `${s.op} ${nameOf(s.urn)}`),
            ["replace a", "delete a"],
        );
        assert.match(second.steps[0]!.detail!, /replace keys: immutable; create-before-delete/);
        assert.deepEqual([second.counts.replace, second.counts.delete], [1, 0]);
        const [created, deleted] = [f.calls("create"), f.calls("delete")];
        assert.equal(created.length, 1);
        assert.equal(deleted.length, 1);
        assert.notEqual(created[0], deleted[0], "a fresh autoname: Check ran again with no olds");
        const order = f.calls("create", "delete").map((c) => c.split(" ")[0]);
        assert.deepEqual(order, ["create", "delete"]);
        assert.equal(existsSync(first.outputs.path as string), false);
        assert.equal(existsSync(second.outputs.path as string), true);
        // The check calls: one with the old inputs, then the replacement's re-check with none.
        assert.equal(f.calls("check").length, 2);
    } finally {
        f.cleanup();
    }
});

test("a replacement the provider marks deleteBeforeReplace deletes first", async () => {
    const f = engineFixture();
    try {
        const program = (name: string) => () => {
            new JsonFile("a", { dir: f.dataDir, content: 1, name });
        };
        await f.engine().up(program("first"));
        f.resetCalls();
        const summary = await f.engine().up(program("second"));
        assert.deepEqual(f.calls("create", "delete"), ["delete first", "create second"]);
        // As the engine reports it (delete-replaced, then replace): the old half's delete is a step
        // of its own, counted as part of the replacement.
        assert.deepEqual(
            summary.steps.map((s) => s.op),
            ["delete", "replace"],
        );
        assert.match(summary.steps[1]!.detail!, /replace keys: name; delete-before-replace/);
        assert.equal(summary.counts.replace, 1);
        assert.equal(summary.counts.delete, 0);
    } finally {
        f.cleanup();
    }
});

test("the deleteBeforeReplace option overrides the provider's answer either way", async () => {
    const f = engineFixture();
    try {
        const program = (args: Partial<JsonFileArgs>, deleteBeforeReplace: boolean) => () => {
            new JsonFile("a", { dir: f.dataDir, content: 1, ...args }, { deleteBeforeReplace });
        };
        await f.engine().up(program({ immutable: "1" }, true));
        f.resetCalls();
        await f.engine().up(program({ immutable: "2" }, true));
        assert.deepEqual(
            f.calls("create", "delete").map((c) => c.split(" ")[0]),
            ["delete", "create"],
        );
        // Explicit false: create-before-delete even though the provider asks to delete first. The fixed name
        // then collides, which is exactly why providers ask for delete-before-replace.
        await f.engine().destroy();
        await f.engine().up(program({ name: "n1" }, false));
        f.resetCalls();
        await f.engine().up(program({ name: "n2" }, false));
        assert.deepEqual(f.calls("create", "delete"), ["create n2", "delete n1"]);
    } finally {
        f.cleanup();
    }
});

test("delete-before-replace first deletes dependents that the change would replace", async () => {
    const f = engineFixture();
    try {
        const program = (name: string) => () => {
            const a = new JsonFile("a", { dir: f.dataDir, content: 1, name });
            // b's file name derives from a's name, so replacing a replaces b.
            new JsonFile("b", { dir: f.dataDir, content: 2, name: a.name.apply((n) => `${n}-b`) });
            new JsonFile("c", { dir: f.dataDir, content: a.name });
        };
        await f.engine().up(program("x"));
        f.resetCalls();
        const summary = await f.engine().up(program("y"));
        const calls = f.calls("create", "delete", "update");
        assert.deepEqual(calls.slice(0, 3), ["delete x-b", "delete x", "create y"]);
        // b and c then run concurrently: b is created anew as its replacement, c, whose diff does not
        // replace, is only updated.
        assert.deepEqual(
            calls
                .slice(3)
                .map((c) => c.replace(/-[0-9a-f]{7}$/, ""))
                .sort(),
            ["create y-b", "update c"],
        );
        const steps = summary.steps.map((s) => `${s.op} ${nameOf(s.urn)}`);
        assert.deepEqual(steps.slice(0, 3), ["delete b", "delete a", "replace a"]);
        assert.deepEqual(steps.slice(3).sort(), ["replace b", "update c"]);
        assert.equal(summary.counts.replace, 2, "b's delete and re-creation count as its replacement");
        assert.equal(summary.counts.delete, 0);
    } finally {
        f.cleanup();
    }
});

test("replaceOnChanges applies only when diff leaves the input diff to the engine", async () => {
    const f = engineFixture();
    try {
        const program = (content: number, engineDiff: boolean) => () => {
            new JsonFile("a", { dir: f.dataDir, content, engineDiff }, { replaceOnChanges: ["content"] });
        };
        await f.engine().up(program(1, true));
        const engineSide = await f.engine().up(program(2, true));
        assert.equal(engineSide.steps[0]!.op, "replace");
        assert.match(engineSide.steps[0]!.detail!, /replace keys: content/);
        await f.engine().destroy();
        await f.engine().up(program(1, false));
        const providerSide = await f.engine().up(program(2, false));
        assert.equal(providerSide.steps[0]!.op, "update", "changes: true hides the option (pulumi-dynamic.md §1.8)");
    } finally {
        f.cleanup();
    }
});

test("an engine-side diff reports the changed keys, and ignoreChanges keeps the old value", async () => {
    const f = engineFixture();
    try {
        const program = (content: number, immutable: string, ignore: string[]) => () => {
            new JsonFile("a", { dir: f.dataDir, content, immutable, engineDiff: true }, { ignoreChanges: ignore });
        };
        await f.engine().up(program(1, "i", []));
        const update = await f.engine().up(program(2, "i", []));
        assert.equal(update.steps[0]!.op, "update");
        assert.equal(update.steps[0]!.detail, "changed: content");
        const ignored = await f.engine().up(program(3, "j", ["content", "immutable"]));
        assert.equal(ignored.steps[0]!.op, "same");
    } finally {
        f.cleanup();
    }
});
