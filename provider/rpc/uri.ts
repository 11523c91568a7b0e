/**
 * libvirt connection URIs, parsed the way libvirt's remote driver reads them
 * (see libvirt's uri.rst and remote.rst):
 *
 *     driver[+transport]://[user@][host][:port]/[path][?param=value&...]
 *
 * The parser is pure (it reads only the `env` it is given) so that every rule can be unit-tested;
 * whatever needs the file system (which UNIX socket exists, which pki files exist) is decided by
 * the transports when they open.
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** How the bytes reach the daemon. libssh/libssh2 URIs are served by the system `ssh` (see notes). */
export type TransportKind = "unix" | "tcp" | "tls" | "ssh" | "ext";

/** `?mode=`: which local daemon socket to use (per-driver daemon or monolithic libvirtd). */
export type SocketMode = "auto" | "legacy" | "direct";

/** `?proxy=`: what the remote end of an SSH connection runs to reach the daemon. */
export type SshProxyMode = "auto" | "netcat" | "native";

/** The default URI when none is given and LIBVIRT_DEFAULT_URI is unset (libvirt probes; we pick QEMU). */
export const FALLBACK_DEFAULT_URI = "qemu:///system";
/** libvirt's standard port for plain TCP. */
export const LIBVIRT_TCP_PORT = 16509;
/** libvirt's standard port for TLS. */
export const LIBVIRT_TLS_PORT = 16514;
/** Where system daemons put their sockets. */
export const SYSTEM_SOCKET_DIR = "/var/run/libvirt";
/** The monolithic daemon's (or virtproxyd's) socket name prefix. */
export const LEGACY_SOCKET_PREFIX = "libvirt";
/** Host used by network transports when the URI names none (libvirt does the same). */
export const DEFAULT_REMOTE_HOST = "localhost";
/** The remote netcat binary when `?netcat=` is absent. */
export const DEFAULT_NETCAT = "nc";
/** The local ssh binary when `?command=` is absent. */
export const DEFAULT_SSH_COMMAND = "ssh";
/** The largest TCP port number. */
const MAX_PORT = 65535;

/**
 * Query parameters consumed by the client's transport layer; libvirt strips exactly these before
 * sending the driver URI in CONNECT_OPEN (everything else goes to the driver unchanged).
 */
export const TRANSPORT_PARAMS: ReadonlySet<string> = new Set([
    "name",
    "command",
    "socket",
    "auth",
    "sshauth",
    "netcat",
    "keyfile",
    "pkipath",
    "known_hosts",
    "known_hosts_verify",
    "tls_priority",
    "mode",
    "proxy",
    "no_sanity",
    "no_verify",
    "no_tty",
    "authfile",
]);

/** UNIX socket settings; the final choice between `legacy` and `direct` is made at open time. */
export interface UnixSettings {
    readonly kind: "unix";
    /** `?socket=` when given: used as is, `mode` is then irrelevant. */
    readonly explicitSocket?: string;
    readonly mode: SocketMode;
    /** libvirtd's (or virtproxyd's) socket, e.g. /var/run/libvirt/libvirt-sock. */
    readonly legacySocket: string;
    /** The per-driver daemon's socket, e.g. /var/run/libvirt/virtqemud-sock (absent for `remote:`). */
    readonly directSocket?: string;
    /** True for `/session` URIs: the per-user daemon under $XDG_RUNTIME_DIR. */
    readonly session: boolean;
}

export interface TcpSettings {
    readonly kind: "tcp";
    readonly host: string;
    readonly port: number;
}

export interface TlsSettings {
    readonly kind: "tls";
    readonly host: string;
    readonly port: number;
    /** `?pkipath=DIR`: DIR/cacert.pem, DIR/clientcert.pem, DIR/clientkey.pem (all required). */
    readonly pkiPath?: string;
    /** `?no_verify=1`: do not verify the server's certificate or name. */
    readonly noVerify: boolean;
}

