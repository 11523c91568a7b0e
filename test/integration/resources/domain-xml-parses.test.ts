/**
 * A domain's XML is parsed once per operation: every document an update or a refresh of a running
 * guest receives from libvirtd (the definition, the definition after the redefine, the live XML)
 * goes through the xml layer's parser exactly once. Counted with the parser's own counter
 * (`parsedDocumentCount`) against the XML documents the client received (its call counter),
 * on the real libvirtd.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { defaultPool, startCountingCalls, stopCountingCalls } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { parsedDocumentCount } from "../../../provider/xml/tree";
import { removeTestObjects } from "../../helpers/virsh";
import { createChecked, handler, qemuPid } from "./domain-helpers";

const PREFIX = "pltest-domparse-";

/** Parses and calls (by procedure) that `fn` costs; counting stops whether it succeeds or not. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; parses: number; calls: Map<string, number> }> {
    const parsedBefore = parsedDocumentCount();
    const calls = startCountingCalls();
    const result = await fn().finally(stopCountingCalls);
    return { result, parses: parsedDocumentCount() - parsedBefore, calls };
}

/** How many XML documents the calls brought back (domain XML and capabilities). */
function documentsReceived(calls: Map<string, number>): number {
    let documents = 0;
    for (const [procedure, count] of calls) {
        if (/XML_DESC|GET_DOMAIN_CAPABILITIES|GET_CAPABILITIES/.test(procedure)) documents += count;
    }
    return documents;
}

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    await defaultPool.closeAll();
});

describe("each domain document is parsed once per operation", { timeout: 120_000 }, () => {
    let id = "";
    let outs: Properties = {};
    let inputs: Properties = {};

    before(async () => {
        ({ id, outs, inputs } = await createChecked({
            namePrefix: `${PREFIX}vm`,
            type: "qemu",
            memory: 128,
            features: { acpi: true },
            shutdownTimeoutSeconds: 0,
            title: "first",
            devices: { interfaces: [], disks: [] },
        }));
        assert.ok(qemuPid(outs.name as string), "the guest runs");
    });

    test("an update of a running guest (a live title change)", async () => {
        const checked = await handler.check(inputs, { ...inputs, title: "second" });
        assert.deepEqual(checked.failures ?? [], []);
        const { result, parses, calls } = await counted(() => handler.update(id, outs, checked.inputs!));
        outs = result.outs!;
        inputs = checked.inputs!;
        assert.equal(outs.title, "second");
        const documents = documentsReceived(calls);
        console.log(
            `update: ${parses} parses of ${documents} documents (${JSON.stringify(Object.fromEntries(calls))})`,
        );
        assert.ok(documents >= 3, "the definition, the redefined definition and the live XML were read");
        assert.equal(parses, documents);
    });

    test("a refresh", async () => {
        const { parses, calls } = await counted(() => handler.read!(id, outs));
        const documents = documentsReceived(calls);
        console.log(`read: ${parses} parses of ${documents} documents (${JSON.stringify(Object.fromEntries(calls))})`);
        assert.ok(documents >= 1);
        assert.equal(parses, documents);
    });
});
