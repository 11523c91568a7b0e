/**
 * One libvirt RPC connection: many calls in flight over one byte stream.
 *
 * Incoming packets are routed by message type first and by serial second, because event
 * messages reuse serials that also belong to calls. Replies may arrive in any order. When the
 * connection dies, every call and stream in flight fails at once; nothing waits forever.
 */
import type { CallOptions } from "./call-options";
import { CallTimeoutError, type ConnectionError as ConnectionErrorType, ConnectionError, LibvirtError } from "./errors";
import { FrameDecoder } from "./frame-decoder";
// The generated modules themselves, not the ./generated barrel: its re-exports are getters,
// a function call on every use in this per-packet code.
import {
    KEEPALIVE_PROGRAM,
    KEEPALIVE_PROTOCOL_VERSION,
    KeepaliveProcedure,
    VirNetMessageStatus,
    VirNetMessageType,
} from "./generated/constants";
import { RemoteError } from "./generated/remote-types";
import { encodePacket, type Packet, type PacketHeader } from "./packet";
import type { Transport } from "./transports/transport";
import { decodeXdr, type XdrWriter } from "./xdr";

export interface ConnectionOptions {
    /** Send a keepalive ping after this much silence from the daemon (libvirt's default: 5 s). */
    readonly keepaliveIntervalMs?: number;
    /** Declare the daemon dead after this many unanswered pings (libvirt's default: 5). */
    readonly keepaliveCount?: number;
    /** Largest packet accepted from the daemon. */
    readonly maxPacketLength?: number;
}

export const DEFAULT_KEEPALIVE_INTERVAL_MS = 5000;
export const DEFAULT_KEEPALIVE_COUNT = 5;

/** Bytes of stream data we let queue in the transport before waiting for it to drain. */
export const DATA_WINDOW_BYTES = 4 * 1024 * 1024;

/** Receives the STREAM and STREAM_HOLE packets of one call. */
export interface StreamSink {
    packet(packet: Packet): void;
    fail(error: Error): void;
}

/** Receives MESSAGE packets (events) of one program and procedure. */
export type MessageHandler = (packet: Packet) => void;

interface PendingCall {
    readonly procedure: string;
    resolve(payload: Buffer): void;
    reject(error: Error): void;
}

/** A REPLY/STREAM error payload as a LibvirtError; a payload that does not decode is itself reported. */
export function decodeRemoteError(payload: Buffer, procedure: string): LibvirtError | ConnectionErrorType {
    try {
        return new LibvirtError(decodeXdr(RemoteError, payload, "remote_error"), procedure);
    } catch (cause) {
        return new ConnectionError("protocol", `libvirt sent an undecodable error for ${procedure}`, { cause });
    }
}

export class RpcConnection {
    private nextSerialValue = 0;
    private readonly calls = new Map<number, PendingCall>();
    private readonly streams = new Map<number, StreamSink>();
    private readonly messageHandlers = new Map<string, MessageHandler>();
    private readonly closeListeners = new Set<(error: ConnectionError) => void>();
    private readonly decoder: FrameDecoder;
    private failure: ConnectionError | undefined;
    private keepaliveTimer: NodeJS.Timeout | undefined;
    private lastReceived = Date.now();
    private unansweredPings = 0;
    private readonly keepaliveIntervalMs: number;
    private readonly keepaliveCount: number;

    constructor(
        private readonly transport: Transport,
        options: ConnectionOptions = {},
    ) {
        this.decoder = new FrameDecoder(options.maxPacketLength);
        this.keepaliveIntervalMs = options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS;
        this.keepaliveCount = options.keepaliveCount ?? DEFAULT_KEEPALIVE_COUNT;
        const stream = transport.stream;
        if (transport.setReceiver) transport.setReceiver((chunk) => this.receive(chunk, true));
        else stream.on("data", (chunk: Buffer) => this.receive(chunk, false));
        stream.on("error", (cause: Error) =>
            this.fail(new ConnectionError("transport", `${transport.description}: ${cause.message}`, { cause })),
        );
        stream.on("close", () =>
            this.fail(new ConnectionError("eof", `${transport.description}: connection closed by the other side`)),
        );
        stream.on("end", () =>
            this.fail(new ConnectionError("eof", `${transport.description}: connection closed by the other side`)),
        );
        if (this.keepaliveIntervalMs > 0) {
            this.keepaliveTimer = setInterval(() => this.keepaliveTick(), this.keepaliveIntervalMs);
            // An idle pooled connection must not keep the process alive.
            this.keepaliveTimer.unref();
        }
    }

    /** What this connection talks to, for messages. */
    get description(): string {
        return this.transport.description;
    }

