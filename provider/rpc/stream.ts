/**
 * Data streams of a call (STORAGE_VOL_UPLOAD, STORAGE_VOL_DOWNLOAD), as libvirt 9.0 runs them:
 * the CALL gets a REPLY, then STREAM packets with the call's serial flow one way, the sender
 * marks the end (an empty CONTINUE from the daemon; a STREAM/OK from us), and the other side
 * confirms with STREAM/OK, or reports STREAM/ERROR at any point. Either side aborts with an
 * empty STREAM/ERROR.
 */
import type { Readable, Writable } from "node:stream";
import type { CallOptions } from "./call-options";
import { decodeRemoteError, type RpcConnection, type StreamSink } from "./connection";
import { protocolError } from "./errors";
import { FileChunkSource } from "./file-source";
import {
    VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX,
    VirNetMessageStatus,
    VirNetMessageType,
    VirNetStreamHole,
} from "./generated";
import type { Packet } from "./packet";
import { decodeXdr, encodeXdr, type XdrWriter } from "./xdr";

/** Progress of a transfer, reported after every chunk. */
export interface TransferProgress {
    /** Bytes moved so far, holes included. */
    readonly bytes: number;
    /** Expected total, when known. */
    readonly total: number | undefined;
}

export interface TransferOptions extends CallOptions {
    /** Expected size, passed back in progress reports. */
    readonly total?: number;
    readonly onProgress?: (progress: TransferProgress) => void;
}

/** The procedure a stream belongs to. */
export interface StreamProcedure {
    readonly program: number;
    readonly version: number;
    readonly number: number;
    readonly name: string;
}

/**
 * libvirt's own client and daemon use this chunk size; staying at it keeps replies and
 * keepalives interleavable with the data and works with old daemons.
 */
export const STREAM_CHUNK_BYTES = VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX;

/** How long to wait for the daemon's acknowledgement of our abort before giving up on it. */
const ABORT_ACK_TIMEOUT_MS = 5000;

/**
 * Collects the stream packets of one call into promise-friendly events. The daemon's final
 * packet (STREAM/OK or STREAM/ERROR) and a local failure are tracked apart: after a local
 * failure we still owe the daemon an abort, and must know whether it already ended the stream.
 */
class StreamState implements StreamSink {
    /** The daemon sent its final packet, or the connection died: nothing more will arrive. */
    remoteDone = false;
    private remoteError: Error | undefined;
    private localError: Error | undefined;
    private waiters: Array<() => void> = [];
    onData: ((packet: Packet) => void) | undefined;

    constructor(private readonly procedure: string) {}

    packet(packet: Packet): void {
        const { type, status } = packet.header;
        if (this.remoteDone) return; // stray packets after the end are ignored, as the daemon does
        if (status === VirNetMessageStatus.VIR_NET_ERROR) {
            this.remoteError = decodeRemoteError(packet.payload, this.procedure);
            this.remoteDone = true;
            this.wake();
        } else if (status === VirNetMessageStatus.VIR_NET_OK && type === VirNetMessageType.VIR_NET_STREAM) {
            this.remoteDone = true;
            this.wake();
        } else if (!this.localError) {
            this.onData?.(packet);
        }
    }

    /** The connection died. */
    fail(error: Error): void {
        if (this.remoteDone) return;
        this.remoteError = error;
        this.remoteDone = true;
        this.wake();
    }

    /** Something on our side failed (destination error, abort). */
    failLocal(error: Error): void {
        this.localError ??= error;
        this.wake();
    }

    /** The first error seen, if any. */
    get error(): Error | undefined {
        return this.localError ?? this.remoteError;
    }

    /** Resolves when the daemon confirmed the end; rejects on any error. */
    settled(): Promise<void> {
        return new Promise((resolve, reject) => {
            const check = () => {
                if (this.error) reject(this.error);
                else if (this.remoteDone) resolve();
                else this.waiters.push(check);
            };
            check();
        });
    }

    /** Resolves as soon as anything ended the stream: the daemon's final packet or an error. */
    stopped(): Promise<void> {
        return new Promise((resolve) => {
            const check = () => (this.remoteDone || this.error ? resolve() : this.waiters.push(check));
            check();
        });
    }

