import assert from "node:assert/strict";
import { test } from "node:test";
import {
    annotateSecrets,
    applyIgnoreChanges,
    changedKeys,
    downgradeResourceRefs,
    isSecret,
    makeSecret,
    markSecretKeys,
    redact,
    structRoundTrip,
    UNKNOWN,
    unwrapSecrets,
} from "../../tools/engine/values";

test("the Struct round trip rejects what the host's Struct.fromJavaScript rejects, and flattens a Date", () => {
    for (const bad of [undefined, 10n, Buffer.from("x")]) {
        assert.throws(() => structRoundTrip({ x: bad }, "create result"), /create result: Unexpected struct type/);
    }
    assert.deepEqual(structRoundTrip({ when: new Date(0) }, "r"), { when: {} });
    assert.deepEqual(structRoundTrip({ a: [1, "b", null, { c: true }] }, "r"), { a: [1, "b", null, { c: true }] });
});

test("secrets: unwrapped for providers, re-marked by matching key (recursively) and by name", () => {
    const ins = { pw: makeSecret("p"), nested: { key: makeSecret("k"), plain: 1 }, open: "o" };
    assert.deepEqual(unwrapSecrets(ins), { pw: "p", nested: { key: "k", plain: 1 }, open: "o" });
    const outs = annotateSecrets({ pw: "p", nested: { key: "k", plain: 1 }, open: "o", derived: "d" }, ins);
    assert.ok(isSecret(outs.pw));
    assert.ok(isSecret((outs.nested as Record<string, unknown>).key));
    assert.equal((outs.nested as Record<string, unknown>).plain, 1);
    assert.equal(outs.open, "o");
    assert.ok(isSecret(markSecretKeys(outs, ["derived"]).derived));
    assert.deepEqual(redact(outs), { pw: "[secret]", nested: { key: "[secret]", plain: 1 }, open: "o", derived: "d" });
});

test("the engine's input diff compares values, not secretness, and sees unknowns as changes", () => {
    assert.deepEqual(changedKeys({ a: 1, b: makeSecret("x"), c: [1] }, { a: 1, b: "x", c: [1, 2], d: 0 }), ["c", "d"]);
    assert.deepEqual(changedKeys({ a: "v" }, { a: UNKNOWN }), ["a"]);
});

test("ignoreChanges puts back old values at top-level and nested paths, and drops what the old lacked", () => {
    const olds = { a: 1, nested: { x: "old", y: 2 } };
    const news = { a: 9, b: 3, nested: { x: "new", y: 5 } };
    assert.deepEqual(applyIgnoreChanges(news, olds, ["a", "nested.x", "b"]), { a: 1, nested: { x: "old", y: 5 } });
});

test("resource references become the ID of a custom resource or the URN of a component", () => {
    const sig = "4dabf18193072939515e22adb298388d";
    const ref = (id?: string) => ({ [sig]: "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:x", ...(id ? { id } : {}) });
    assert.deepEqual(downgradeResourceRefs({ a: ref("i-1"), b: [ref()] }), { a: "i-1", b: ["urn:x"] });
});