    /** Set once the connection is dead; it never recovers. */
    get error(): ConnectionError | undefined {
        return this.failure;
    }

    get isOpen(): boolean {
        return this.failure === undefined;
    }

    /** Calls waiting for a reply (for tests and diagnostics). */
    get pendingCalls(): number {
        return this.calls.size;
    }

    onClose(listener: (error: ConnectionError) => void): () => void {
        if (this.failure) {
            listener(this.failure);
            return () => {};
        }
        this.closeListeners.add(listener);
        return () => this.closeListeners.delete(listener);
    }

    /** libvirt's client counts serials up from 0; they only need to be unique among calls in flight. */
    allocateSerial(): number {
        const serial = this.nextSerialValue;
        this.nextSerialValue = (this.nextSerialValue + 1) >>> 0;
        return serial;
    }

    /**
     * Sends a CALL and resolves with the REPLY's payload. `serial` may be preallocated by a
     * caller that must register a stream sink before the call goes out.
     */
    call(
        program: number,
        version: number,
        proc: number,
        procedure: string,
        body: Buffer | ((w: XdrWriter) => void) | undefined,
        options: CallOptions = {},
        serial = this.allocateSerial(),
    ): Promise<Buffer> {
        if (this.failure) return Promise.reject(this.failure);
        if (options.signal?.aborted) return Promise.reject(options.signal.reason);

        const packet = encodePacket(
            {
                prog: program,
                vers: version,
                proc,
                type: VirNetMessageType.VIR_NET_CALL,
                serial,
                status: VirNetMessageStatus.VIR_NET_OK,
            },
            body,
        );
        return new Promise<Buffer>((resolve, reject) => {
            let timer: NodeJS.Timeout | undefined;
            const onAbort = () => settle(() => reject(options.signal!.reason));
            const settle = (finish: () => void) => {
                if (timer) clearTimeout(timer);
                options.signal?.removeEventListener("abort", onAbort);
                this.calls.delete(serial);
                finish();
            };
            this.calls.set(serial, {
                procedure,
                resolve: (payload) => settle(() => resolve(payload)),
                reject: (error) => settle(() => reject(error)),
            });
            if (options.timeoutMs !== undefined) {
                timer = setTimeout(
                    () => settle(() => reject(new CallTimeoutError(procedure, options.timeoutMs!))),
                    options.timeoutMs,
                );
            }
            options.signal?.addEventListener("abort", onAbort, { once: true });
            this.transport.stream.write(packet);
        });
    }

    /** Registers the receiver of a call's stream packets; register before sending the call. */
    registerStream(serial: number, sink: StreamSink): void {
        this.streams.set(serial, sink);
    }

    unregisterStream(serial: number): void {
        this.streams.delete(serial);
    }

    /** Routes MESSAGE packets of one program and procedure (events) to a handler. */
    onMessage(program: number, proc: number, handler: MessageHandler): () => void {
        const key = `${program}:${proc}`;
        this.messageHandlers.set(key, handler);
        return () => this.messageHandlers.delete(key);
    }

    /**
     * Writes one packet that is not a call (stream data, stream finish/abort). Returns false
     * when the transport's buffer is full: wait for `drained()` before writing more.
     */
    send(header: PacketHeader, body?: Buffer): boolean {
        if (this.failure) throw this.failure;
        return this.transport.stream.write(encodePacket(header, body));
    }

    /**
     * Writes one stream data packet without copying the payload: the header and the payload's
     * parts go out together as one vectored write. Returns false when more than
     * `DATA_WINDOW_BYTES` are queued; the writer should then wait for `drained()`. A deeper window
     * than the socket's own high-water mark keeps the daemon busy while we read the next chunk of
     * the source. The parts must not change until they are written (they are queued by reference);
     * `onWritten` runs once the socket has taken all of them (or failed to).
     */
    sendData(header: PacketHeader, payload: Buffer | readonly Buffer[], onWritten?: () => void): boolean {
        if (this.failure) throw this.failure;
        const stream = this.transport.stream;
        const parts = Buffer.isBuffer(payload) ? [payload] : payload;
        let length = 0;
        for (const part of parts) length += part.length;
        const head = encodePacket(header);
        head.writeUInt32BE(head.length + length, 0);
        stream.cork();
        stream.write(head);
        // Writes complete in order: when the last one is done, so are the others.
        const last = parts.length - 1;
        parts.forEach((part, i) => {
            if (i === last && onWritten) stream.write(part, () => onWritten());
            else stream.write(part);
        });
        if (last < 0 && onWritten) onWritten();
        stream.uncork();
        return stream.writableLength < DATA_WINDOW_BYTES;
    }

