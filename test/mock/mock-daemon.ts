/**
 * A scripted libvirt daemon for faults the real one will not produce on demand: replies out of
 * order, garbage and oversized frames, a disconnect mid-call, a peer that hangs.
 *
 * It is built on the client's own codec (frame decoder, packet encoder, generated argument
 * codecs) and decodes and checks every request it receives: a call whose arguments do not
 * decode exactly fails the test through `protocolErrors`.
 */
import { type Duplex, duplexPair } from "node:stream";
import { localRemoteError } from "../../provider/rpc/errors";
import { FrameDecoder } from "../../provider/rpc/frame-decoder";
import {
    KEEPALIVE_PROGRAM,
    KEEPALIVE_PROTOCOL_VERSION,
    KeepaliveProcedure,
    REMOTE_PROCEDURES,
    REMOTE_PROGRAM,
    REMOTE_PROTOCOL_VERSION,
    RemoteError,
    type RemoteProcedureName,
    VirNetMessageStatus,
    VirNetMessageType,
} from "../../provider/rpc/generated";
import { encodePacket, type Packet, type PacketHeader } from "../../provider/rpc/packet";
import type { Transport } from "../../provider/rpc/transports/transport";
import { decodeXdr, encodeXdr, type XdrCodec } from "../../provider/rpc/xdr";

/** A decoded call as the mock received it. */
export interface ReceivedCall {
    readonly name: RemoteProcedureName;
    readonly serial: number;
    readonly args: any;
    readonly header: PacketHeader;
}

/** What a handler wants done with a call. */
export type Reply =
    | { readonly ok: unknown } // a REPLY with this return value (undefined for void)
    | { readonly error: Partial<RemoteError> & { code: number; domain: number } }
    | { readonly none: true }; // no reply now; the test sends one later (or never)

export type Handler = (call: ReceivedCall, daemon: MockDaemon) => Reply | Promise<Reply>;

/** Answers the connect sequence the way a root connection to libvirtd 9.0 does. */
export const HANDSHAKE_HANDLERS: Partial<Record<RemoteProcedureName, Handler>> = {
    AUTH_LIST: () => ({ ok: { types: [0] } }),
    CONNECT_SUPPORTS_FEATURE: () => ({ ok: { supported: 1 } }),
    CONNECT_OPEN: () => ({ ok: undefined }),
    CONNECT_GET_LIB_VERSION: () => ({ ok: { lib_ver: 9000000n } }),
    CONNECT_CLOSE: () => ({ ok: undefined }),
};

export class MockDaemon {
    /** Every call received, in order. */
    readonly calls: ReceivedCall[] = [];
    /** Stream and message packets received from the client (everything but calls). */
    readonly otherPackets: Packet[] = [];
    /** Requests that did not decode: a test must assert this stays empty. */
    readonly protocolErrors: string[] = [];
    /** When true the daemon reads nothing and answers nothing, keepalive included. */
    hung = false;
    /** Answer the client's keepalive PINGs with PONGs, as libvirtd always does. */
    answerPings = true;
    private readonly server: Duplex;
    private readonly decoder = new FrameDecoder();
    private readonly handlers = new Map<string, Handler>(Object.entries(HANDSHAKE_HANDLERS) as [string, Handler][]);
    private packetListeners: Array<(packet: Packet) => void> = [];
    readonly transport: Transport;
    /**
     * A real socket keeps Node's event loop alive while it is open; the in-memory pair does not,
     * so without this a test awaiting only the client's (unref'd) keepalive timer would end early.
     */
    private readonly keepLoopAlive = setInterval(() => {}, 60_000);

    constructor() {
        const [clientSide, serverSide] = duplexPair();
        this.server = serverSide;
        this.transport = {
            stream: clientSide,
            description: "mock libvirtd",
            close: () => {
                clientSide.destroy();
                clearInterval(this.keepLoopAlive);
            },
        };
        serverSide.on("data", (chunk: Buffer) => this.receive(chunk));
        serverSide.on("error", () => {});
    }

    /** Handles a procedure with `handler` from now on. */
    on(name: RemoteProcedureName, handler: Handler): this {
        this.handlers.set(name, handler);
        return this;
    }

    /** Resolves with the next non-call packet the client sends that matches. */
    nextPacket(matches: (p: Packet) => boolean = () => true): Promise<Packet> {
        return new Promise((resolve) => {
            const listener = (packet: Packet) => {
                if (!matches(packet)) return;
                this.packetListeners = this.packetListeners.filter((l) => l !== listener);
                resolve(packet);
            };
            this.packetListeners.push(listener);
        });
    }

