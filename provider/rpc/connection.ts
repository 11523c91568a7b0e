/**
 * One libvirt RPC connection: many calls in flight over one byte stream.
 *
 * Incoming packets are routed by message type first and by serial second, because event
 * messages reuse serials that also belong to calls. Replies may arrive in any order. When the
 * connection dies, every call and stream in flight fails at once; nothing waits forever.
 */
import type { CallOptions } from "./call-options";
import { DEFAULT_CALL_TIMEOUT_MS, defaultTimeoutMs } from "./call-policy";
import { CallTimeoutError, ConnectionError, LibvirtError, protocolError } from "./errors";
import { FrameDecoder } from "./frame-decoder";
// The generated modules themselves, not the ./generated barrel: its re-exports are getters,
// a function call on every use in this per-packet code.
import {
    KEEPALIVE_PROGRAM,
    KEEPALIVE_PROTOCOL_VERSION,
    KeepaliveProcedure,
    QEMU_PROGRAM,
    REMOTE_PROGRAM,
    VirNetMessageStatus,
    VirNetMessageType,
} from "./generated/constants";
import {
    KEEPALIVE_PROCEDURE_BY_NUMBER,
    QEMU_PROCEDURE_BY_NUMBER,
    REMOTE_PROCEDURE_BY_NUMBER,
} from "./generated/procedures";
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
    /**
     * Timeout of every call that sets no `timeoutMs` of its own (default 10 minutes; long storage
     * calls such as a wipe or a copy get at least 2 hours); 0 turns the default off. The data of
     * a stream transfer is never timed, only the call that opens it.
     */
    readonly callTimeoutMs?: number;
    /** The URI this connection serves, named in every error it raises (LibvirtClient sets it). */
    readonly uri?: string;
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

/**
 * Receives MESSAGE packets (events) of one program and procedure. Whatever it throws is taken as
 * an undecodable message and fails the connection: a handler calls user code only where a throw
 * cannot reach the connection.
 */
export type MessageHandler = (packet: Packet) => void;

/** Program, version and procedure: what every REPLY and STREAM packet of a call must repeat. */
export interface CallIdentity {
    readonly program: number;
    readonly version: number;
    readonly number: number;
}

interface PendingCall extends CallIdentity {
    readonly procedure: string;
    /** When the connection's default timeout fails the call (Date.now() ms), if it has one. */
    readonly deadline: number | undefined;
    readonly timeoutMs: number;
    resolve(payload: Buffer): void;
    reject(error: Error): void;
}

interface OpenStream extends CallIdentity {
    readonly procedure: string;
    readonly sink: StreamSink;
}

/** A REPLY/STREAM error payload as a LibvirtError; a payload that does not decode is itself reported as one. */
export function decodeRemoteError(payload: Buffer, procedure: string): LibvirtError {
    try {
        return new LibvirtError(decodeXdr(RemoteError, payload, "remote_error"), procedure);
    } catch (cause) {
        return protocolError(
            `libvirt sent an error for ${procedure} that does not decode (${(cause as Error).message})`,
            procedure,
            cause,
        );
    }
}

/** "DOMAIN_LOOKUP_BY_NAME" for a known program and procedure, otherwise the numbers. */
export function describeProcedure(program: number, version: number, proc: number): string {
    const table =
        program === REMOTE_PROGRAM
            ? REMOTE_PROCEDURE_BY_NUMBER
            : program === KEEPALIVE_PROGRAM
              ? KEEPALIVE_PROCEDURE_BY_NUMBER
              : program === QEMU_PROGRAM
                ? QEMU_PROCEDURE_BY_NUMBER
                : undefined;
    const known = table?.get(proc);
    if (known && known.version === version) return known.name;
    return `program 0x${program.toString(16)} version ${version} procedure ${proc}`;
}

export class RpcConnection {
    private nextSerialValue = 0;
    private readonly calls = new Map<number, PendingCall>();
    private readonly streams = new Map<number, OpenStream>();
    private readonly messageHandlers = new Map<string, MessageHandler>();
    private readonly closeListeners = new Set<(error: ConnectionError) => void>();
    private readonly decoder: FrameDecoder;
    private failure: ConnectionError | undefined;
    private keepaliveTimer: NodeJS.Timeout | undefined;
    private readonly timeoutSweep: NodeJS.Timeout | undefined;
    private lastReceived = Date.now();
    private unansweredPings = 0;
    private readonly keepaliveIntervalMs: number;
    private readonly keepaliveCount: number;
    private readonly callTimeoutMs: number;
    /** Names the connection in errors: the URI and the transport, or the transport alone. */
    private readonly label: string;
    /**
     * A keepalive packet (PING or PONG) we wrote that the transport has not yet passed on. While
     * one is, further keepalives are dropped: a peer that floods PINGs and reads nothing would
     * otherwise fill memory with PONGs, and one queued packet already says we are alive.
     */
    private keepaliveQueued = false;
    /** How many readers (downloads waiting for their destination) asked us to stop reading. */
    private readPauses = 0;

