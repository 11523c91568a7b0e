/**
 * The SDK classes pause stack capture while Pulumi registers their props (sdk/promise-stacks.ts):
 * the limit the program had is back once the constructor returns, Pulumi's promises made in it carry
 * no frames (the declaration's source position, which Pulumi captures itself, keeps them), a throw cannot leave the limit at 0 past the next microtask, and
 * PULUMI_DEBUG_PROMISE_LEAKS keeps the stacks for Pulumi's leak report.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { pausePromiseStacks } from "../../../sdk/promise-stacks";

let sdk: typeof import("../../../sdk");

before(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: () => ({}),
        },
        "promise-stacks",
        "test",
        false,
    );
    sdk = require("../../../sdk");
});

test("a constructor leaves the program's stack limit as it was, and Pulumi's promises without frames", () => {
    const saved = Error.stackTraceLimit;
    const savedPrepare = Error.prepareStackTrace;
    // V8 hands every stack that is read (debuggablePromise reads each one at once) to this hook.
    // Pulumi's own capture of the declaration's source position (`Resource.callsites`, which lifts
    // the limit itself) must keep its frames; every other stack must have none.
    const frameCounts: number[] = [];
    let sourcePositionFrames = 0;
    Error.prepareStackTrace = (error, frames) => {
        if (frames[0]?.getFunctionName() === "callsites") sourcePositionFrames = frames.length;
        else frameCounts.push(frames.length);
        return String(error);
    };
    Error.stackTraceLimit = 17;
    try {
        new sdk.StoragePool("pool", { type: "dir", target: { path: "/var/lib/libvirt/x" } });
        assert.equal(Error.stackTraceLimit, 17);
    } finally {
        Error.stackTraceLimit = saved;
        Error.prepareStackTrace = savedPrepare;
    }
    assert.ok(frameCounts.length > 0, "Pulumi read no stack while registering: nothing left to pause");
    assert.ok(sourcePositionFrames > 0, "the declaration's source position lost its frames");
    assert.deepEqual(
        frameCounts.filter((n) => n > 0),
        [],
    );
});

test("pausing sets the limit to 0 until restored, and restores it at the next microtask if nobody does", async () => {
    const saved = Error.stackTraceLimit;
    const restore = pausePromiseStacks();
    assert.equal(Error.stackTraceLimit, 0);
    assert.equal(new Error("x").stack, "Error: x");
    restore();
    assert.equal(Error.stackTraceLimit, saved);
    pausePromiseStacks();
    assert.equal(Error.stackTraceLimit, 0);
    await Promise.resolve();
    assert.equal(Error.stackTraceLimit, saved);
});

test("PULUMI_DEBUG_PROMISE_LEAKS keeps the stacks", () => {
    const saved = Error.stackTraceLimit;
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    try {
        const restore = pausePromiseStacks();
        assert.equal(Error.stackTraceLimit, saved);
        restore();
        assert.equal(Error.stackTraceLimit, saved);
    } finally {
        delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    }
});