export interface SshSettings {
    readonly kind: "ssh";
    readonly host: string;
    /** Absent: ssh's own default (22 or ~/.ssh/config). */
    readonly port?: number;
    readonly user?: string;
    /** The local ssh binary (`?command=`). */
    readonly command: string;
    readonly keyfile?: string;
    /** `?known_hosts=FILE`: passed to OpenSSH as `-o UserKnownHostsFile=FILE`. */
    readonly knownHosts?: string;
    readonly noVerify: boolean;
    readonly noTty: boolean;
    readonly proxy: SshProxyMode;
    /** The remote netcat binary. */
    readonly netcat: string;
    /** True when `?netcat=` was given (libvirt forbids it with proxy=native). */
    readonly netcatGiven: boolean;
    /** The remote daemon socket netcat connects to. */
    readonly remoteSocket: string;
}

export interface ExtSettings {
    readonly kind: "ext";
    /** The local program whose stdin/stdout carry the protocol (run without arguments, as libvirt does). */
    readonly command: string;
}

export type TransportSettings = UnixSettings | TcpSettings | TlsSettings | SshSettings | ExtSettings;

export interface LibvirtUri {
    /** The URI as given (after defaulting). */
    readonly original: string;
    /** The scheme before `+`, lower-cased: qemu, test, remote, ... */
    readonly driver: string;
    readonly transport: TransportKind;
    /** The transport as written in the scheme (`libssh2`, `ssh`, ...), or undefined when implied. */
    readonly transportAsWritten?: string;
    /** Decoded user name, if any. */
    readonly user?: string;
    /** Decoded host without IPv6 brackets, if any. */
    readonly host?: string;
    readonly port?: number;
    /** Decoded path, e.g. "/system". */
    readonly path: string;
    /** Every query parameter, decoded; when a name repeats, the last value wins (as in libvirt). */
    readonly params: Readonly<Record<string, string>>;
    /** The name to send in CONNECT_OPEN: driver URI without transport, host and transport parameters. */
    readonly driverUri: string;
    readonly settings: TransportSettings;
    /** Remarks about how the URI was interpreted (e.g. libssh2 served by the system ssh). */
    readonly notes: readonly string[];
}

/** A URI libvirt would not accept, or that this client cannot serve. */
export class LibvirtUriError extends Error {
    override readonly name = "LibvirtUriError";
    constructor(
        readonly uri: string,
        problem: string,
        fix: string,
    ) {
        super(`invalid libvirt URI '${uri}': ${problem}. ${fix}`);
    }
}

/** The transports a URI scheme may name, and what serves each of them here. */
const TRANSPORT_NAMES: Readonly<Record<string, TransportKind>> = {
    unix: "unix",
    tcp: "tcp",
    tls: "tls",
    ssh: "ssh",
    libssh: "ssh",
    libssh2: "ssh",
    ext: "ext",
};

/** The `remote` pseudo-driver lets the daemon pick its default driver: libvirt sends "". */
const REMOTE_DRIVER = "remote";

/** Drivers whose URI must name a path (qemu has no meaning without /system or /session). */
const DRIVERS_NEEDING_PATH = new Set(["qemu"]);

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;
const PORT_RE = /^[0-9]+$/;
const NUMBER_RE = /^-?[0-9]+$/;

interface RawParts {
    scheme: string;
    user?: string;
    host?: string;
    port?: number;
    rawPath: string;
    rawQuery?: string;
    rawFragment?: string;
}

/** Decode %XX escapes, naming the URI when an escape is malformed. */
function decode(uri: string, part: string, what: string): string {
    try {
        return decodeURIComponent(part);
    } catch {
        throw new LibvirtUriError(uri, `the ${what} '${part}' has a malformed %-escape`, "Escape '%' as %25");
    }
}