    constructor(
        private readonly transport: Transport,
        options: ConnectionOptions = {},
    ) {
        this.decoder = new FrameDecoder(options.maxPacketLength);
        this.keepaliveIntervalMs = options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS;
        this.keepaliveCount = options.keepaliveCount ?? DEFAULT_KEEPALIVE_COUNT;
        this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
        this.label = options.uri ? `${options.uri} (${transport.description})` : transport.description;
        const stream = transport.stream;
        if (transport.setReceiver) transport.setReceiver((chunk) => this.receive(chunk, true));
        else stream.on("data", (chunk: Buffer) => this.receive(chunk, false));
        stream.on("error", (cause: Error) =>
            this.fail(new ConnectionError("transport", `${this.label}: ${cause.message}`, { cause })),
        );
        stream.on("close", () =>
            this.fail(new ConnectionError("eof", `${this.label}: connection closed by the other side`)),
        );
        stream.on("end", () =>
            this.fail(new ConnectionError("eof", `${this.label}: connection closed by the other side`)),
        );
        if (this.callTimeoutMs > 0) {
            // A tenth of the timeout late at most, and never busier than 100 times a second.
            const every = Math.min(1000, Math.max(10, Math.floor(this.callTimeoutMs / 10)));
            this.timeoutSweep = setInterval(() => this.expireCalls(), every);
            this.timeoutSweep.unref();
        }
        if (this.keepaliveIntervalMs > 0) {
            this.keepaliveTimer = setInterval(() => this.keepaliveTick(), this.keepaliveIntervalMs);
            // An idle pooled connection must not keep the process alive.
            this.keepaliveTimer.unref();
        }
    }

