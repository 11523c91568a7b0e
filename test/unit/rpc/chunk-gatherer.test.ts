import assert from "node:assert/strict";
import { test } from "node:test";
import { ChunkGatherer } from "../../../provider/rpc/stream";

function regroup(size: number, inputs: Buffer[]): Buffer[] {
    const g = new ChunkGatherer(size);
    const out = inputs.flatMap((b) => g.add(b));
    const last = g.flush();
    return (last ? [...out, last] : out).map((parts) => Buffer.concat(parts));
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

test("chunks are views of the inputs, never copies", () => {
    const g = new ChunkGatherer(8);
    const first = Buffer.from("abcdef");
    const second = Buffer.from("ghijklmnopq");
    assert.deepEqual(g.add(first), []);
    const [chunk, next] = g.add(second);
    assert.equal(chunk!.length, 2);
    assert.equal(chunk![0], first, "a whole input is passed on as it is");
    const sameMemory = (view: Buffer, of: Buffer, offset: number) =>
        view.buffer === of.buffer && view.byteOffset === of.byteOffset + offset;
    assert.ok(sameMemory(chunk![1]!, second, 0), "a part is a view of its input");
    assert.ok(sameMemory(next![0]!, second, 2));
    assert.equal(Buffer.concat(chunk!).toString(), "abcdefgh");
    assert.equal(Buffer.concat(next!).toString(), "ijklmnop");
    assert.equal(Buffer.concat(g.flush()!).toString(), "q");
});

test("nothing is left after an exact multiple", () => {
    const g = new ChunkGatherer(4);
    assert.equal(g.add(Buffer.alloc(8)).length, 2);
    assert.equal(g.flush(), undefined);
});