    /** Resolves when the daemon has sent its final packet, whatever it was. */
    remoteSettled(): Promise<void> {
        return new Promise((resolve) => {
            const check = () => (this.remoteDone ? resolve() : this.waiters.push(check));
            check();
        });
    }

    private wake(): void {
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w();
    }
}

/** Registers `state` as the receiver of the stream packets of `proc`'s call with `serial`. */
function register(connection: RpcConnection, proc: StreamProcedure, serial: number, state: StreamState): void {
    connection.registerStream(serial, { ...proc, procedure: proc.name }, state);
}

function streamHeader(
    proc: StreamProcedure,
    serial: number,
    status: VirNetMessageStatus,
    type = VirNetMessageType.VIR_NET_STREAM,
) {
    return { prog: proc.program, vers: proc.version, proc: proc.number, type, serial, status };
}

/** Sends our abort and waits briefly for the daemon's acknowledgement so the connection stays clean. */
async function abortStream(connection: RpcConnection, proc: StreamProcedure, serial: number, state: StreamState) {
    if (!connection.isOpen || state.remoteDone) return;
    connection.send(streamHeader(proc, serial, VirNetMessageStatus.VIR_NET_ERROR));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
        state.remoteSettled(),
        new Promise<void>((resolve) => {
            timer = setTimeout(resolve, ABORT_ACK_TIMEOUT_MS);
        }),
    ]);
    clearTimeout(timer);
}

function isAllZero(parts: readonly Buffer[]): boolean {
    for (const chunk of parts) {
        // Compare 8 bytes at a time where alignment allows; most data chunks fail on the first word.
        let i = 0;
        for (; i + 8 <= chunk.length; i += 8) if (chunk.readBigUInt64LE(i) !== 0n) return false;
        for (; i < chunk.length; i++) if (chunk[i] !== 0) return false;
    }
    return true;
}

/** Bytes in a chunk made of parts. */
function partsLength(parts: readonly Buffer[]): number {
    let length = 0;
    for (const part of parts) length += part.length;
    return length;
}

/**
 * Regroups a sequence of buffers into chunks of exactly `size` bytes (the last may be shorter).
 * A chunk is a list of views into the inputs, never a copy: sources rarely deliver libvirt's odd
 * chunk size (262120 bytes), and copying every misaligned chunk cost more CPU than the rest of an
 * upload. So, as with any Node stream, a source must not reuse a buffer after handing it over.
 */
export class ChunkGatherer {
    private parts: Buffer[] = [];
    private length = 0;

    constructor(private readonly size: number) {}

    /** Adds data; returns the full chunks it completes. */
    add(data: Buffer): Buffer[][] {
        const out: Buffer[][] = [];
        let at = 0;
        while (at < data.length) {
            const take = Math.min(this.size - this.length, data.length - at);
            this.parts.push(take === data.length ? data : data.subarray(at, at + take));
            this.length += take;
            at += take;
            if (this.length === this.size) out.push(this.flush()!);
        }
        return out;
    }

    /** Whatever is left, or undefined. */
    flush(): Buffer[] | undefined {
        if (this.length === 0) return undefined;
        const chunk = this.parts;
        this.parts = [];
        this.length = 0;
        return chunk;
    }
}

export interface UploadOptions extends TransferOptions {
    /**
     * Send all-zero chunks as holes. The daemon skips holes instead of writing zeros, so this is
     * only correct on a volume that reads as zeros (a freshly created sparse volume), and only
     * when the call was made with the sparse-stream flag.
     */
    readonly sparse?: boolean;
}

/**
 * Runs an upload call: sends the CALL (encoded by `body`), then streams `source` to the daemon
 * with transport backpressure, then the finish handshake. Resolves with the bytes sent.
 */
