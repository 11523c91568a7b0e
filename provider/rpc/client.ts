/**
 * The public client: one connection to one libvirt URI, a typed method per procedure
 * (generated), `call(name, args)` for the same by name, and volume upload/download streams.
 */
import { countCall } from "./call-counter";
import type { Readable, Writable } from "node:stream";
import type { CallOptions } from "./call-options";
import { stat } from "node:fs/promises";
import { type ConnectionOptions, DATA_WINDOW_BYTES, RpcConnection } from "./connection";
import { isIdempotent } from "./call-policy";
import { dropSharedReads, tagsTouchedBy } from "./shared-reads";
import { ConnectionError, protocolError } from "./errors";
import { type FileRange, FileChunkSource } from "./file-source";
// Used on every call: from the generated modules themselves, not the barrel's getters.
import { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION } from "./generated/constants";
import { REMOTE_PROCEDURES } from "./generated/procedures";
import {
    type RemoteNonnullStorageVol,
    RemoteProcedureMethods,
    type RemoteProcedureArgs,
    type RemoteProcedureName,
    type RemoteProcedureRet,
    RemoteStorageVolDownloadArgs,
    RemoteStorageVolUploadArgs,
    VirStorageVolDownloadFlags,
    VirStorageVolUploadFlags,
} from "./generated";
import { performHandshake, type SessionInfo } from "./handshake";
import {
    type DownloadOptions,
    runDownload,
    runUpload,
    STREAM_CHUNK_BYTES,
    type StreamProcedure,
    type UploadOptions,
} from "./stream";
import { openTransport } from "./transports";
import type { Transport } from "./transports/transport";
import { type LibvirtUri, parseLibvirtUri } from "./uri";
import { decodeXdr } from "./xdr";

export interface ConnectOptions extends ConnectionOptions {
    /** Give up connecting (transport and handshake) after this many milliseconds (default 30 s). */
    readonly connectTimeoutMs?: number;
    readonly signal?: AbortSignal;
    /** Open the connection read-only (`VIR_CONNECT_RO`). */
    readonly readOnly?: boolean;
    /** Environment to read `LIBVIRT_DEFAULT_URI` from (default `process.env`). */
    readonly env?: NodeJS.ProcessEnv;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Buffers a file upload reads into: the connection's data window and two chunks more, so reading
 * the file waits for the socket only when the window is full.
 */
const FILE_UPLOAD_BUFFERS = Math.ceil(DATA_WINDOW_BYTES / STREAM_CHUNK_BYTES) + 2;

/** Where in a volume a transfer starts and how much it moves. */
export interface VolumeRange {
    /** Byte offset into the volume (default 0). */
    readonly offset?: bigint | number;
    /** Bytes to move; 0 or absent means "to the end of the volume". */
    readonly length?: bigint | number;
}

/** Where calls go once a client's connection has died: a pool's live client for the same URI. */
export type Successor = () => Promise<LibvirtClient>;

/** Prefixes an error's message with the URI it concerns, unless it already names it. */
function namingUri<E>(error: E, uri: string): E {
    if (error instanceof Error && !error.message.includes(uri)) error.message = `${uri}: ${error.message}`;
    return error;
}

/** The arguments shared by STORAGE_VOL_UPLOAD and STORAGE_VOL_DOWNLOAD. */
function streamArgs(
    vol: RemoteNonnullStorageVol,
    range: VolumeRange & { readonly sparse?: boolean },
    sparseFlag: number,
) {
    return {
        vol,
        offset: BigInt(range.offset ?? 0),
        length: BigInt(range.length ?? 0),
        flags: range.sparse ? sparseFlag : 0,
    };
}

function streamProcedure(name: "STORAGE_VOL_UPLOAD" | "STORAGE_VOL_DOWNLOAD"): StreamProcedure {
    const info = REMOTE_PROCEDURES[name];
    return { program: info.program, version: info.version, number: info.number, name };
}

export class LibvirtClient extends RemoteProcedureMethods {
    /** Set by a ConnectionPool: where calls go after this client's connection was lost. */
    private successor: Successor | undefined;

    private constructor(
        private readonly connection: RpcConnection,
        /** The URI this client was opened with, parsed. */
        readonly uri: LibvirtUri,
        /** What the handshake learned about the daemon. */
        readonly session: SessionInfo,
    ) {
        super();
    }