function splitParts(uri: string): RawParts {
    const schemeMatch = SCHEME_RE.exec(uri);
    if (!schemeMatch?.[2].startsWith("//")) {
        const aliasHint = /^[A-Za-z0-9_-]+$/.test(uri)
            ? "URI aliases from libvirt.conf are not supported; give the full URI"
            : "Write it as driver[+transport]://[user@][host][:port]/path, e.g. qemu:///system or qemu+ssh://root@host/system";
        throw new LibvirtUriError(uri, "it is not of the form driver[+transport]://...", aliasHint);
    }
    const scheme = schemeMatch[1].toLowerCase();
    let rest = schemeMatch[2].slice(2);

    let rawFragment: string | undefined;
    const hash = rest.indexOf("#");
    if (hash >= 0) {
        rawFragment = rest.slice(hash + 1);
        rest = rest.slice(0, hash);
    }
    let rawQuery: string | undefined;
    const question = rest.indexOf("?");
    if (question >= 0) {
        rawQuery = rest.slice(question + 1);
        rest = rest.slice(0, question);
    }
    const slash = rest.indexOf("/");
    const authority = slash >= 0 ? rest.slice(0, slash) : rest;
    const rawPath = slash >= 0 ? rest.slice(slash) : "";

    const at = authority.lastIndexOf("@");
    const rawUser = at >= 0 ? authority.slice(0, at) : undefined;
    const hostPort = at >= 0 ? authority.slice(at + 1) : authority;

    let rawHost: string;
    let rawPort: string | undefined;
    if (hostPort.startsWith("[")) {
        const close = hostPort.indexOf("]");
        if (close < 0) {
            throw new LibvirtUriError(uri, "the IPv6 host has no closing ']'", "Write IPv6 hosts as [2001:db8::1]");
        }
        rawHost = hostPort.slice(1, close);
        const after = hostPort.slice(close + 1);
        if (after !== "" && !after.startsWith(":")) {
            throw new LibvirtUriError(uri, `unexpected '${after}' after the IPv6 host`, "Write [ipv6]:port");
        }
        rawPort = after === "" ? undefined : after.slice(1);
    } else {
        const colon = hostPort.lastIndexOf(":");
        if (colon >= 0 && hostPort.indexOf(":") !== colon) {
            throw new LibvirtUriError(
                uri,
                `the host '${hostPort}' has several ':'`,
                "Put IPv6 hosts in brackets: [::1]",
            );
        }
        rawHost = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
        rawPort = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
    }

    let port: number | undefined;
    // "host:" with an empty port means the default, as in libvirt.
    if (rawPort !== undefined && rawPort !== "") {
        const value = PORT_RE.test(rawPort) ? Number(rawPort) : Number.NaN;
        if (!(value >= 1 && value <= MAX_PORT)) {
            throw new LibvirtUriError(
                uri,
                `the port '${rawPort}' is not a number from 1 to ${MAX_PORT}`,
                "Fix the port",
            );
        }
        port = value;
    }
    return {
        scheme,
        user: rawUser === undefined || rawUser === "" ? undefined : decode(uri, rawUser, "user"),
        host: rawHost === "" ? undefined : decode(uri, rawHost, "host"),
        port,
        rawPath,
        rawQuery,
        rawFragment,
    };
}

interface QueryParam {
    readonly name: string;
    readonly value: string;
}

/** libvirt splits on '&' and ';', turns '+' into a space, then unescapes. */
function parseQuery(uri: string, rawQuery: string | undefined): QueryParam[] {
    if (rawQuery === undefined || rawQuery === "") return [];
    const result: QueryParam[] = [];
    for (const item of rawQuery.split(/[&;]/)) {
        if (item === "") continue;
        const eq = item.indexOf("=");
        const rawName = eq >= 0 ? item.slice(0, eq) : item;
        const rawValue = eq >= 0 ? item.slice(eq + 1) : "";
        result.push({
            name: decode(uri, rawName.replaceAll("+", " "), "parameter name"),
            value: decode(uri, rawValue.replaceAll("+", " "), `value of parameter '${rawName}'`),
        });
    }
    return result;
}

/** libvirt reads flags like no_verify as integers: non-zero means on. */
function flag(uri: string, params: Record<string, string>, name: string): boolean {
    const value = params[name];
    if (value === undefined) return false;
    if (!NUMBER_RE.test(value)) {
        throw new LibvirtUriError(uri, `${name}='${value}' is not a number`, `Use ${name}=1 to enable or ${name}=0`);
    }
    return Number(value) !== 0;
}

function oneOf<T extends string>(
    uri: string,
    params: Record<string, string>,
    name: string,
    allowed: readonly T[],
    fallback: T,
): T {
    const value = params[name];
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
        throw new LibvirtUriError(uri, `${name}='${value}' is not supported`, `Use one of: ${allowed.join(", ")}`);
    }
    return value as T;
}

/** The per-user runtime directory libvirt uses for session sockets. */
function userRuntimeDir(env: NodeJS.ProcessEnv): string {
    const runtime = env.XDG_RUNTIME_DIR;
    if (runtime) return join(runtime, "libvirt");
    // libvirt falls back to the cache directory when XDG_RUNTIME_DIR is unset.
    const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
    return join(cache, "libvirt");
}

