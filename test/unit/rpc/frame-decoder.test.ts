import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameDecoder, FrameError } from "../../../provider/rpc/frame-decoder";
import { VirNetMessageStatus, VirNetMessageType } from "../../../provider/rpc/generated";
import { encodePacket, MAX_PACKET_LENGTH, PACKET_OVERHEAD, type Packet } from "../../../provider/rpc/packet";

function packet(serial: number, payload: Buffer): Buffer {
    return encodePacket(
        {
            prog: 0x20008086,
            vers: 1,
            proc: 23,
            type: VirNetMessageType.VIR_NET_REPLY,
            serial,
            status: VirNetMessageStatus.VIR_NET_OK,
        },
        payload,
    );
}

const samples = [packet(0, Buffer.alloc(0)), packet(1, Buffer.from("abcdefgh")), packet(7, Buffer.alloc(40, 0x5a))];
const stream = Buffer.concat(samples);

function summarise(packets: Packet[]) {
    return packets.map((p) => ({ serial: p.header.serial, payload: p.payload.toString("hex") }));
}

const expected = summarise(samples.map((s) => new FrameDecoder().push(s)[0]!));

test("three glued packets decode from one chunk", () => {
    assert.deepEqual(summarise(new FrameDecoder().push(stream)), expected);
});

test("every single split point yields the same packets", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
        const decoder = new FrameDecoder();
        const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
        assert.deepEqual(summarise(out), expected, `split at byte ${cut}`);
        assert.equal(decoder.buffered, 0);
    }
});

test("every pair of split points yields the same packets", () => {
    for (let a = 0; a <= stream.length; a++) {
        for (let b = a; b <= stream.length; b++) {
            const decoder = new FrameDecoder();
            const out = [
                ...decoder.push(stream.subarray(0, a)),
                ...decoder.push(stream.subarray(a, b)),
                ...decoder.push(stream.subarray(b)),
            ];
            assert.deepEqual(summarise(out), expected, `splits at ${a} and ${b}`);
        }
    }
});

/**
 * A transport with a reused read buffer (net's onread): each chunk is copied into one buffer that
 * is scribbled over after the push, as the next read would. Packets must not depend on it.
 */
function pushTransient(decoder: FrameDecoder, readBuffer: Buffer, bytes: Buffer): Packet[] {
    bytes.copy(readBuffer);
    const out = decoder.push(readBuffer.subarray(0, bytes.length), true);
    readBuffer.fill(0xee);
    return out;
}

test("with a reused read buffer, every pair of split points yields the same packets", () => {
    const readBuffer = Buffer.alloc(stream.length);
    for (let a = 0; a <= stream.length; a++) {
        for (let b = a; b <= stream.length; b++) {
            const decoder = new FrameDecoder();
            const out = [
                ...pushTransient(decoder, readBuffer, stream.subarray(0, a)),
                ...pushTransient(decoder, readBuffer, stream.subarray(a, b)),
                ...pushTransient(decoder, readBuffer, stream.subarray(b)),
            ];
            assert.deepEqual(summarise(out), expected, `transient splits at ${a} and ${b}`);
            assert.equal(decoder.buffered, 0);
        }
    }
});

test("byte-at-a-time delivery yields the same packets", () => {
    const decoder = new FrameDecoder();
    const out: Packet[] = [];
    for (const byte of stream) out.push(...decoder.push(Buffer.from([byte])));
    assert.deepEqual(summarise(out), expected);
});

test("a large packet arriving in many chunks decodes intact", () => {
    const big = packet(9, Buffer.alloc(1 << 20, 7));
    const decoder = new FrameDecoder();
    const out: Packet[] = [];
    for (let at = 0; at < big.length; at += 4093) out.push(...decoder.push(big.subarray(at, at + 4093)));
    assert.equal(out.length, 1);
    assert.equal(out[0]!.payload.length, 1 << 20);
    assert.ok(out[0]!.payload.every((b) => b === 7));
});

test("a length word above the protocol limit is fatal", () => {
    const decoder = new FrameDecoder();
    const word = Buffer.alloc(4);
    word.writeUInt32BE(MAX_PACKET_LENGTH + 1);
    assert.throws(() => decoder.push(word), FrameError);
    // Once broken, the decoder refuses everything: the stream position is unknown.
    assert.throws(() => decoder.push(samples[0]!), FrameError);
});

test("the largest legal length word is accepted while waiting for data", () => {
    const decoder = new FrameDecoder();
    const word = Buffer.alloc(4);
    word.writeUInt32BE(MAX_PACKET_LENGTH);
    assert.deepEqual(decoder.push(word), []);
});

test("a length word below the header size is fatal", () => {
    for (const length of [0, 4, PACKET_OVERHEAD - 1]) {
        const word = Buffer.alloc(4);
        word.writeUInt32BE(length);
        assert.throws(() => new FrameDecoder().push(word), /packet length/);
    }
});

test("a smaller limit can be configured", () => {
    const decoder = new FrameDecoder(64);
    assert.throws(() => decoder.push(packet(1, Buffer.alloc(64))), FrameError);
});
