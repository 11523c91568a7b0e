/**
 * The SDK classes register with @pulumi/pulumi's per-promise stack capture paused
 * (sdk/promise-stacks.ts): no stack frames are captured while a resource registers, the limit is
 * restored afterwards even when the registration throws, and `PULUMI_DEBUG_PROMISE_LEAKS` (the
 * switch under which Pulumi prints those stacks) leaves capture on.
 */
import assert from "node:assert/strict";
import { afterEach, before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";

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

afterEach(() => {
    delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
});

/** The frame counts of every stack formatted while `register` runs. */
function framesFormatted(register: () => void): number[] {
    const counts: number[] = [];
    const saved = Error.prepareStackTrace;
    Error.prepareStackTrace = (_error, frames) => {
        counts.push(frames.length);
        return "";
    };
    try {
        register();
    } finally {
        Error.prepareStackTrace = saved;
    }
    return counts;
}

const volume = (name: string) => () => {
    new sdk.Volume(name, { pool: "default", name: `${name}.qcow2`, capacity: 8 });
};

test("a registration formats its promises' stacks with no frames, and leaves the limit as it was", () => {
    const before = Error.stackTraceLimit;
    const counts = framesFormatted(volume("paused"));
    const empty = counts.filter((n) => n === 0).length;
    assert.ok(empty >= 4, `${empty} stacks formatted without frames; expected the per-promise ones`);
    // The one stack with frames is @pulumi/pulumi's own source position of the resource (it sets its
    // own unlimited limit for it), which the engine keeps: the pause must not take that away.
    assert.equal(counts.filter((n) => n > 0).length, 1, `stacks of ${counts.join(", ")} frames`);
    assert.equal(Error.stackTraceLimit, before);
});

test("with PULUMI_DEBUG_PROMISE_LEAKS set, the promises keep their stacks", () => {
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    const counts = framesFormatted(volume("debugging"));
    assert.ok(
        counts.filter((n) => n > 0).length >= 5,
        `stacks of ${counts.join(", ")} frames; expected the per-promise ones to be full`,
    );
});

test("a registration that throws inside @pulumi/pulumi restores the limit, and its error points at the caller", () => {
    const before = Error.stackTraceLimit;
    // A parent that is not a resource: @pulumi/pulumi rejects it inside the class's super call.
    const callerOfNew = () => new sdk.Network("orphan", {}, { parent: {} as pulumi.Resource });
    assert.throws(callerOfNew, (error: Error) => {
        assert.match(error.message, /parent is not a valid Resource/);
        assert.match(String(error.stack), /callerOfNew/, "the stack names the function that called new");
        return true;
    });
    assert.equal(Error.stackTraceLimit, before);
});
