/**
 * Fuzzing (issue 16, item 4): random and mutated bytes into every generated XDR decoder and the
 * frame decoder (in a worker with a small heap: a decoder that allocates without bound kills the
 * worker and fails the test), and random and mutated packets into a live connection with a call,
 * a download and an event handler waiting. Decoders may throw only their own error type; the
 * connection may fail calls and streams only with a LibvirtError, and nothing may escape.
 * The seed is printed with every failure; FUZZ_SEED=<n> replays it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { duplexPair, Writable } from "node:stream";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { RpcConnection } from "../../../provider/rpc/connection";
import { LibvirtError, localRemoteError } from "../../../provider/rpc/errors";
import {
    KEEPALIVE_PROGRAM,
    KEEPALIVE_PROTOCOL_VERSION,
    KeepaliveProcedure,
    REMOTE_PROCEDURES,
    REMOTE_PROGRAM,
    REMOTE_PROTOCOL_VERSION,
    RemoteConnectGetHostnameRet,
    RemoteDomainEventCallbackLifecycleMsg,
    RemoteError,
    VirErrorDomain,
    VirErrorNumber,
    VirNetMessageStatus,
    VirNetMessageType,
    VirNetStreamHole,
} from "../../../provider/rpc/generated";
import { encodePacket, type PacketHeader } from "../../../provider/rpc/packet";
import { runDownload } from "../../../provider/rpc/stream";
import { decodeXdr, encodeXdr } from "../../../provider/rpc/xdr";
import { seededRandom as random } from "../../helpers/seeded-random";
import type { FuzzReport, FuzzRequest } from "./fuzz-worker";

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** The worker's heap: far more than any decode of these small inputs needs, far less than the machine has. */
const WORKER_HEAP_MB = 256;

test(`every generated XDR decoder and the frame decoder survive random and mutated input (seed ${seed})`, {
    timeout: 120_000,
}, async (t) => {
    const request: FuzzRequest = { seed, budgetMs: 4000 };
    const worker = new Worker(join(__dirname, "fuzz-worker.js"), {
        workerData: request,
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 32 },
    });
    const report = await new Promise<FuzzReport>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`the fuzz worker exited with code ${code} before reporting`)));
    });
    await worker.terminate();
    t.diagnostic(
        `${report.codecs} codecs, ${report.decodes} decodes, ${report.frameChunks} frame chunks, slowest ${report.slowest} ${report.slowestMs.toFixed(1)} ms, peak heap ${Math.round(report.peakHeapBytes / 2 ** 20)} MiB`,
    );
    assert.deepEqual(report.escapes, [], `seed ${seed}: decoders threw something else than their own error`);
    assert.ok(report.codecs > 700, `only ${report.codecs} codecs fuzzed`);
    assert.ok(report.decodes > report.codecs * 5, `only ${report.decodes} decodes in the time budget`);
    assert.ok(report.frameChunks > 1000, `only ${report.frameChunks} frame chunks`);
    // One input of a few hundred bytes at most: seconds on it would be a hang (the machine is shared, so not less).
    assert.ok(report.slowestMs < 2000, `seed ${seed}: ${report.slowest} took ${report.slowestMs} ms on one input`);
    assert.ok(report.peakHeapBytes < WORKER_HEAP_MB * 1024 * 1024);
});

function randomBytes(rand: () => number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
    return out;
}

/** A payload that is valid for its packet half of the time, and damaged or random otherwise. */
function payloadFor(rand: () => number, valid: Buffer): Buffer {
    const roll = rand();
    if (roll < 0.5) return valid;
    if (roll < 0.75) return randomBytes(rand, Math.floor(rand() * 48));
    const damaged = Buffer.from(valid);
    if (damaged.length > 0) damaged[Math.floor(rand() * damaged.length)] = Math.floor(rand() * 256);
    return rand() < 0.5 ? damaged : damaged.subarray(0, Math.floor(rand() * damaged.length));
}

const SINK_LIMIT = 16 * 1024 * 1024;
const SINK_FULL = new Error("pltest: the fuzz sink is full");
const HOSTNAME = REMOTE_PROCEDURES.CONNECT_GET_HOSTNAME;
const DOWNLOAD = REMOTE_PROCEDURES.STORAGE_VOL_DOWNLOAD;
const LIFECYCLE = REMOTE_PROCEDURES.DOMAIN_EVENT_CALLBACK_LIFECYCLE;

