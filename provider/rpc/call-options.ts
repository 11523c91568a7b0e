/** Per-call controls accepted by every RPC method. */
export interface CallOptions {
    /** Fail the call with a timeout error if no reply came within this many milliseconds. */
    readonly timeoutMs?: number;
    /** Abort the wait for the reply; the daemon may still complete the operation. */
    readonly signal?: AbortSignal;
}
