/**
 * Errors raised by the RPC client.
 *
 * `LibvirtError` is an error the daemon reported, decoded from the whole `remote_error`.
 * Classify it by `code` (and `domain`), never by message text: messages are translated on
 * some hosts and reworded between releases.
 *
 * Every class carries a brand and a static `isInstance`, because two copies of this package can
 * be loaded in one process (the program's and the Pulumi provider host's) and `instanceof`
 * fails across copies.
 */
import { type RemoteError, VirErrorDomain, type VirErrorLevel, VirErrorNumber } from "./generated";

const LIBVIRT_ERROR_BRAND = "__pulumiLibvirtLibvirtError";
const CONNECTION_ERROR_BRAND = "__pulumiLibvirtConnectionError";
const TIMEOUT_ERROR_BRAND = "__pulumiLibvirtCallTimeoutError";

function hasBrand(value: unknown, brand: string): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[brand] === true;
}

/** An error reported by libvirtd (a REPLY or STREAM packet with status ERROR). */
export class LibvirtError extends Error {
    readonly [LIBVIRT_ERROR_BRAND] = true;
    override readonly name = "LibvirtError";
    /** libvirt's `virErrorNumber`. */
    readonly code: VirErrorNumber;
    /** libvirt's `virErrorDomain`: the subsystem that raised it. */
    readonly domain: VirErrorDomain;
    readonly level: VirErrorLevel;
    /** The daemon's own message, without our context. */
    readonly libvirtMessage: string;
    readonly str1: string | null;
    readonly str2: string | null;
    readonly str3: string | null;
    readonly int1: number;
    readonly int2: number;
    /** The RPC procedure that failed, e.g. `DOMAIN_LOOKUP_BY_NAME`. */
    readonly procedure: string | undefined;

    constructor(remote: RemoteError, procedure?: string) {
        const message = remote.message ?? `libvirt error code ${remote.code}`;
        super(procedure ? `${message} (libvirt ${procedure})` : message);
        this.code = remote.code as VirErrorNumber;
        this.domain = remote.domain as VirErrorDomain;
        this.level = remote.level as VirErrorLevel;
        this.libvirtMessage = message;
        this.str1 = remote.str1;
        this.str2 = remote.str2;
        this.str3 = remote.str3;
        this.int1 = remote.int1;
        this.int2 = remote.int2;
        this.procedure = procedure;
    }

    static isInstance(value: unknown): value is LibvirtError {
        return hasBrand(value, LIBVIRT_ERROR_BRAND);
    }

    /** Symbolic name of the code, e.g. `VIR_ERR_NO_DOMAIN`. */
    get codeName(): string {
        return VirErrorNumber[this.code] ?? String(this.code);
    }

    /** Symbolic name of the domain, e.g. `VIR_FROM_QEMU`. */
    get domainName(): string {
        return VirErrorDomain[this.domain] ?? String(this.domain);
    }

    isNoDomain(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_NO_DOMAIN;
    }
    isNoNetwork(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_NO_NETWORK;
    }
    isNoStoragePool(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_NO_STORAGE_POOL;
    }
    isNoStorageVol(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_NO_STORAGE_VOL;
    }
    isNoSecret(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_NO_SECRET;
    }
    /** Any "object not found" code: domain, network, pool, volume, secret, snapshot, device. */
    isNotFound(): boolean {
        return NOT_FOUND_CODES.has(this.code);
    }
    /** The object is in the wrong state for the request (e.g. "domain is not running"). */
    isOperationInvalid(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_OPERATION_INVALID;
    }
    isOperationFailed(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_OPERATION_FAILED;
    }
    isInvalidArgument(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_INVALID_ARG;
    }
    isXmlError(): boolean {
        return XML_ERROR_CODES.has(this.code);
    }
    isAlreadyExists(): boolean {
        return EXISTS_CODES.has(this.code);
    }
    isResourceBusy(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_RESOURCE_BUSY;
    }
    isOperationDenied(): boolean {
        return (
            this.code === VirErrorNumber.VIR_ERR_OPERATION_DENIED || this.code === VirErrorNumber.VIR_ERR_ACCESS_DENIED
        );
    }
    isUnsupported(): boolean {
        return UNSUPPORTED_CODES.has(this.code);
    }
    isAuthFailed(): boolean {
        return (
            this.code === VirErrorNumber.VIR_ERR_AUTH_FAILED || this.code === VirErrorNumber.VIR_ERR_AUTH_UNAVAILABLE
        );
    }
}

const NOT_FOUND_CODES: ReadonlySet<number> = new Set([
    VirErrorNumber.VIR_ERR_NO_DOMAIN,
    VirErrorNumber.VIR_ERR_NO_NETWORK,
    VirErrorNumber.VIR_ERR_NO_STORAGE_POOL,
    VirErrorNumber.VIR_ERR_NO_STORAGE_VOL,
    VirErrorNumber.VIR_ERR_NO_SECRET,
    VirErrorNumber.VIR_ERR_NO_DOMAIN_SNAPSHOT,
    VirErrorNumber.VIR_ERR_NO_NODE_DEVICE,
    VirErrorNumber.VIR_ERR_NO_INTERFACE,
    VirErrorNumber.VIR_ERR_NO_NWFILTER,
    VirErrorNumber.VIR_ERR_NO_NETWORK_PORT,
]);

const XML_ERROR_CODES: ReadonlySet<number> = new Set([
    VirErrorNumber.VIR_ERR_XML_ERROR,
    VirErrorNumber.VIR_ERR_XML_DETAIL,
    VirErrorNumber.VIR_ERR_XML_INVALID_SCHEMA,
]);

const EXISTS_CODES: ReadonlySet<number> = new Set([
    VirErrorNumber.VIR_ERR_DOM_EXIST,
    VirErrorNumber.VIR_ERR_NETWORK_EXIST,
    VirErrorNumber.VIR_ERR_STORAGE_VOL_EXIST,
]);

const UNSUPPORTED_CODES: ReadonlySet<number> = new Set([
    VirErrorNumber.VIR_ERR_NO_SUPPORT,
    VirErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED,
    VirErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
    VirErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED,
]);

/** Why a connection stopped carrying calls. */
export type ConnectionFailure =
    | "closed" // closed by us
    | "eof" // the daemon or the transport closed it
    | "transport" // a socket or child-process error
    | "framing" // the byte stream was corrupt or a packet was too large
    | "keepalive" // the peer stopped answering
    | "protocol"; // a packet that makes no sense in this state

/** The connection is gone; every call in flight on it fails with this. */
export class ConnectionError extends Error {
    readonly [CONNECTION_ERROR_BRAND] = true;
    override readonly name = "ConnectionError";

    constructor(
        readonly failure: ConnectionFailure,
        message: string,
        options?: { cause?: unknown },
    ) {
        super(message, options);
    }

    static isInstance(value: unknown): value is ConnectionError {
        return hasBrand(value, CONNECTION_ERROR_BRAND);
    }
}

/** A call got no reply within its timeout. The connection itself stays usable. */
export class CallTimeoutError extends Error {
    readonly [TIMEOUT_ERROR_BRAND] = true;
    override readonly name = "CallTimeoutError";

    constructor(
        readonly procedure: string,
        readonly timeoutMs: number,
    ) {
        super(`libvirt ${procedure} got no reply within ${timeoutMs} ms`);
    }

    static isInstance(value: unknown): value is CallTimeoutError {
        return hasBrand(value, TIMEOUT_ERROR_BRAND);
    }
}
