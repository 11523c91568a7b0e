import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { JsonFile } from "../fixtures/engine/json-file";
import * as runtime from "../fixtures/engine/json-file-runtime";
import { engineFixture, nameOf } from "./setup";

const ops = (steps: { urn: string; op: string }[]) => steps.map((s) => `${s.op} ${nameOf(s.urn)}`);

test("up creates, a second up is all same, an edit updates, destroy deletes everything", async () => {
    const f = engineFixture();
    try {
        const program = (content: unknown) => () => {
            const a = new JsonFile("a", { dir: f.dataDir, content });
            return { path: a.path, size: a.size };
        };
        const first = await f.engine().up(program({ v: 1 }));
        assert.deepEqual(ops(first.steps), ["create a"]);
        assert.equal(first.counts.create, 1);
        const path = first.outputs.path as string;
        assert.match(path, /a-[0-9a-f]{7}\.json$/);
        assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { content: { v: 1 } });

        f.resetCalls();
        const second = await f.engine().up(program({ v: 1 }));
        assert.deepEqual(ops(second.steps), ["same a"]);
        assert.deepEqual(f.calls("create", "update", "delete"), []);
        assert.equal(second.outputs.path, path, "the autoname is kept across runs");

        const third = await f.engine().up(program({ v: 2 }));
        assert.deepEqual(ops(third.steps), ["update a"]);
        assert.equal(third.steps[0]!.detail, undefined);
        assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { content: { v: 2 } });

        const gone = await f.engine().destroy();
        assert.deepEqual(ops(gone.steps), ["delete a"]);
        assert.equal(existsSync(path), false);
        assert.deepEqual(JSON.parse(readFileSync(f.stateFile, "utf8")).resources, []);
    } finally {
        f.cleanup();
    }
});

test("the state file carries everything between separate emulator instances", async () => {
    const f = engineFixture();
    try {
        const program = () => {
            const a = new JsonFile("a", { dir: f.dataDir, content: 1 });
            new JsonFile("b", { dir: f.dataDir, content: a.path }, { dependsOn: [a], protect: false });
        };
        await f.engine().up(program);
        const state = JSON.parse(readFileSync(f.stateFile, "utf8"));
        assert.equal(state.project, "proj");
        assert.equal(state.stack, "dev");
        const [a, b] = state.resources;
        assert.equal(nameOf(a.urn), "a");
        assert.equal(a.type, "pulumi-nodejs:dynamic/engine-fixture:JsonFile");
        assert.equal(a.id, a.outputs.path);
        assert.equal(typeof a.outputs.__provider, "string");
        assert.equal(a.inputs.__provider, a.outputs.__provider);
        assert.equal(a.provider, undefined, "the provider's text is not stored a third time");
        assert.deepEqual(b.dependencies, [a.urn]);
        assert.deepEqual(b.propertyDependencies.content, [a.urn]);
        // A brand-new emulator (a new "process") sees the same stack.
        f.resetCalls();
        const again = await f.engine().up(program);
        assert.deepEqual(ops(again.steps), ["same a", "same b"]);
        await assert.rejects(f.engine({ stack: "other" }).up(program), /holds stack proj\/dev, not proj\/other/);
    } finally {
        f.cleanup();
    }
});

test("a dependent resource receives the real outputs of its dependency", async () => {
    const f = engineFixture();
    try {
        const summary = await f.engine().up(() => {
            const a = new JsonFile("a", { dir: f.dataDir, content: "x" });
            const b = new JsonFile("b", { dir: f.dataDir, content: a.path.apply((p) => `points at ${p}`) });
            return { a: a.path, b: b.content };
        });
        assert.equal(summary.outputs.b, `points at ${summary.outputs.a}`);
        const reg = summary.registrations.find((r) => r.name === "b")!;
        assert.equal(reg.inputs.content, `points at ${summary.outputs.a}`);
        assert.deepEqual(reg.dependencies, [summary.registrations[0]!.urn]);
    } finally {
        f.cleanup();
    }
});

test("configure runs once per operation with the stack config under project-prefixed keys", async () => {
    const f = engineFixture();
    try {
        const summary = await f.engine({ config: { greeting: "hello" } }).up(() => {
            const a = new JsonFile("a", { dir: f.dataDir, content: 1 });
            const b = new JsonFile("b", { dir: f.dataDir, content: 2 });
            return { a: a.greeting, b: b.greeting };
        });
        assert.deepEqual(summary.outputs, { a: "hello", b: "hello" });
        assert.deepEqual(runtime.configured, ["hello"]);
        assert.equal(f.calls("configure").length, 1);
    } finally {
        f.cleanup();
    }
});

test("components are recorded and their children get parent-qualified URNs", async () => {
    const f = engineFixture();
    const pulumi = await import("@pulumi/pulumi");
    try {
        const summary = await f.engine().up(() => {
            const group = new pulumi.ComponentResource("test:index:Group", "g");
            new JsonFile("child", { dir: f.dataDir, content: 1 }, { parent: group });
        });
        const child = summary.registrations.find((r) => r.name === "child")!;
        assert.equal(child.parent, "urn:pulumi:dev::proj::test:index:Group::g");
        assert.equal(
            child.urn,
            "urn:pulumi:dev::proj::test:index:Group$pulumi-nodejs:dynamic/engine-fixture:JsonFile::child",
        );
        const destroyed = await f.engine().destroy();
        assert.deepEqual(ops(destroyed.steps), ["delete child", "delete g"]);
    } finally {
        f.cleanup();
    }
});
