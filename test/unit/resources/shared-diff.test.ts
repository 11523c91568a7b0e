import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { z } from "zod";
import { storagePoolSchema } from "../../../provider/model/storage-pool";
import { parseInputs, resourceFields } from "../../../provider/resources/shared/check";
import { configureRuntime } from "../../../provider/resources/shared/connection";
import { diffResource, summarizeChanges } from "../../../provider/resources/shared/diff";
import { type Properties, UNKNOWN_VALUE } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";

const argsSchema = z.strictObject({ ...storagePoolSchema.shape, ...resourceFields, password: z.string().optional() });
const toModel = (props: Properties) => {
    const {
        uri: _u,
        adopt: _a,
        namePrefix: _n,
        password: _p,
        ...model
    } = parseInputs("StoragePool", argsSchema, props);
    return model;
};

let lines: string[] = [];
let restore: () => void = () => {};
beforeEach(() => {
    lines = [];
    restore = setLogSink((_level, line) => lines.push(line));
    configureRuntime({});
});
afterEach(() => restore());

const base = { name: "pool-1234abc", namePrefix: "pool", type: "dir", target: { path: "/srv/a" }, autostart: false };
const spec = (olds: Properties, news: Properties) => ({
    kind: "StoragePool" as const,
    policyKind: "storagePool" as const,
    olds,
    news,
    toModel,
    resourceFields: { password: "live" as const },
    secretKeys: ["password"],
});

test("no change: changes false, nothing printed", () => {
    const outs = { ...base, uri: "qemu:///system", uuid: "81ff0d90-c91e-6742-64da-4a736edb9a9b", capacityBytes: 5 };
    const { result, changes } = diffResource(spec(outs, { ...base }));
    assert.deepEqual(result, { changes: false });
    assert.deepEqual(changes, []);
    assert.deepEqual(lines, []);
});

test("a live change updates in place and is printed with its class", () => {
    const { result } = diffResource(spec({ ...base, uri: "qemu:///system" }, { ...base, autostart: true }));
    assert.deepEqual(result, { changes: true });
    assert.match(lines.join("\n"), /StoragePool 'pool-1234abc': 1 change\(s\), strongest: live/);
    assert.match(lines.join("\n"), /live\s+autostart: false -> true/);
});

test("a replace-class change with an automatic name replaces create-first", () => {
    const { result } = diffResource(spec({ ...base }, { ...base, target: { path: "/srv/b" } }));
    assert.deepEqual(result, { changes: true, replaces: ["target"] });
    assert.match(lines.join("\n"), /replace\s+target\.path: "\/srv\/a" -> "\/srv\/b"/);
});

test("an explicit name kept on the same host deletes before replacing", () => {
    const olds = { ...base, name: "images" };
    const { result } = diffResource(spec(olds, { ...olds, target: { path: "/srv/b" } }));
    assert.deepEqual(result, { changes: true, replaces: ["target"], deleteBeforeReplace: true });
});

test("renaming replaces without deleting first: the names do not collide", () => {
    const { result } = diffResource(spec({ ...base, name: "a" }, { ...base, name: "b" }));
    assert.deepEqual(result, { changes: true, replaces: ["name"] });
});

test("another host replaces; the old host comes from the outputs, not today's config", () => {
    const olds = { ...base, uri: "qemu+tcp://old/system" };
    configureRuntime({ uri: "qemu+tcp://old/system" });
    assert.deepEqual(diffResource(spec(olds, { ...base })).result, { changes: false });
    configureRuntime({ uri: "qemu+tcp://new/system" });
    assert.deepEqual(diffResource(spec(olds, { ...base })).result, { changes: true, replaces: ["uri"] });
});

test("adopt and namePrefix never count as changes", () => {
    const { result } = diffResource(spec({ ...base }, { ...base, adopt: true, namePrefix: "renamed" }));
    assert.deepEqual(result, { changes: false });
});

test("unknown values in preview: judged by the strongest row under them", () => {
    const replaced = diffResource(spec({ ...base }, { ...base, target: UNKNOWN_VALUE }));
    assert.deepEqual(replaced.result.replaces, ["target"]);
    const live = diffResource(spec({ ...base }, { ...base, autostart: UNKNOWN_VALUE }));
    assert.deepEqual(live.result, { changes: true });
    assert.match(lines.join("\n"), /known after apply/);
});

test("secret values are never printed", () => {
    diffResource(spec({ ...base, password: "hunter2" }, { ...base, password: "swordfish" }));
    const text = lines.join("\n");
    assert.match(text, /password: \[secret\] -> \[secret\]/);
    assert.doesNotMatch(text, /hunter2|swordfish/);
    assert.deepEqual(
        summarizeChanges([{ path: "password", class: "live", oldValue: "a", newValue: "b", why: "w" }], ["password"]),
        ["  live      password: [secret] -> [secret] (w)"],
    );
});
