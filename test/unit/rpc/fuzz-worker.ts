/**
 * The body of fuzz.test.ts, run in a worker thread with a small heap so that a decoder which
 * allocates without bound kills the worker (and fails the test) instead of the machine. Feeds every
 * generated XDR decoder and the frame decoder random and mutated input for a time budget and
 * reports every exception that is not the decoder's own error type.
 */
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { FrameDecoder, FrameError } from "../../../provider/rpc/frame-decoder";
import * as generated from "../../../provider/rpc/generated";
import { encodePacket } from "../../../provider/rpc/packet";
import { decodeXdr, encodeXdr, type XdrCodec, XdrError } from "../../../provider/rpc/xdr";
import { enumCodecName, pascalCase } from "../../../tools/rpcgen/naming";
import { defaultProtocolDir } from "../../../tools/rpcgen/paths";
import { loadProtocol } from "../../../tools/rpcgen/protocol";
import { SampleBuilder } from "../../../tools/rpcgen/samples";
import { seededRandom as random } from "../../helpers/seeded-random";

export interface FuzzRequest {
    readonly seed: number;
    /** Time for the XDR decoders; the frame decoder gets a third of it more. */
    readonly budgetMs: number;
}

export interface FuzzReport {
    readonly codecs: number;
    readonly decodes: number;
    readonly frameChunks: number;
    /** Inputs that made a decoder throw something other than its own error type (first few). */
    readonly escapes: string[];
    readonly slowestMs: number;
    readonly slowest: string;
    readonly peakHeapBytes: number;
}

const INTERESTING_WORDS = [
    0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
];

function mutate(input: Buffer, rand: () => number): Buffer {
    let bytes: Buffer = Buffer.from(input);
    const edits = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < edits; i++) {
        const kind = Math.floor(rand() * 6);
        if (kind === 0 && bytes.length > 0) {
            bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        } else if (kind === 1 && bytes.length >= 4) {
            // A count, length or discriminant replaced by a boundary value.
            const at = Math.floor(rand() * Math.floor(bytes.length / 4)) * 4;
            bytes.writeUInt32BE(INTERESTING_WORDS[Math.floor(rand() * INTERESTING_WORDS.length)]!, at);
        } else if (kind === 2) {
            bytes = bytes.subarray(0, Math.floor(rand() * (bytes.length + 1)));
        } else if (kind === 3) {
            bytes = Buffer.concat([bytes, randomBytes(rand, Math.floor(rand() * 64))]);
        } else if (kind === 4 && bytes.length >= 8) {
            const from = Math.floor(rand() * bytes.length);
            bytes = Buffer.concat([bytes.subarray(0, from), bytes.subarray(from + 4)]);
        } else {
            bytes = Buffer.concat([randomBytes(rand, 4), bytes]);
        }
    }
    return bytes;
}

function randomBytes(rand: () => number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
    return out;
}

function isCodec(value: unknown): value is XdrCodec<unknown> {
    return typeof value === "object" && value !== null && typeof (value as XdrCodec<unknown>).decode === "function";
}

function run(request: FuzzRequest): FuzzReport {
    const rand = random(request.seed);
    const protocol = loadProtocol(defaultProtocolDir());
    const samples = new SampleBuilder(protocol);
    const exports = generated as unknown as Record<string, unknown>;
    // Every codec with a few valid encodings to mutate.
    const targets: Array<{ name: string; codec: XdrCodec<unknown>; valid: Buffer[] }> = [];
    for (const entry of protocol.types) {
        const name = pascalCase(entry.def.name);
        const codec = exports[name];
        if (!isCodec(codec)) throw new Error(`no generated codec ${name}`);
        const valid: Buffer[] = [];
        for (let v = 0; v < samples.variantCount(entry.def.name); v++)
            valid.push(encodeXdr(codec, samples.sample(entry.def.name, v)));
        targets.push({ name, codec, valid });
    }
    for (const e of protocol.enums.filter((x) => x.source === "xdr")) {
        const name = enumCodecName(e.name);
        const codec = exports[name];
        if (!isCodec(codec)) throw new Error(`no generated codec ${name}`);
        targets.push({ name, codec, valid: e.members.map((m) => encodeXdr(codec, Number(m.value))) });
    }

    const escapes: string[] = [];
    let decodes = 0;
    let slowestMs = 0;
    let slowest = "";
    let peakHeapBytes = 0;
    const note = (what: string, input: Buffer, error: unknown) => {
        if (escapes.length < 10)
            escapes.push(
                `${what} on ${input.subarray(0, 64).toString("hex")}: ${String((error as Error)?.stack ?? error)}`,
            );
    };
    const timed = (what: string, input: Buffer, decode: () => void, allowed: (e: unknown) => boolean) => {
        const started = performance.now();
        try {
            decode();
        } catch (error) {
            if (!allowed(error)) note(what, input, error);
        }
        const took = performance.now() - started;
        if (took > slowestMs) {
            slowestMs = took;
            slowest = what;
        }
        decodes++;
        if ((decodes & 1023) === 0) peakHeapBytes = Math.max(peakHeapBytes, getHeapStatistics().used_heap_size);
    };

    // Every codec at least once per round, until the budget is spent.
    const codecDeadline = performance.now() + request.budgetMs;
    while (performance.now() < codecDeadline) {
        for (const { name, codec, valid } of targets) {
            const base = valid[Math.floor(rand() * valid.length)]!;
            const input = rand() < 0.25 ? randomBytes(rand, Math.floor(rand() * 96)) : mutate(base, rand);
            timed(
                name,
                input,
                () => decodeXdr(codec, input, name),
                (e) => e instanceof XdrError,
            );
        }
    }

    // The frame decoder: streams of valid packets, mutated and cut into random chunks.
    let frameChunks = 0;
    const frameDeadline = performance.now() + request.budgetMs / 3;
    while (performance.now() < frameDeadline) {
        const decoder = new FrameDecoder();
        const packets = Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
            encodePacket(
                {
                    prog: generated.REMOTE_PROGRAM,
                    vers: generated.REMOTE_PROTOCOL_VERSION,
                    proc: Math.floor(rand() * 450),
                    type: Math.floor(rand() * 7),
                    serial: Math.floor(rand() * 10),
                    status: Math.floor(rand() * 3),
                },
                randomBytes(rand, Math.floor(rand() * 64)),
            ),
        );
        let stream: Buffer = Buffer.concat(packets);
        if (rand() < 0.7) stream = mutate(stream, rand);
        for (let at = 0; at < stream.length; ) {
            const size = 1 + Math.floor(rand() * 40);
            const chunk = stream.subarray(at, at + size);
            at += size;
            frameChunks++;
            let failed = false;
            timed(
                "FrameDecoder",
                chunk,
                () => {
                    try {
                        decoder.push(chunk, rand() < 0.5);
                    } catch (error) {
                        failed = true;
                        throw error;
                    }
                },
                (e) => e instanceof FrameError || e instanceof XdrError,
            );
            if (failed) break;
        }
    }
    return { codecs: targets.length, decodes, frameChunks, escapes, slowestMs, slowest, peakHeapBytes };
}

parentPort!.postMessage(run(workerData as FuzzRequest));
