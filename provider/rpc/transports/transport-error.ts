import type { TransportKind } from "../uri";

/**
 * Opening or using a transport failed. The message names the URI, what failed and how to fix it;
 * `cause` keeps the underlying system error (ENOENT, a TLS alert, ssh's exit, ...).
 */
export class TransportError extends Error {
    override readonly name = "TransportError";
    readonly uri: string;
    readonly transport: TransportKind;

    constructor(uri: string, transport: TransportKind, message: string, cause?: unknown) {
        super(message, cause === undefined ? undefined : { cause });
        this.uri = uri;
        this.transport = transport;
    }

    /** A cause's `code` (e.g. "ENOENT"), if it has one. */
    get code(): string | undefined {
        const cause = this.cause as { code?: unknown } | undefined;
        return typeof cause?.code === "string" ? cause.code : undefined;
    }
}