    /** Opens a transport for `uri` and runs the connect sequence. */
    static async connect(uri?: string, options: ConnectOptions = {}): Promise<LibvirtClient> {
        const parsed = parseLibvirtUri(uri, options.env);
        const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
        const started = Date.now();
        // The transport's own timer names the URI and the transport when it fires.
        const transport = await openTransport(parsed, { connectTimeoutMs: timeoutMs, signal: options.signal });
        const left = Math.max(1, timeoutMs - (Date.now() - started));
        return LibvirtClient.handshake(transport, parsed, options, left, timeoutMs);
    }

    /**
     * Runs the connect sequence over an already open transport (a custom tunnel, or a test
     * double). The transport belongs to the client from here on.
     */
    static async open(
        transport: Transport,
        uri: LibvirtUri | string,
        options: ConnectOptions = {},
    ): Promise<LibvirtClient> {
        const parsed = typeof uri === "string" ? parseLibvirtUri(uri, options.env) : uri;
        const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
        return LibvirtClient.handshake(transport, parsed, options, timeoutMs, timeoutMs);
    }

    /**
     * The connect sequence over an open transport, within `timeoutMs`. Every error it ends with
     * names the URI; a timeout says how long the whole connect (`totalMs`) was given.
     */
    private static async handshake(
        transport: Transport,
        uri: LibvirtUri,
        options: ConnectOptions,
        timeoutMs: number,
        totalMs: number,
    ): Promise<LibvirtClient> {
        const connection = new RpcConnection(transport, { ...options, uri: uri.original });
        const deadline = new AbortController();
        const timer = setTimeout(() => deadline.abort(), timeoutMs);
        const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
        let step = "AUTH_LIST";
        const caller = <N extends RemoteProcedureName>(
            name: N,
            args: RemoteProcedureArgs[N],
            callOptions?: CallOptions,
        ) => {
            step = name;
            return callOn(connection, name, args, callOptions);
        };
        try {
            const session = await performHandshake(caller, uri, { signal, readOnly: options.readOnly });
            return new LibvirtClient(connection, uri, session);
        } catch (error) {
            connection.close("connect sequence failed");
            if (deadline.signal.aborted) {
                throw new ConnectionError(
                    "timeout",
                    `${uri.original}: connecting timed out after ${totalMs} ms waiting for libvirtd to answer ${step} ` +
                        `(${transport.description}): check that the daemon is running and not overloaded, or raise connectTimeoutMs`,
                    { cause: error },
                );
            }
            if (options.signal?.aborted && error === options.signal.reason) {
                throw new ConnectionError("closed", `${uri.original}: connecting was aborted during ${step}`, {
                    cause: error,
                });
            }
            throw namingUri(error, uri.original);
        } finally {
            clearTimeout(timer);
        }
    }

    /**
     * Used by ConnectionPool: once this client's connection is lost (not closed by us), new calls
     * go to the client `next` resolves to, and a call that was in flight is sent there once more
     * if it only reads (see call-policy.ts). `next` bounds its own wait.
     */
    followWith(next: Successor): void {
        this.successor = next;
    }

    /** True until the connection is closed or dies. */
    get isOpen(): boolean {
        return this.connection.isOpen;
    }

    /** Why the connection died, once it has. */
    get closedBecause(): ConnectionError | undefined {
        return this.connection.error;
    }

    /** Calls waiting for a reply right now. */
    get pendingCalls(): number {
        return this.connection.pendingCalls;
    }

    /** Listens for the end of this connection (closed by us, the daemon, or a failure). */
    onClose(listener: (error: ConnectionError) => void): () => void {
        return this.connection.onClose(listener);
    }

    /**
     * Calls a procedure by its protocol name without the `REMOTE_PROC_` prefix, e.g.
     * `call("DOMAIN_LOOKUP_BY_NAME", { name: "vm1" })`.
     */
    call<N extends RemoteProcedureName>(
        name: N,
        args: RemoteProcedureArgs[N],
        options?: CallOptions,
    ): Promise<RemoteProcedureRet[N]> {
        // Without a successor nothing can be retried: no extra promise on the hot path.
        if (this.successor === undefined) return this.callOnce(name, args, options);
        if (this.follows(this.connection.error)) {
            // The new connection's client drops its shared reads (callOnce); this one, which its holders still use, too.
            return this.changing(
                name,
                args,
                this.next().then((next) => next.callOnce(name, args, options)),
            );
        }
        return this.callOnce(name, args, options).catch((error: unknown) =>
            this.changing(name, args, this.retry(error, name, args, options)),
        );
    }