/** Socket paths for one driver, as libvirt computes them locally (also for the netcat fallback). */
function socketPaths(driver: string, session: boolean, env: NodeJS.ProcessEnv) {
    const dir = session ? userRuntimeDir(env) : SYSTEM_SOCKET_DIR;
    return {
        legacy: join(dir, `${LEGACY_SOCKET_PREFIX}-sock`),
        direct: driver === REMOTE_DRIVER ? undefined : join(dir, `virt${driver}d-sock`),
    };
}

/** Re-encode one kept parameter the way libvirt formats URI parameters. */
function formatParam(param: QueryParam): string {
    return `${encodeURIComponent(param.name)}=${encodeURIComponent(param.value)}`;
}

function buildDriverUri(driver: string, parts: RawParts, query: QueryParam[], params: Record<string, string>): string {
    if (params.name !== undefined) return params.name;
    if (driver === REMOTE_DRIVER) return "";
    const kept = query.filter((p) => !TRANSPORT_PARAMS.has(p.name)).map(formatParam);
    const queryText = kept.length > 0 ? `?${kept.join("&")}` : "";
    const fragment = parts.rawFragment !== undefined ? `#${parts.rawFragment}` : "";
    return `${driver}://${parts.rawPath}${queryText}${fragment}`;
}

/**
 * Parse a libvirt connection URI. With no URI (or ""), `LIBVIRT_DEFAULT_URI` from `env` is used,
 * else `qemu:///system`.
 */
export function parseLibvirtUri(uri?: string, env: NodeJS.ProcessEnv = process.env): LibvirtUri {
    const original = uri || env.LIBVIRT_DEFAULT_URI || FALLBACK_DEFAULT_URI;
    const parts = splitParts(original);
    const notes: string[] = [];

    const plus = parts.scheme.indexOf("+");
    const driver = plus >= 0 ? parts.scheme.slice(0, plus) : parts.scheme;
    const transportAsWritten = plus >= 0 ? parts.scheme.slice(plus + 1) : undefined;
    if (driver === "") {
        throw new LibvirtUriError(original, "the scheme names no driver", "Start it with a driver, e.g. qemu+ssh://");
    }

    let transport: TransportKind;
    if (transportAsWritten === undefined) {
        // libvirt's rule: a host without an explicit transport means TLS.
        transport = parts.host !== undefined ? "tls" : "unix";
    } else {
        const known = TRANSPORT_NAMES[transportAsWritten];
        if (!known) {
            throw new LibvirtUriError(
                original,
                `unknown transport '${transportAsWritten}'`,
                `Use one of: ${Object.keys(TRANSPORT_NAMES).join(", ")}`,
            );
        }
        transport = known;
        if (transportAsWritten === "libssh" || transportAsWritten === "libssh2") {
            notes.push(
                `transport '${transportAsWritten}' is served by the system ssh binary (same remote command); ` +
                    "sshauth is ignored and known_hosts is passed as UserKnownHostsFile",
            );
        }
    }

    const query = parseQuery(original, parts.rawQuery);
    const params: Record<string, string> = {};
    for (const p of query) params[p.name] = p.value;

    const path = decode(original, parts.rawPath, "path");
    if (DRIVERS_NEEDING_PATH.has(driver) && params.name === undefined && (path === "" || path === "/")) {
        const fixed = `${parts.scheme}://${parts.host ? `${parts.user ? `${parts.user}@` : ""}${parts.host}` : ""}/system`;
        throw new LibvirtUriError(original, `the ${driver} driver needs a path`, `Use ${fixed} (or /session)`);
    }

    const settings = transportSettings(original, transport, driver, parts, params, path, env, notes);
    return {
        original,
        driver,
        transport,
        transportAsWritten,
        user: parts.user,
        host: parts.host,
        port: parts.port,
        path,
        params,
        driverUri: buildDriverUri(driver, parts, query, params),
        settings,
        notes,
    };
}

