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
import { type RemoteError, VirErrorDomain, VirErrorLevel, VirErrorNumber } from "./generated";

const LIBVIRT_ERROR_BRAND = "__pulumiLibvirtLibvirtError";
const CONNECTION_ERROR_BRAND = "__pulumiLibvirtConnectionError";
const TIMEOUT_ERROR_BRAND = "__pulumiLibvirtCallTimeoutError";

function hasBrand(value: unknown, brand: string): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[brand] === true;
}

/** For errors the client raises itself: the whole message, and what caused it. */
interface LocalErrorOptions {
    readonly message: string;
    readonly cause?: unknown;
}

/**
 * A `remote_error` for an error raised on this side, with libvirt's code and domain for it (the other
 * fields as libvirt leaves them; the mock daemon builds its errors on it too).
 */
export function localRemoteError(code: VirErrorNumber, domain: VirErrorDomain, message: string | null): RemoteError {
    return {
        code,
        domain,
        message,
        level: VirErrorLevel.VIR_ERR_ERROR,
        dom: null,
        str1: null,
        str2: null,
        str3: null,
        int1: -1,
        int2: -1,
        net: null,
    };
}

/**
 * An error reported by libvirtd (a REPLY or STREAM packet with status ERROR), or raised by this
 * client with libvirt's code and domain (`reportedByDaemon` false): every failure of a call is one.
 */
export class LibvirtError extends Error {
    readonly [LIBVIRT_ERROR_BRAND] = true;
    override readonly name: string = "LibvirtError";
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

    /**
     * False for errors this client raises itself (connection lost, timeout, a packet it cannot
     * decode): they carry a code and domain like libvirt's own client gives them, but the daemon
     * did not report them, so "the daemon refused" logic must not treat them as refusals.
     */
    readonly reportedByDaemon: boolean;

    constructor(remote: RemoteError, procedure?: string, local?: LocalErrorOptions) {
        const message = remote.message ?? `libvirt error code ${remote.code}`;
        super(local?.message ?? (procedure ? `${message} (libvirt ${procedure})` : message), { cause: local?.cause });
        this.reportedByDaemon = local === undefined;
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
    /** libvirt's catch-all: for a start, QEMU exited while libvirt connected to it. */
    isInternalError(): boolean {
        return this.code === VirErrorNumber.VIR_ERR_INTERNAL_ERROR;
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
    /** The connection died (or was already dead): see `isOutcomeUnknown()` for whether the call was sent. */
    isConnectionLost(): boolean {
        return ConnectionError.isInstance(this);
    }
    /**
     * The call was sent and the connection died before its reply: the daemon may or may not have
     * carried it out. Look the object up before doing it again.
     */
    isOutcomeUnknown(): boolean {
        return ConnectionError.isInstance(this) && (this as ConnectionError).outcomeUnknown;
    }
    /** No reply came within the call's timeout (the daemon may still carry the call out). */
    isTimeout(): boolean {
        return CallTimeoutError.isInstance(this);
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
    | "protocol" // a packet that makes no sense in this state
    | "timeout"; // the connect sequence did not finish in time

/** The code each failure gets, as libvirt's own client reports it (all from VIR_FROM_RPC). */
const FAILURE_CODES: Readonly<Record<ConnectionFailure, VirErrorNumber>> = {
    closed: VirErrorNumber.VIR_ERR_RPC,
    eof: VirErrorNumber.VIR_ERR_SYSTEM_ERROR,
    transport: VirErrorNumber.VIR_ERR_SYSTEM_ERROR,
    framing: VirErrorNumber.VIR_ERR_RPC,
    keepalive: VirErrorNumber.VIR_ERR_RPC,
    protocol: VirErrorNumber.VIR_ERR_RPC,
    timeout: VirErrorNumber.VIR_ERR_OPERATION_TIMEOUT,
};

/** Failures after which the same daemon may well answer on a new connection (a restart, a dropped link). */
const LOST_FAILURES: ReadonlySet<ConnectionFailure> = new Set(["eof", "transport", "keepalive"]);

/**
 * The connection is gone; every call in flight on it fails with one of these. A call that had
 * been sent gets its own copy with `outcomeUnknown` set and its procedure named.
 */
export class ConnectionError extends LibvirtError {
    readonly [CONNECTION_ERROR_BRAND] = true;
    override readonly name: string = "ConnectionError";
    /** The call had been sent: the daemon may or may not have carried it out. */
    readonly outcomeUnknown: boolean;

    constructor(
        readonly failure: ConnectionFailure,
        message: string,
        options?: { cause?: unknown; procedure?: string; outcomeUnknown?: boolean },
    ) {
        super(localRemoteError(FAILURE_CODES[failure], VirErrorDomain.VIR_FROM_RPC, message), options?.procedure, {
            message,
            cause: options?.cause,
        });
        this.outcomeUnknown = options?.outcomeUnknown ?? false;
    }

    static override isInstance(value: unknown): value is ConnectionError {
        return hasBrand(value, CONNECTION_ERROR_BRAND);
    }

    /** A failure a new connection to the same URI may not have (daemon restarted, link dropped). */
    get isTransient(): boolean {
        return LOST_FAILURES.has(this.failure);
    }

    /** This failure as seen by one call: sent (outcome unknown) or never sent. */
    forCall(procedure: string, sent: boolean): ConnectionError {
        const message = sent
            ? `${this.message}; libvirt ${procedure} was sent and may or may not have been carried out (look before repeating it)`
            : `${this.message}; libvirt ${procedure} was not sent`;
        return new ConnectionError(this.failure, message, { cause: this, procedure, outcomeUnknown: sent });
    }
}

/** A call got no reply within its timeout. The connection itself stays usable. */
export class CallTimeoutError extends LibvirtError {
    readonly [TIMEOUT_ERROR_BRAND] = true;
    override readonly name: string = "CallTimeoutError";

    constructor(
        procedure: string,
        readonly timeoutMs: number,
        /** The URI (or transport) the call went to. */
        readonly target: string,
        hint = "pass a larger timeoutMs to the call, or callTimeoutMs when connecting",
    ) {
        const message = `libvirt ${procedure} on ${target} got no reply within ${timeoutMs} ms (the daemon may still carry it out): ${hint}`;
        super(
            localRemoteError(VirErrorNumber.VIR_ERR_OPERATION_TIMEOUT, VirErrorDomain.VIR_FROM_RPC, message),
            procedure,
            {
                message,
            },
        );
    }

    static override isInstance(value: unknown): value is CallTimeoutError {
        return hasBrand(value, TIMEOUT_ERROR_BRAND);
    }
}

/**
 * A packet from the daemon that this client cannot decode or that makes no sense for the call or
 * stream it belongs to, when the connection itself can go on (the framing is intact).
 */
export function protocolError(message: string, procedure?: string, cause?: unknown): LibvirtError {
    return new LibvirtError(
        localRemoteError(VirErrorNumber.VIR_ERR_RPC, VirErrorDomain.VIR_FROM_RPC, message),
        procedure,
        {
            message,
            cause,
        },
    );
}
