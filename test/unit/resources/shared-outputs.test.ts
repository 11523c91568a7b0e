import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonClean, makeOutputs } from "../../../provider/resources/shared/outputs";

// The provider host converts results with google-protobuf's Struct; round-trip through it.
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as {
    Struct: { fromJavaScript(value: unknown): { toJavaScript(): unknown } };
};

test("undefined keys are dropped and list holes become null, so Struct accepts the result", () => {
    const raw = { a: 1, b: undefined, nested: { c: undefined, d: "x" }, list: [1, undefined, { e: undefined }] };
    assert.throws(() => Struct.fromJavaScript(raw), /Unexpected struct type/);
    const cleaned = jsonClean(raw);
    assert.deepEqual(cleaned, { a: 1, nested: { d: "x" }, list: [1, null, {}] });
    assert.deepEqual(Struct.fromJavaScript(cleaned).toJavaScript(), cleaned);
});

test("BigInt becomes a number when exact, else a decimal string; Dates become ISO strings", () => {
    assert.deepEqual(jsonClean({ small: 5n, big: 2n ** 64n, when: new Date(0) }), {
        small: 5,
        big: "18446744073709551616",
        when: "1970-01-01T00:00:00.000Z",
    });
});

test("Buffers, functions, Maps and NaN are refused with their path", () => {
    assert.throws(() => jsonClean({ a: { b: Buffer.from("x") } }), /output a\.b is a Buffer/);
    assert.throws(() => jsonClean({ f: () => 1 }), /output f is function/);
    assert.throws(() => jsonClean({ m: [new Map()] }), /output m\[0\] is a non-plain object/);
    assert.throws(() => jsonClean({ n: Number.NaN }), /output n is NaN/);
});

test("outputs echo the inputs (with __provider) overlaid by computed values", () => {
    const outs = makeOutputs({ name: "a", __provider: "code", uri: undefined }, { uuid: "u", name: "a" });
    assert.deepEqual(outs, { name: "a", __provider: "code", uuid: "u" });
});
