/**
 * The checkpoints around a create in the emulator's `up`: the write that names the create pending
 * is on disk before the provider is called; the write that records the finished create is asked
 * for but not waited on (until it lands the file still names the create pending), and a failure of
 * that write fails the run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Deployment } from "../../tools/engine/deployment";
import type { EmulatedHost } from "../../tools/engine/host";
import type { Registration, StateFile } from "../../tools/engine/types";

const URN = "urn:pulumi:s::p::pulumi-nodejs:dynamic/test:Thing::a";

function registration(): Registration {
    return {
        urn: URN,
        type: "pulumi-nodejs:dynamic/test:Thing",
        name: "a",
        custom: true,
        inputs: { __provider: "code", size: 1 },
        dependencies: [],
        propertyDependencies: {},
        options: {
            protect: false,
            retainOnDelete: false,
            replaceOnChanges: [],
            ignoreChanges: [],
            additionalSecretOutputs: [],
            aliases: [],
        },
    };
}

/** A host whose create records when it ran; everything else the step needs answers at once. */
function fakeHost(events: string[]): EmulatedHost {
    return {
        check: async (_olds: unknown, news: Record<string, unknown>) => ({ inputs: { ...news }, failures: [] }),
        create: async (props: Record<string, unknown>) => {
            events.push("create");
            return { id: "id-a", properties: { ...props, made: true } };
        },
    } as unknown as EmulatedHost;
}

const prior = (): StateFile => ({ version: 1, project: "p", stack: "s", resources: [] });

// A step that waited for the held write would never answer: the timeout fails the test then.
test("the pending create is on disk before the provider runs; the step does not wait for the write that records it", {
    timeout: 5000,
}, async () => {
    const events: string[] = [];
    const snapshots: StateFile[] = [];
    let releaseSecond: (() => void) | undefined;
    const checkpoint = async (snapshot: () => StateFile) => {
        snapshots.push(snapshot());
        events.push(`checkpoint ${snapshots.length}`);
        if (snapshots.length === 2) await new Promise<void>((resolve) => (releaseSecond = resolve));
    };
    const deployment = new Deployment(fakeHost(events), prior(), false, 4, checkpoint);
    const result = await deployment.register(registration());

    assert.equal(result.id, "id-a");
    assert.deepEqual(events, ["checkpoint 1", "create", "checkpoint 2"]);
    assert.ok(releaseSecond, "the step answered while the write that records it was still running");
    assert.deepEqual(
        snapshots[0]!.pendingOperations?.map((op) => `${op.type} ${op.urn}`),
        [`creating ${URN}`],
        "the write before the create names it pending",
    );
    assert.deepEqual(snapshots[0]!.resources, []);
    assert.equal(snapshots[1]!.pendingOperations, undefined, "the write after it has nothing in flight");
    assert.deepEqual(
        snapshots[1]!.resources.map((r) => `${r.urn} ${r.id}`),
        [`${URN} id-a`],
    );
    releaseSecond!();
    assert.deepEqual(deployment.errors, []);
});

test("a failed write after a create fails the run", async () => {
    let calls = 0;
    const checkpoint = async () => {
        calls++;
        if (calls === 2) throw new Error("disk full");
    };
    const deployment = new Deployment(fakeHost([]), prior(), false, 4, checkpoint);
    await deployment.register(registration());
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
        deployment.errors.map((e) => e.message),
        [`${URN}: writing the checkpoint after its create failed: disk full`],
    );
    // No further step starts after a failure, as after a failed step.
    const next = await deployment.register({ ...registration(), urn: `${URN}2`, name: "a2" });
    assert.deepEqual(next, { id: "", state: {} });
});