    /** Resolves when the transport can take more data, or rejects when the connection dies. */
    drained(): Promise<void> {
        if (this.failure) return Promise.reject(this.failure);
        if (!this.transport.stream.writableNeedDrain) return Promise.resolve();
        return new Promise((resolve, reject) => {
            const stop = this.onClose((error) => {
                this.transport.stream.off("drain", onDrain);
                reject(error);
            });
            const onDrain = () => {
                stop();
                resolve();
            };
            this.transport.stream.once("drain", onDrain);
        });
    }

    /** Stops reading from the daemon (download backpressure); calls wait meanwhile. */
    pauseReading(): void {
        this.transport.stream.pause();
    }

    resumeReading(): void {
        this.transport.stream.resume();
    }

    /** Closes the transport; calls in flight fail with a "closed" ConnectionError. */
    close(reason = "connection closed by the client"): void {
        this.fail(new ConnectionError("closed", `${this.transport.description}: ${reason}`));
    }

    /** `transient`: the chunk's memory is reused after this call (see Transport.setReceiver). */
    private receive(chunk: Buffer, transient: boolean): void {
        if (this.failure) return;
        let packets: Packet[];
        try {
            packets = this.decoder.push(chunk, transient);
        } catch (cause) {
            this.fail(
                new ConnectionError("framing", `${this.transport.description}: ${(cause as Error).message}`, { cause }),
            );
            return;
        }
        this.lastReceived = Date.now();
        this.unansweredPings = 0;
        for (const packet of packets) {
            if (this.failure) return;
            this.route(packet);
        }
    }

    private route(packet: Packet): void {
        const { header } = packet;
        switch (header.type) {
            case VirNetMessageType.VIR_NET_REPLY:
            case VirNetMessageType.VIR_NET_REPLY_WITH_FDS:
                this.routeReply(packet);
                return;
            case VirNetMessageType.VIR_NET_STREAM:
            case VirNetMessageType.VIR_NET_STREAM_HOLE:
                // A stream that finished or was aborted may still receive a few queued packets.
                this.streams.get(header.serial)?.packet(packet);
                return;
            case VirNetMessageType.VIR_NET_MESSAGE:
                this.routeMessage(packet);
                return;
            default:
                this.fail(
                    new ConnectionError(
                        "protocol",
                        `${this.transport.description}: unexpected packet type ${header.type} from the daemon`,
                    ),
                );
        }
    }

    private routeReply(packet: Packet): void {
        const call = this.calls.get(packet.header.serial);
        // No waiter: the call timed out or was aborted, and its late reply is dropped.
        if (!call) return;
        if (packet.header.status === VirNetMessageStatus.VIR_NET_OK) {
            call.resolve(packet.payload);
        } else {
            call.reject(decodeRemoteError(packet.payload, call.procedure));
        }
    }

    private routeMessage(packet: Packet): void {
        const { header } = packet;
        if (header.prog === KEEPALIVE_PROGRAM) {
            if (header.proc === KeepaliveProcedure.KEEPALIVE_PROC_PING) {
                this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PONG);
            }
            // A PONG needs no handling: any received packet already proved the peer alive.
            return;
        }
        this.messageHandlers.get(`${header.prog}:${header.proc}`)?.(packet);
    }

    private sendKeepalive(proc: KeepaliveProcedure): void {
        if (this.failure) return;
        this.transport.stream.write(
            encodePacket({
                prog: KEEPALIVE_PROGRAM,
                vers: KEEPALIVE_PROTOCOL_VERSION,
                proc,
                type: VirNetMessageType.VIR_NET_MESSAGE,
                serial: 0,
                status: VirNetMessageStatus.VIR_NET_OK,
            }),
        );
    }

    private keepaliveTick(): void {
        if (this.failure) return;
        if (Date.now() - this.lastReceived < this.keepaliveIntervalMs) return;
        if (this.unansweredPings >= this.keepaliveCount) {
            const silentSeconds = Math.round((Date.now() - this.lastReceived) / 1000);
            this.fail(
                new ConnectionError(
                    "keepalive",
                    `${this.transport.description}: libvirtd stopped answering (no reply to ${this.unansweredPings} keepalive pings in ${silentSeconds} s)`,
                ),
            );
            return;
        }
        this.unansweredPings++;
        this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PING);
    }

    private fail(error: ConnectionError): void {
        if (this.failure) return;
        this.failure = error;
        if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
        for (const call of [...this.calls.values()]) call.reject(error);
        this.calls.clear();
        for (const sink of [...this.streams.values()]) sink.fail(error);
        this.streams.clear();
        for (const listener of [...this.closeListeners]) listener(error);
        this.closeListeners.clear();
        this.transport.close();
    }
}