export async function runUpload(
    connection: RpcConnection,
    proc: StreamProcedure,
    body: (w: XdrWriter) => void,
    source: Readable | AsyncIterable<Uint8Array>,
    options: UploadOptions = {},
): Promise<number> {
    const serial = connection.allocateSerial();
    const state = new StreamState(proc.name);
    register(connection, proc, serial, state);
    let bytes = 0;
    try {
        await connection.call(proc.program, proc.version, proc.number, proc.name, body, options, serial);
        // A file source lends its buffers: each goes back once the socket has written it.
        const lender = source instanceof FileChunkSource ? source : undefined;
        const sendChunk = async (chunk: Buffer[]) => {
            if (state.error) throw state.error;
            if (options.signal?.aborted) throw options.signal.reason;
            const length = partsLength(chunk);
            const hole = options.sparse === true && isAllZero(chunk);
            const writable = hole
                ? connection.send(
                      streamHeader(
                          proc,
                          serial,
                          VirNetMessageStatus.VIR_NET_CONTINUE,
                          VirNetMessageType.VIR_NET_STREAM_HOLE,
                      ),
                      encodeXdr(VirNetStreamHole, { length: BigInt(length), flags: 0 }),
                  )
                : connection.sendData(
                      streamHeader(proc, serial, VirNetMessageStatus.VIR_NET_CONTINUE),
                      chunk,
                      lender && (() => lender.release(chunk[0]!)),
                  );
            // A hole sends no data: its buffer is free at once.
            if (lender && hole) lender.release(chunk[0]!);
            bytes += length;
            options.onProgress?.({ bytes, total: options.total });
            if (!writable) await connection.drained();
        };
        // Sources deliver chunks of any size (files: 64 KiB); packets of libvirt's own chunk size
        // mean fewer packets for the daemon to handle, so small chunks are gathered first.
        const gathered = new ChunkGatherer(STREAM_CHUNK_BYTES);
        if (lender) {
            // Its chunks already have libvirt's size; each is sent as it is, and given back.
            for await (const chunk of lender) await sendChunk([chunk]);
        } else
            for await (const input of source) {
                for (const chunk of gathered.add(Buffer.isBuffer(input) ? input : Buffer.from(input)))
                    await sendChunk(chunk);
            }
        const last = gathered.flush();
        if (last) await sendChunk(last);
        if (state.error) throw state.error;
        connection.send(streamHeader(proc, serial, VirNetMessageStatus.VIR_NET_OK));
        await state.settled();
        return bytes;
    } catch (error) {
        await abortStream(connection, proc, serial, state);
        throw error;
    } finally {
        connection.unregisterStream(serial);
    }
}

export interface DownloadOptions extends TransferOptions {
    /**
     * Called for each hole of a sparse download (call made with the sparse-stream flag), with its
     * length in bytes. Without it, holes are written to the destination as zeros, in chunks and
     * with the destination's backpressure, however large they are.
     */
    readonly onHole?: (length: number) => void;
    /** End the destination when the download completes (default true). */
    readonly end?: boolean;
}

/** Zeros written for a hole, one piece at a time: never changed, so the same memory serves every write. */
const ZERO_CHUNK = Buffer.alloc(1024 * 1024);
/** Zero pieces written before the event loop gets a turn, whatever the destination does. */
const ZERO_PIECES_PER_TURN = 16;

/**
 * Writes the packets of a download to its destination in order, one at a time: each write that
 * fills the destination waits for it to drain, and while anything waits the connection stops
 * reading, so the daemon (through TCP) waits too. What is held in memory is what was already read
 * when reading stopped, never a hole's zeros.
 */
class DownloadWriter {
    private readonly queue: Packet[] = [];
    private running = false;
    private paused = false;
    bytes = 0;

    constructor(
        private readonly connection: RpcConnection,
        private readonly proc: StreamProcedure,
        private readonly serial: number,
        private readonly destination: Writable,
        private readonly state: StreamState,
        private readonly options: DownloadOptions,
    ) {}

    push(packet: Packet): void {
        this.queue.push(packet);
        if (!this.running) void this.run();
    }

    /** Starts reading again if this writer stopped it (the download ended, or failed). */
    release(): void {
        if (!this.paused) return;
        this.paused = false;
        this.connection.resumeReading();
    }

    private async run(): Promise<void> {
        this.running = true;
        try {
            while (this.queue.length > 0 && !this.state.error) {
                await this.write(this.queue.shift()!);
                // Reading stays stopped until everything already read is written.
                if (this.queue.length === 0) this.release();
            }
        } catch (error) {
            this.state.failLocal(error as Error);
        } finally {
            this.running = false;
            this.release();
        }
    }