/** One hostile packet aimed at the call (serial 0), the download (serial 1), events or keepalive. */
function hostilePacket(rand: () => number): Buffer {
    const error = encodeXdr(
        RemoteError,
        localRemoteError(VirErrorNumber.VIR_ERR_INTERNAL_ERROR, VirErrorDomain.VIR_FROM_RPC, "pltest"),
    );
    const target = Math.floor(rand() * 5);
    let header: PacketHeader;
    let valid: Buffer;
    const status = rand() < 0.7 ? VirNetMessageStatus.VIR_NET_CONTINUE : Math.floor(rand() * 3);
    if (target === 0) {
        header = {
            prog: REMOTE_PROGRAM,
            vers: REMOTE_PROTOCOL_VERSION,
            proc: HOSTNAME.number,
            type: VirNetMessageType.VIR_NET_REPLY,
            serial: 0,
            status: rand() < 0.8 ? VirNetMessageStatus.VIR_NET_OK : VirNetMessageStatus.VIR_NET_ERROR,
        };
        valid =
            header.status === VirNetMessageStatus.VIR_NET_OK
                ? encodeXdr(RemoteConnectGetHostnameRet, { hostname: "h" })
                : error;
    } else if (target === 1) {
        const holeType = rand() < 0.5;
        header = {
            prog: REMOTE_PROGRAM,
            vers: REMOTE_PROTOCOL_VERSION,
            proc: DOWNLOAD.number,
            type: holeType ? VirNetMessageType.VIR_NET_STREAM_HOLE : VirNetMessageType.VIR_NET_STREAM,
            serial: 1,
            status,
        };
        valid = holeType
            ? encodeXdr(VirNetStreamHole, { length: BigInt(Math.floor(rand() * 2 ** 40)), flags: 0 })
            : status === VirNetMessageStatus.VIR_NET_ERROR
              ? error
              : randomBytes(rand, Math.floor(rand() * 64));
    } else if (target === 2) {
        header = {
            prog: REMOTE_PROGRAM,
            vers: REMOTE_PROTOCOL_VERSION,
            proc: LIFECYCLE.number,
            type: VirNetMessageType.VIR_NET_MESSAGE,
            serial: 1,
            status: VirNetMessageStatus.VIR_NET_OK,
        };
        valid = encodeXdr(RemoteDomainEventCallbackLifecycleMsg, {
            callbackID: 1,
            msg: { dom: { name: "pltest-fuzz", uuid: Buffer.alloc(16), id: 1 }, event: 0, detail: 0 },
        });
    } else if (target === 3) {
        header = {
            prog: KEEPALIVE_PROGRAM,
            vers: KEEPALIVE_PROTOCOL_VERSION,
            proc: rand() < 0.5 ? KeepaliveProcedure.KEEPALIVE_PROC_PING : KeepaliveProcedure.KEEPALIVE_PROC_PONG,
            type: VirNetMessageType.VIR_NET_MESSAGE,
            serial: 0,
            status: VirNetMessageStatus.VIR_NET_OK,
        };
        valid = Buffer.alloc(0);
    } else {
        header = {
            prog: rand() < 0.5 ? REMOTE_PROGRAM : Math.floor(rand() * 2 ** 32),
            vers: Math.floor(rand() * 3),
            proc: Math.floor(rand() * 500),
            type: Math.floor(rand() * 8),
            serial: Math.floor(rand() * 3),
            status: Math.floor(rand() * 4),
        };
        valid = randomBytes(rand, Math.floor(rand() * 32));
    }
    // Now and then a header field is off by a little: another procedure, program or version.
    if (rand() < 0.1) header = { ...header, proc: header.proc + 1 };
    if (rand() < 0.05) header = { ...header, vers: header.vers + 1 };
    return encodePacket(header, payloadFor(rand, valid));
}

test(`a connection fed random and damaged packets fails calls and streams only with LibvirtErrors (seed ${seed})`, {
    timeout: 120_000,
}, async (t) => {
    const rand = random(seed ^ 0x5eed);
    const deadline = Date.now() + 3000;
    let rounds = 0;
    const outcomes = new Map<string, number>();
    const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
    while (Date.now() < deadline) {
        rounds++;
        const [clientSide, peer] = duplexPair();
        peer.on("data", () => {}); // a peer that reads what we send (aborts, PONGs)
        peer.on("error", () => {});
        const connection = new RpcConnection(
            { stream: clientSide, description: "fuzz peer", close: () => clientSide.destroy() },
            { keepaliveIntervalMs: 0, uri: "qemu:///fuzz" },
        );
        connection.onMessage(REMOTE_PROGRAM, LIFECYCLE.number, (packet) => {
            decodeXdr(RemoteDomainEventCallbackLifecycleMsg, packet.payload, "lifecycle event");
        });
        const call = connection.call(
            REMOTE_PROGRAM,
            REMOTE_PROTOCOL_VERSION,
            HOSTNAME.number,
            HOSTNAME.name,
            undefined,
            {
                timeoutMs: 0,
            },
        );
        // Holes are written as zeros, and a damaged hole can be petabytes long: the sink gives up
        // after a while, as a full disk would.
        let written = 0;
        const sink = new Writable({
            highWaterMark: 64 * 1024,
            write(chunk: Buffer, _encoding, done) {
                written += chunk.length;
                setImmediate(() => done(written > SINK_LIMIT ? SINK_FULL : undefined));
            },
        });
        // Its failure reaches the download; after the download has ended it is nobody's business.
        sink.on("error", () => {});
        const download = runDownload(
            connection,
            { program: DOWNLOAD.program, version: DOWNLOAD.version, number: DOWNLOAD.number, name: DOWNLOAD.name },
            () => {},
            sink,
            { timeoutMs: 0 },
        );
        const settled = Promise.allSettled([call, download]);
        for (let i = 0, n = 1 + Math.floor(rand() * 12); i < n; i++) {
            peer.write(hostilePacket(rand));
            if (rand() < 0.3) await new Promise((r) => setImmediate(r));
        }
        await new Promise((r) => setImmediate(r));
        peer.end(); // whatever is still waiting now fails with the connection
        const results = await settled;
        for (const [i, result] of results.entries()) {
            const what = i === 0 ? "call" : "download";
            if (result.status === "fulfilled") {
                count(`${what} ok`);
                continue;
            }
            if (result.reason === SINK_FULL) {
                count("download sink full");
                continue;
            }
            assert.ok(
                LibvirtError.isInstance(result.reason),
                `seed ${seed}, round ${rounds}: the ${what} failed with ${String(result.reason)}, not a LibvirtError`,
            );
            count(`${what} ${result.reason.reportedByDaemon ? "daemon error" : result.reason.codeName}`);
        }
        connection.close();
    }
    t.diagnostic(`${rounds} rounds: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.ok(rounds > 50, `only ${rounds} rounds`);
    // The fuzzing reached the interesting outcomes, not only one of them.
    assert.ok((outcomes.get("call ok") ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get("call VIR_ERR_RPC") ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get("download VIR_ERR_RPC") ?? 0) > 0, JSON.stringify([...outcomes]));
});