    /**
     * Drops the shared reads (shared-reads.ts) a changing call may affect, when it is sent and
     * when it settles; a read passes through untouched.
     */
    private changing<N extends RemoteProcedureName, T>(
        name: N,
        args: RemoteProcedureArgs[N],
        reply: Promise<T>,
    ): Promise<T> {
        if (isIdempotent(name)) return reply;
        const tags = tagsTouchedBy(name, args);
        const drop = () => dropSharedReads(this, tags);
        drop();
        reply.then(drop, drop);
        return reply;
    }

    /**
     * After `error` on this client's connection: a call that never went out goes to the new
     * connection, and so does one in flight if repeating it is harmless (once: `callOnce`).
     */
    private async retry<N extends RemoteProcedureName>(
        error: unknown,
        name: N,
        args: RemoteProcedureArgs[N],
        options?: CallOptions,
    ): Promise<RemoteProcedureRet[N]> {
        if (!this.follows(error) || (error.outcomeUnknown && !isIdempotent(name))) throw error;
        let next: LibvirtClient;
        try {
            next = await this.next();
        } catch (reconnectError) {
            throw new ConnectionError(
                error.failure,
                `${error.message}; reconnecting failed: ${(reconnectError as Error).message}`,
                { cause: reconnectError, procedure: name, outcomeUnknown: error.outcomeUnknown },
            );
        }
        return next.callOnce(name, args, options);
    }

    /** Whether `error` is this client's lost connection, which calls may follow to a new one. */
    private follows(error: unknown): error is ConnectionError {
        return this.successor !== undefined && ConnectionError.isInstance(error) && error.isTransient;
    }

    /** The client calls go to now: a new connection to the same URI, within the successor's wait. */
    private next(): Promise<LibvirtClient> {
        return this.successor!();
    }

    /** One attempt on this client's own connection. */
    private callOnce<N extends RemoteProcedureName>(
        name: N,
        args: RemoteProcedureArgs[N],
        options?: CallOptions,
    ): Promise<RemoteProcedureRet[N]> {
        if (name === "NETWORK_UPDATE" && !this.session.networkUpdateHasCorrectOrder) {
            // Daemons before the upstream fix read `section` where `command` belongs and vice versa.
            const update = args as RemoteProcedureArgs["NETWORK_UPDATE"];
            args = { ...update, command: update.section, section: update.command } as RemoteProcedureArgs[N];
        }
        countCall(name);
        return this.changing(name, args, callOn(this.connection, name, args, options));
    }

    protected callProcedure<N extends RemoteProcedureName>(
        name: N,
        args: RemoteProcedureArgs[N],
        options?: CallOptions,
    ): Promise<RemoteProcedureRet[N]> {
        return this.call(name, args, options);
    }

    /**
     * Uploads `source` into a volume (STORAGE_VOL_UPLOAD) with backpressure. With `sparse`,
     * all-zero chunks travel as holes: use it only on a volume that already reads as zeros.
     * Resolves with the number of bytes sent.
     */
    async upload(
        vol: RemoteNonnullStorageVol,
        source: Readable | AsyncIterable<Uint8Array>,
        options: UploadOptions & VolumeRange = {},
    ): Promise<number> {
        // A transfer is never repeated (its source is consumed), but one not yet started can go to a new connection.
        if (this.follows(this.connection.error)) return (await this.next()).upload(vol, source, options);
        const args = streamArgs(vol, options, VirStorageVolUploadFlags.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM);
        countCall("STORAGE_VOL_UPLOAD");
        return this.changing(
            "STORAGE_VOL_UPLOAD",
            args,
            runUpload(
                this.connection,
                streamProcedure("STORAGE_VOL_UPLOAD"),
                (w) => RemoteStorageVolUploadArgs.encode(w, args),
                source,
                options,
            ),
        );
    }

    /**
     * Uploads a local file into a volume: the same as `upload()` with a read stream of the file,
     * but read into a few reused buffers, which spares the client most of its CPU on a fast link.
     * `fileRange` picks part of the file (default: all of it); `offset` and `length` are the
     * volume's range as in `upload()`, and `length` defaults to the bytes read from the file.
     * Resolves with the bytes sent; fails if the file is shorter than `fileRange` asks.
     */
    async uploadFile(
        vol: RemoteNonnullStorageVol,
        path: string,
        options: UploadOptions & VolumeRange & { readonly fileRange?: FileRange } = {},
    ): Promise<number> {
        const fileStart = options.fileRange?.offset ?? 0;
        const fileBytes = options.fileRange?.length ?? (await stat(path)).size - fileStart;
        const source = new FileChunkSource(
            path,
            { offset: fileStart, length: fileBytes },
            STREAM_CHUNK_BYTES,
            FILE_UPLOAD_BUFFERS,
        );
        const sent = await this.upload(vol, source, { total: fileBytes, length: fileBytes, ...options });
        if (sent < fileBytes) throw new Error(`${path} ended after ${sent} of the ${fileBytes} bytes to upload`);
        return sent;
    }

