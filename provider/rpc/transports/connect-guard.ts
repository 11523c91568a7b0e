import type { TransportKind } from "../uri";
import { DEFAULT_CONNECT_TIMEOUT_MS, type OpenTransportOptions } from "./transport";
import { TransportError } from "./transport-error";

/** Callbacks handed to a connection attempt. */
export interface Settle<T> {
    resolve(value: T): void;
    /** Fails the attempt; the attempt's cancel function is then called to release what it holds. */
    reject(error: Error): void;
}

/** What a guarded attempt is, for error messages. */
export interface AttemptContext {
    readonly uri: string;
    readonly transport: TransportKind;
    /** e.g. "unix socket /var/run/libvirt/libvirt-sock". */
    readonly description: string;
}

/**
 * Run one connection attempt under the caller's timeout and AbortSignal. `start` begins connecting
 * and returns a cancel function that destroys whatever it opened; it is called on timeout, abort
 * or failure, never after success (the transport then owns the resource).
 */
export function guardConnect<T>(
    context: AttemptContext,
    options: OpenTransportOptions | undefined,
    start: (settle: Settle<T>) => () => void,
): Promise<T> {
    const timeoutMs = options?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const signal = options?.signal;
    const where = `${context.description} for ${context.uri}`;

    return new Promise<T>((resolve, reject) => {
        if (signal?.aborted) {
            reject(
                new TransportError(context.uri, context.transport, `connecting to ${where} was aborted`, signal.reason),
            );
            return;
        }
        let done = false;
        let cancel: (() => void) | undefined;
        let cancelRequested = false;
        const runCancel = () => {
            if (cancel) cancel();
            else cancelRequested = true; // start() failed synchronously; cancel once it returns
        };
        const finish = () => {
            done = true;
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
        };
        const fail = (error: Error) => {
            if (done) return;
            finish();
            runCancel();
            reject(error);
        };
        const onAbort = () =>
            fail(
                new TransportError(
                    context.uri,
                    context.transport,
                    `connecting to ${where} was aborted`,
                    signal?.reason,
                ),
            );
        const timer = setTimeout(
            () =>
                fail(
                    new TransportError(
                        context.uri,
                        context.transport,
                        `connecting to ${where} timed out after ${timeoutMs} ms: check that the host is reachable ` +
                            "and the daemon is listening, or raise connectTimeoutMs",
                    ),
                ),
            timeoutMs,
        );
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
            cancel = start({
                resolve: (value) => {
                    if (done) return;
                    finish();
                    resolve(value);
                },
                reject: fail,
            });
        } catch (error) {
            fail(error instanceof Error ? error : new Error(String(error)));
        }
        if (cancelRequested && cancel) cancel();
    });
}