function transportSettings(
    uri: string,
    transport: TransportKind,
    driver: string,
    parts: RawParts,
    params: Record<string, string>,
    path: string,
    env: NodeJS.ProcessEnv,
    notes: string[],
): TransportSettings {
    const session = path === "/session";
    const mode = oneOf<SocketMode>(uri, params, "mode", ["auto", "legacy", "direct"], "auto");
    const host = parts.host ?? DEFAULT_REMOTE_HOST;
    if (params.tls_priority !== undefined) {
        notes.push("tls_priority is a GnuTLS priority string and is ignored; Node's TLS defaults apply");
    }
    switch (transport) {
        case "unix": {
            if (parts.host !== undefined) {
                throw new LibvirtUriError(
                    uri,
                    "the unix transport reaches only this machine but a host is given",
                    `Drop the host (${driver}+unix://${path}) or use ${driver}+ssh://${parts.host}${path}`,
                );
            }
            const paths = socketPaths(driver, session, env);
            return {
                kind: "unix",
                explicitSocket: params.socket,
                mode,
                legacySocket: paths.legacy,
                directSocket: paths.direct,
                session,
            };
        }
        case "tcp":
            return { kind: "tcp", host, port: parts.port ?? LIBVIRT_TCP_PORT };
        case "tls":
            return {
                kind: "tls",
                host,
                port: parts.port ?? LIBVIRT_TLS_PORT,
                pkiPath: params.pkipath,
                noVerify: flag(uri, params, "no_verify"),
            };
        case "ssh":
            return sshSettings(uri, driver, parts, params, session, mode, env, notes);
        case "ext": {
            const command = params.command;
            if (!command) {
                throw new LibvirtUriError(
                    uri,
                    "the ext transport needs a command",
                    `Add ?command=/path/to/program (e.g. ${driver}+ext://${path}?command=/usr/local/bin/tunnel)`,
                );
            }
            return { kind: "ext", command };
        }
    }
}

function sshSettings(
    uri: string,
    driver: string,
    parts: RawParts,
    params: Record<string, string>,
    session: boolean,
    mode: SocketMode,
    env: NodeJS.ProcessEnv,
    notes: string[],
): SshSettings {
    const explicitProxy = params.proxy !== undefined;
    let proxy = oneOf<SshProxyMode>(uri, params, "proxy", ["auto", "netcat", "native"], "auto");
    const netcatGiven = params.netcat !== undefined;
    if (proxy === "native" && netcatGiven) {
        throw new LibvirtUriError(uri, "netcat= cannot be used with proxy=native", "Drop netcat= or use proxy=netcat");
    }
    // libvirt goes straight to netcat when the user names a socket or a netcat binary.
    if (proxy === "auto" && (params.socket !== undefined || netcatGiven)) {
        proxy = "netcat";
        if (explicitProxy) notes.push("proxy=auto with socket= or netcat= uses netcat, as libvirt does");
    }
    // For a remote daemon "auto" means the monolithic socket: the client cannot probe remote files.
    const paths = socketPaths(driver, session, env);
    const remoteSocket = params.socket ?? (mode === "direct" && paths.direct ? paths.direct : paths.legacy);

    let noVerify = flag(uri, params, "no_verify");
    const knownHostsVerify = params.known_hosts_verify;
    if (knownHostsVerify !== undefined) {
        if (!["normal", "auto", "ignore"].includes(knownHostsVerify)) {
            throw new LibvirtUriError(
                uri,
                `known_hosts_verify='${knownHostsVerify}' is not supported`,
                "Use normal, auto or ignore",
            );
        }
        if (knownHostsVerify !== "normal") {
            noVerify = true;
            notes.push(`known_hosts_verify=${knownHostsVerify} is mapped to ssh -o StrictHostKeyChecking=no`);
        }
    }
    if (params.sshauth !== undefined) notes.push("sshauth is ignored: the system ssh picks its own methods");

    return {
        kind: "ssh",
        host: parts.host ?? DEFAULT_REMOTE_HOST,
        port: parts.port,
        user: parts.user,
        command: params.command || DEFAULT_SSH_COMMAND,
        keyfile: params.keyfile,
        knownHosts: params.known_hosts,
        noVerify,
        noTty: flag(uri, params, "no_tty"),
        proxy,
        netcat: params.netcat || DEFAULT_NETCAT,
        netcatGiven,
        remoteSocket,
    };
}

/** `host:port` for messages, with IPv6 hosts in brackets. */
export function formatHostPort(host: string, port?: number): string {
    const shown = host.includes(":") ? `[${host}]` : host;
    return port === undefined ? shown : `${shown}:${port}`;
}