    /** What this connection talks to, for messages: the URI (when known) and the transport. */
    get description(): string {
        return this.label;
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
     * caller that must register a stream sink before the call goes out. Without a `timeoutMs` the
     * call gets the connection's default (see `callTimeoutMs`); `timeoutMs: 0` waits forever.
     * If the connection dies, the call fails with a ConnectionError that says whether it had been
     * sent (`isOutcomeUnknown()`).
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
        if (this.failure) return Promise.reject(this.failure.forCall(procedure, false));
        if (options.signal?.aborted) return Promise.reject(options.signal.reason);
        // A call's own timeout gets its own timer; the default one is checked by a sweep, which
        // spares every call a timer (an allocation and two timer-list operations per round trip).
        const ownTimeout = options.timeoutMs !== undefined;
        const timeoutMs = options.timeoutMs ?? defaultTimeoutMs(procedure, this.callTimeoutMs);

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
                program,
                version,
                number: proc,
                deadline: !ownTimeout && timeoutMs > 0 ? Date.now() + timeoutMs : undefined,
                timeoutMs,
                resolve: (payload) => settle(() => resolve(payload)),
                reject: (error) => settle(() => reject(error)),
            });
            if (ownTimeout && timeoutMs > 0) {
                timer = setTimeout(
                    () => settle(() => reject(new CallTimeoutError(procedure, timeoutMs, this.label))),
                    timeoutMs,
                );
            }
            options.signal?.addEventListener("abort", onAbort, { once: true });
            this.transport.stream.write(packet);
        });
    }

    /**
     * Registers the receiver of a call's stream packets; register before sending the call. Every
     * packet of the stream must repeat the call's program, version and procedure.
     */
    registerStream(serial: number, call: CallIdentity & { readonly procedure: string }, sink: StreamSink): void {
        this.streams.set(serial, {
            program: call.program,
            version: call.version,
            number: call.number,
            procedure: call.procedure,
            sink,
        });
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
        // Only packets of a call already sent (stream data, finish, abort) go this way.
        if (this.failure) throw this.failure.forCall(describeProcedure(header.prog, header.vers, header.proc), true);
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
        if (this.failure) throw this.failure.forCall(describeProcedure(header.prog, header.vers, header.proc), true);
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

    /**
     * Stops reading from the daemon (download backpressure); calls wait meanwhile. Counted: reading
     * starts again when every pause has been resumed. While paused, silence from the daemon is
     * ours, not its: keepalive keeps pinging (so the daemon sees we are alive) but does not count
     * the missing answers against it.
     */
    pauseReading(): void {
        if (this.readPauses++ === 0) this.transport.stream.pause();
    }

    resumeReading(): void {
        if (this.readPauses === 0) return;
        if (--this.readPauses > 0) return;
        this.lastReceived = Date.now();
        this.unansweredPings = 0;
        this.transport.stream.resume();
    }

    /** Closes the transport; calls in flight fail with a "closed" ConnectionError. */
    close(reason = "connection closed by the client"): void {
        this.fail(new ConnectionError("closed", `${this.label}: ${reason}`));
    }

    /** `transient`: the chunk's memory is reused after this call (see Transport.setReceiver). */
    private receive(chunk: Buffer, transient: boolean): void {
        if (this.failure) return;
        let packets: Packet[];
        try {
            packets = this.decoder.push(chunk, transient);
        } catch (cause) {
            this.fail(new ConnectionError("framing", `${this.label}: ${(cause as Error).message}`, { cause }));
            return;
        }
        this.lastReceived = Date.now();
        this.unansweredPings = 0;
        for (const packet of packets) {
            if (this.failure) return;
            try {
                this.route(packet);
            } catch (cause) {
                // Whatever a packet does to us (a payload that does not decode, a handler that
                // trips over it), it ends here: the connection fails, the process does not.
                const what = describeProcedure(packet.header.prog, packet.header.vers, packet.header.proc);
                this.fail(
                    new ConnectionError(
                        "protocol",
                        `${this.label}: cannot handle a ${what} packet from the daemon: ${(cause as Error).message}`,
                        { cause },
                    ),
                );
                return;
            }
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
                this.routeStream(packet);
                return;
            case VirNetMessageType.VIR_NET_MESSAGE:
                this.routeMessage(packet);
                return;
            default:
                this.fail(
                    new ConnectionError(
                        "protocol",
                        `${this.label}: unexpected packet type ${header.type} from the daemon`,
                    ),
                );
        }
    }

    private routeReply(packet: Packet): void {
        const call = this.calls.get(packet.header.serial);
        // No waiter: the call timed out or was aborted, and its late reply is dropped.
        if (!call) return;
        if (!this.matches(packet, call, `the reply to ${call.procedure}`)) return;
        if (packet.header.status === VirNetMessageStatus.VIR_NET_OK) {
            call.resolve(packet.payload);
        } else {
            call.reject(decodeRemoteError(packet.payload, call.procedure));
        }
    }

    private routeStream(packet: Packet): void {
        // A stream that finished or was aborted may still receive a few queued packets.
        const stream = this.streams.get(packet.header.serial);
        if (!stream) return;
        if (!this.matches(packet, stream, `a stream packet of ${stream.procedure}`)) return;
        stream.sink.packet(packet);
    }

    /**
     * A REPLY or STREAM packet names the call's program, version and procedure as well as its
     * serial. One that names others means the daemon and we no longer agree on what its packets
     * answer: nothing that follows can be trusted, so the connection is dropped.
     */
    private matches(packet: Packet, call: CallIdentity, what: string): boolean {
        const { prog, vers, proc, serial } = packet.header;
        if (prog === call.program && vers === call.version && proc === call.number) return true;
        this.fail(
            new ConnectionError(
                "protocol",
                `${this.label}: ${what} (serial ${serial}) came back as ${describeProcedure(prog, vers, proc)}; ` +
                    "the daemon's replies no longer match our calls, so the connection is dropped",
            ),
        );
        return false;
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
        if (this.failure || this.keepaliveQueued) return;
        this.keepaliveQueued = true;
        this.transport.stream.write(
            encodePacket({
                prog: KEEPALIVE_PROGRAM,
                vers: KEEPALIVE_PROTOCOL_VERSION,
                proc,
                type: VirNetMessageType.VIR_NET_MESSAGE,
                serial: 0,
                status: VirNetMessageStatus.VIR_NET_OK,
            }),
            () => {
                this.keepaliveQueued = false;
            },
        );
    }

    private keepaliveTick(): void {
        if (this.failure) return;
        if (this.readPauses > 0) {
            // We stopped reading, so the daemon's silence proves nothing; a PING still reaches it
            // and resets its own keepalive timer, so it does not drop a client that is just slow.
            this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PING);
            return;
        }
        if (Date.now() - this.lastReceived < this.keepaliveIntervalMs) return;
        if (this.unansweredPings >= this.keepaliveCount) {
            const silentSeconds = Math.round((Date.now() - this.lastReceived) / 1000);
            this.fail(
                new ConnectionError(
                    "keepalive",
                    `${this.label}: libvirtd stopped answering (no reply to ${this.unansweredPings} keepalive pings in ${silentSeconds} s)`,
                ),
            );
            return;
        }
        this.unansweredPings++;
        this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PING);
    }

    /** Fails the calls whose default timeout has passed. */
    private expireCalls(): void {
        const now = Date.now();
        for (const call of this.calls.values()) {
            if (call.deadline !== undefined && call.deadline <= now)
                call.reject(new CallTimeoutError(call.procedure, call.timeoutMs, this.label));
        }
    }

    private fail(error: ConnectionError): void {
        if (this.failure) return;
        this.failure = error;
        if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
        if (this.timeoutSweep) clearInterval(this.timeoutSweep);
        for (const call of [...this.calls.values()]) call.reject(error.forCall(call.procedure, true));
        this.calls.clear();
        for (const stream of [...this.streams.values()]) stream.sink.fail(error.forCall(stream.procedure, true));
        this.streams.clear();
        for (const listener of [...this.closeListeners]) listener(error);
        this.closeListeners.clear();
        this.transport.close();
    }
}