    /** Sends a REPLY for a call, OK with a value or ERROR. */
    reply(call: ReceivedCall, reply: Exclude<Reply, { none: true }>): void {
        const info = REMOTE_PROCEDURES[call.name];
        if ("ok" in reply) {
            const ret = info.ret as XdrCodec<unknown> | null;
            this.sendPacket(
                { ...call.header, type: VirNetMessageType.VIR_NET_REPLY, status: VirNetMessageStatus.VIR_NET_OK },
                ret ? encodeXdr(ret, reply.ok) : undefined,
            );
        } else {
            this.sendPacket(
                { ...call.header, type: VirNetMessageType.VIR_NET_REPLY, status: VirNetMessageStatus.VIR_NET_ERROR },
                encodeXdr(RemoteError, errorPayload(reply.error)),
            );
        }
    }

    /** Sends a STREAM packet belonging to `call`. */
    sendStream(
        call: ReceivedCall,
        status: VirNetMessageStatus,
        payload?: Buffer,
        type = VirNetMessageType.VIR_NET_STREAM,
    ) {
        this.sendPacket({ ...call.header, type, status }, payload);
    }

    sendPacket(header: PacketHeader, payload?: Buffer): void {
        this.server.write(encodePacket(header, payload));
    }

    /** Sends a keepalive PING, as the daemon does after 5 s of silence. */
    ping(): void {
        this.sendPacket(KEEPALIVE_PING);
    }

    /**
     * Stops reading what the client sends (a peer whose socket is full): the client's writes then
     * queue on its side, as they would in a socket's send buffer.
     */
    stopReading(): void {
        this.server.pause();
    }

    startReading(): void {
        this.server.resume();
    }

    /** Bytes the client has written that this side has not read yet. */
    get unreadBytes(): number {
        return this.server.readableLength;
    }

    /** Writes raw bytes (garbage, oversized length words). */
    writeRaw(bytes: Buffer): void {
        this.server.write(bytes);
    }

    /** Drops the connection, as a crashing daemon would: the client reads end-of-file. */
    disconnect(): void {
        this.server.end();
        clearInterval(this.keepLoopAlive);
    }

    private receive(chunk: Buffer): void {
        if (this.hung) return;
        let packets: Packet[];
        try {
            packets = this.decoder.push(chunk);
        } catch (error) {
            this.protocolErrors.push(`framing: ${(error as Error).message}`);
            return;
        }
        for (const packet of packets) this.handle(packet);
    }

    private handle(packet: Packet): void {
        const { header } = packet;
        if (header.type !== VirNetMessageType.VIR_NET_CALL) {
            this.otherPackets.push(packet);
            if (
                this.answerPings &&
                header.prog === KEEPALIVE_PROGRAM &&
                header.proc === KeepaliveProcedure.KEEPALIVE_PROC_PING
            ) {
                this.sendPacket({ ...header, proc: KeepaliveProcedure.KEEPALIVE_PROC_PONG });
            }
            for (const listener of [...this.packetListeners]) listener(packet);
            return;
        }
        if (header.prog !== REMOTE_PROGRAM || header.vers !== REMOTE_PROTOCOL_VERSION) {
            this.protocolErrors.push(`call to unknown program ${header.prog} version ${header.vers}`);
            return;
        }
        const entry = Object.values(REMOTE_PROCEDURES).find((p) => p.number === header.proc);
        if (!entry) {
            this.protocolErrors.push(`call to unknown procedure ${header.proc}`);
            return;
        }
        const name = entry.name as RemoteProcedureName;
        let args: unknown;
        try {
            args = entry.args ? decodeXdr(entry.args as XdrCodec<unknown>, packet.payload, `${name} args`) : undefined;
            if (!entry.args && packet.payload.length !== 0) throw new Error(`${name} takes no arguments`);
        } catch (error) {
            this.protocolErrors.push(`${name}: ${(error as Error).message}`);
            return;
        }
        const call: ReceivedCall = { name, serial: header.serial, args, header };
        this.calls.push(call);
        const handler = this.handlers.get(name);
        if (!handler) {
            this.protocolErrors.push(`no mock handler for ${name}`);
            return;
        }
        void Promise.resolve(handler(call, this)).then((reply) => {
            if (!("none" in reply)) this.reply(call, reply);
        });
    }
}

/** The header of a keepalive PING (no payload), as either side sends it. */
export const KEEPALIVE_PING: PacketHeader = {
    prog: KEEPALIVE_PROGRAM,
    vers: KEEPALIVE_PROTOCOL_VERSION,
    proc: KeepaliveProcedure.KEEPALIVE_PROC_PING,
    type: VirNetMessageType.VIR_NET_MESSAGE,
    serial: 0,
    status: VirNetMessageStatus.VIR_NET_OK,
};

/** A whole `remote_error` from the fields a test cares about, the rest as libvirt leaves them. */
export function errorPayload(error: Partial<RemoteError> & { code: number; domain: number }): RemoteError {
    return { ...localRemoteError(error.code, error.domain, null), ...error };
}
