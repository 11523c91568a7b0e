/**
 * The connect sequence, in the order libvirt's own client uses it:
 * AUTH_LIST (mandatory even for root), authentication, the keepalive feature, CONNECT_OPEN,
 * then the feature queries that only work on an open connection.
 */
import type { CallOptions } from "./call-options";
import { DriverFeature } from "./driver-features";
import { LibvirtError } from "./errors";
import {
    RemoteAuthType,
    type RemoteProcedureArgs,
    type RemoteProcedureName,
    type RemoteProcedureRet,
    VirConnectFlags,
} from "./generated";
import type { LibvirtUri } from "./uri";

export type ProcedureCaller = <N extends RemoteProcedureName>(
    name: N,
    args: RemoteProcedureArgs[N],
    options?: CallOptions,
) => Promise<RemoteProcedureRet[N]>;

/** What the handshake learned about the daemon. */
export interface SessionInfo {
    /** libvirt version of the daemon, major * 1,000,000 + minor * 1,000 + micro. */
    readonly libVersion: number;
    /** Whether the daemon pings us (so a dead client is noticed on its side too). */
    readonly keepalive: boolean;
    /** Whether NETWORK_UPDATE takes `command` before `section` on the wire. */
    readonly networkUpdateHasCorrectOrder: boolean;
}

/** Raised when the daemon requires an authentication method this client does not implement. */
export class UnsupportedAuthError extends Error {
    override readonly name = "UnsupportedAuthError";
}

async function supportsFeature(call: ProcedureCaller, feature: DriverFeature, options: CallOptions): Promise<boolean> {
    try {
        const { supported } = await call("CONNECT_SUPPORTS_FEATURE", { feature }, options);
        return supported !== 0;
    } catch (error) {
        // A daemon too old to know a feature may answer with an error instead of 0.
        if (LibvirtError.isInstance(error) && error.reportedByDaemon) return false;
        throw error;
    }
}

async function authenticate(call: ProcedureCaller, uri: LibvirtUri, options: CallOptions): Promise<void> {
    const { types } = await call("AUTH_LIST", undefined, options);
    // The daemon offers exactly one method per socket; an empty list also means none is needed.
    if (types.length === 0 || types.includes(RemoteAuthType.REMOTE_AUTH_NONE)) return;
    if (types.includes(RemoteAuthType.REMOTE_AUTH_POLKIT)) {
        const { complete } = await call("AUTH_POLKIT", undefined, options);
        if (complete === 0) {
            throw new UnsupportedAuthError(
                `${uri.original}: polkit did not authorise this user; run as root, add the user to the libvirt group, ` +
                    "or grant org.libvirt.unix.manage with a polkit rule",
            );
        }
        return;
    }
    if (types.includes(RemoteAuthType.REMOTE_AUTH_SASL)) {
        throw new UnsupportedAuthError(
            `${uri.original}: the daemon requires SASL authentication, which pulumi-libvirt does not support; ` +
                'use TLS client certificates (auth_tls = "none"), SSH (qemu+ssh://), or a UNIX socket instead',
        );
    }
    throw new UnsupportedAuthError(
        `${uri.original}: the daemon offers only unknown authentication types ${types.join(", ")}`,
    );
}

export async function performHandshake(
    call: ProcedureCaller,
    uri: LibvirtUri,
    options: CallOptions & { readonly readOnly?: boolean } = {},
): Promise<SessionInfo> {
    await authenticate(call, uri, options);
    // The only feature that can be asked before CONNECT_OPEN; asking turns on the daemon's pings.
    const keepalive = await supportsFeature(call, DriverFeature.PROGRAM_KEEPALIVE, options);
    await call(
        "CONNECT_OPEN",
        // An absent name makes libvirt 9.0 fail with "connection not open": "" means the default.
        { name: uri.driverUri, flags: options.readOnly ? VirConnectFlags.VIR_CONNECT_RO : 0 },
        options,
    );
    const networkUpdateHasCorrectOrder = await supportsFeature(
        call,
        DriverFeature.NETWORK_UPDATE_HAS_CORRECT_ORDER,
        options,
    );
    const { lib_ver } = await call("CONNECT_GET_LIB_VERSION", undefined, options);
    return { libVersion: Number(lib_ver), keepalive, networkUpdateHasCorrectOrder };
}
