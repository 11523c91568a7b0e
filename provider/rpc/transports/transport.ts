import type { Duplex } from "node:stream";

/** An open byte pipe to a libvirt daemon; framing and RPC live above it. */
export interface Transport {
    /**
     * Raw bytes to and from the daemon. Errors carry a TransportError naming the URI. A write's
     * callback must mean the stream no longer holds the written buffer (true of sockets, pipes
     * and TLS): file uploads reuse their buffers from then on.
     */
    readonly stream: Duplex;
    /** For messages, e.g. "unix socket /var/run/libvirt/libvirt-sock", "ssh root@127.0.0.1:2222". */
    readonly description: string;
    /** Tears down the socket or kills the child process; safe to call more than once. */
    close(): void;
    /**
     * Optional fast path for receiving: the transport hands every chunk it reads to `receiver`
     * instead of emitting `data` events on `stream`. The chunk is a view of a buffer the
     * transport reuses for its next read, valid only during the call: copy what must outlive it.
     * Net sockets offer it (Node's `onread`), which spares an allocation and the stream machinery
     * per read; `pause()`/`resume()` on `stream` still stop and restart reading.
     */
    readonly setReceiver?: (receiver: (chunk: Buffer) => void) => void;
}

/** Controls for opening a transport. */
export interface OpenTransportOptions {
    /** Give up connecting after this many milliseconds (default DEFAULT_CONNECT_TIMEOUT_MS). */
    readonly connectTimeoutMs?: number;
    /** Abort the connection attempt. */
    readonly signal?: AbortSignal;
    /** Use the read-only socket (UNIX) or `virt-ssh-helper -r` (SSH native proxy). */
    readonly readOnly?: boolean;
    /**
     * For ssh and ext: before resolving, send one keepalive PING and consume the daemon's PONG, so
     * that a failed login or a missing remote helper fails the open (with ssh's stderr) within the
     * connect timeout instead of the first call. Default: true for ssh, false for ext.
     */
    readonly probe?: boolean;
}

/** Long enough for an SSH login over a slow link, short enough to report a dead host. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
