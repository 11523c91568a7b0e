import assert from "node:assert/strict";
import { test } from "node:test";
import { ChunkGatherer } from "../../../provider/rpc/stream";

function regroup(size: number, inputs: Buffer[]): Buffer[] {
    const g = new ChunkGatherer(size);
    const out = inputs.flatMap((b) => g.add(b));
    const last = g.flush();
    return last ? [...out, last] : out;
}

test("chunks come out at exactly the chunk size, in order, with the remainder last", () => {
    const data = Buffer.from(Array.from({ length: 103 }, (_, i) => i));
    for (const split of [1, 3, 7, 10, 11, 50, 103]) {
        const inputs: Buffer[] = [];
        for (let at = 0; at < data.length; at += split) inputs.push(data.subarray(at, at + split));
        const out = regroup(10, inputs);
        assert.deepEqual(
            out.map((b) => b.length),
            [...Array(10).fill(10), 3],
            `input split every ${split} bytes`,
        );
        assert.deepEqual(Buffer.concat(out), data);
    }
});

test("a retained part does not change when the source reuses its buffer", () => {
    const g = new ChunkGatherer(8);
    const reused = Buffer.from("abcd");
    assert.deepEqual(g.add(reused), []);
    reused.write("WXYZ");
    const [chunk] = g.add(reused);
    assert.equal(chunk!.toString(), "abcdWXYZ");
});

test("nothing is left after an exact multiple", () => {
    const g = new ChunkGatherer(4);
    assert.equal(g.add(Buffer.alloc(8)).length, 2);
    assert.equal(g.flush(), undefined);
});