    private async write(packet: Packet): Promise<void> {
        if (packet.header.type === VirNetMessageType.VIR_NET_STREAM_HOLE) {
            const length = this.holeLength(packet);
            if (this.options.onHole) this.options.onHole(length);
            else
                for (let left = length, pieces = 1; left > 0 && !this.state.error; pieces++) {
                    const piece = Math.min(left, ZERO_CHUNK.length);
                    await this.put(ZERO_CHUNK.subarray(0, piece));
                    left -= piece;
                    // A destination that never pushes back would keep this loop in microtasks:
                    // let timers (keepalive, abort) and I/O run now and then.
                    if (pieces % ZERO_PIECES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
                }
            this.bytes += length;
        } else if (packet.payload.length === 0) {
            // End of data is an empty CONTINUE; we answer with our finish and await the daemon's.
            this.connection.send(streamHeader(this.proc, this.serial, VirNetMessageStatus.VIR_NET_OK));
            return;
        } else {
            await this.put(packet.payload);
            this.bytes += packet.payload.length;
        }
        this.options.onProgress?.({ bytes: this.bytes, total: this.options.total });
    }

    /** A hole's length; a payload that is not one, or a length no volume can have, fails the download. */
    private holeLength(packet: Packet): number {
        let length: bigint;
        try {
            length = decodeXdr(VirNetStreamHole, packet.payload, "stream hole").length;
        } catch (cause) {
            throw protocolError(
                `libvirt sent a stream hole for ${this.proc.name} that does not decode (${(cause as Error).message})`,
                this.proc.name,
                cause,
            );
        }
        if (length < 0n || length > BigInt(Number.MAX_SAFE_INTEGER)) {
            throw protocolError(
                `libvirt sent a stream hole of ${length} bytes for ${this.proc.name}; a hole is 0 to ${Number.MAX_SAFE_INTEGER} bytes`,
                this.proc.name,
            );
        }
        return Number(length);
    }

    /** Writes one piece; if the destination is full, stops reading and waits until it drains. */
    private async put(data: Buffer): Promise<void> {
        if (this.destination.write(data)) return;
        if (!this.paused) {
            // Reading nothing more until the destination drains is the only flow control the
            // protocol has: the daemon waits for its socket, exactly as with libvirt's client.
            this.paused = true;
            this.connection.pauseReading();
        }
        await drainedOrStopped(this.destination, this.state);
    }
}

/** Resolves when `destination` drains or closes, or when the stream ends for any reason. */
function drainedOrStopped(destination: Writable, state: StreamState): Promise<void> {
    return new Promise((resolve) => {
        const done = () => {
            destination.off("drain", done);
            destination.off("close", done);
            resolve();
        };
        destination.once("drain", done);
        destination.once("close", done);
        void state.stopped().then(done);
    });
}

/**
 * Runs a download call: sends the CALL, writes every data packet (and hole) to `destination` with
 * its backpressure, and completes the finish handshake.
 */
export async function runDownload(
    connection: RpcConnection,
    proc: StreamProcedure,
    body: (w: XdrWriter) => void,
    destination: Writable,
    options: DownloadOptions = {},
): Promise<number> {
    const serial = connection.allocateSerial();
    const state = new StreamState(proc.name);
    const onDestinationError = (error: Error) => state.failLocal(error);
    destination.on("error", onDestinationError);
    const writer = new DownloadWriter(connection, proc, serial, destination, state, options);
    state.onData = (packet) => writer.push(packet);
    register(connection, proc, serial, state);

    const onAbort = () => {
        state.failLocal(options.signal!.reason);
    };
    try {
        await connection.call(proc.program, proc.version, proc.number, proc.name, body, options, serial);
        options.signal?.addEventListener("abort", onAbort, { once: true });
        if (options.signal?.aborted) onAbort();
        await state.settled();
        if (options.end !== false) {
            await new Promise<void>((resolve, reject) => {
                destination.end(() => resolve());
                destination.once("error", reject);
            });
        }
        return writer.bytes;
    } catch (error) {
        // The daemon's last packets must be read to see its answer to our abort.
        writer.release();
        await abortStream(connection, proc, serial, state);
        throw error;
    } finally {
        options.signal?.removeEventListener("abort", onAbort);
        destination.off("error", onDestinationError);
        writer.release();
        connection.unregisterStream(serial);
    }
}