    /**
     * Downloads a volume (STORAGE_VOL_DOWNLOAD) into `destination`. With `sparse`, the daemon
     * sends holes, passed to `onHole` or written as zeros. Resolves with the bytes received.
     */
    async download(
        vol: RemoteNonnullStorageVol,
        destination: Writable,
        options: DownloadOptions & VolumeRange & { readonly sparse?: boolean } = {},
    ): Promise<number> {
        if (this.follows(this.connection.error)) return (await this.next()).download(vol, destination, options);
        const args = streamArgs(vol, options, VirStorageVolDownloadFlags.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
        countCall("STORAGE_VOL_DOWNLOAD");
        return runDownload(
            this.connection,
            streamProcedure("STORAGE_VOL_DOWNLOAD"),
            (w) => RemoteStorageVolDownloadArgs.encode(w, args),
            destination,
            options,
        );
    }

    /**
     * Receives event messages of one procedure (e.g. `DOMAIN_EVENT_CALLBACK_LIFECYCLE`), decoded.
     * Registering interest with the daemon is a separate call (e.g. `connectDomainEventCallbackRegisterAny`).
     */
    onEvent<N extends RemoteProcedureName>(name: N, handler: (message: unknown) => void): () => void {
        const info = REMOTE_PROCEDURES[name];
        if (!info.message) throw new TypeError(`${name} is not an event message procedure`);
        const codec = info.message as import("./xdr").XdrCodec<unknown>;
        return this.connection.onMessage(REMOTE_PROGRAM, info.number, (packet) => {
            // A payload that does not decode fails the connection (the connection catches this throw).
            const message = decodeXdr(codec, packet.payload, `${name} event`);
            try {
                handler(message);
            } catch (error) {
                // The handler's own failure is the program's, as with an event emitter's listener;
                // thrown from here it would be blamed on the daemon and end the connection.
                process.nextTick(() => {
                    throw error;
                });
            }
        });
    }

    /** Says goodbye to the daemon (CONNECT_CLOSE) and closes the transport. */
    async close(options: CallOptions = { timeoutMs: 5000 }): Promise<void> {
        if (!this.connection.isOpen) return;
        try {
            await this.call("CONNECT_CLOSE", undefined, options);
        } catch {
            // Closing anyway: a daemon that cannot answer a goodbye is one we are leaving.
        } finally {
            this.connection.close();
        }
    }
}

/** Encodes the arguments with the procedure's codec, sends the call, decodes the reply. */
async function callOn<N extends RemoteProcedureName>(
    connection: RpcConnection,
    name: N,
    args: RemoteProcedureArgs[N],
    options?: CallOptions,
): Promise<RemoteProcedureRet[N]> {
    const info = REMOTE_PROCEDURES[name];
    if (info === undefined) throw new TypeError(`unknown libvirt procedure ${String(name)}`);
    if (info.stream !== null) throw new TypeError(`${name} carries a data stream: use upload() or download()`);
    const argsCodec = info.args as { encode(w: import("./xdr").XdrWriter, v: unknown): void } | null;
    const payload = await connection.call(
        REMOTE_PROGRAM,
        REMOTE_PROTOCOL_VERSION,
        info.number,
        name,
        argsCodec ? (w) => argsCodec.encode(w, args) : undefined,
        options,
    );
    if (!info.ret) return undefined as RemoteProcedureRet[N];
    try {
        return decodeXdr(info.ret as import("./xdr").XdrCodec<RemoteProcedureRet[N]>, payload, `${name} reply`);
    } catch (cause) {
        throw protocolError(`libvirt's reply to ${name} does not decode (${(cause as Error).message})`, name, cause);
    }
}

/** Opens a client for `uri` (default: `LIBVIRT_DEFAULT_URI`, then `qemu:///system`). */
export function connect(uri?: string, options?: ConnectOptions): Promise<LibvirtClient> {
    return LibvirtClient.connect(uri, options);
}
