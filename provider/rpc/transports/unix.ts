import { existsSync } from "node:fs";
import type { LibvirtUri, UnixSettings } from "../uri";
import { openNetSocket } from "./net-socket";
import type { OpenTransportOptions, Transport } from "./transport";

/** libvirt's suffix for the read-only twin of every daemon socket. */
const READ_ONLY_SUFFIX = "-ro";

/**
 * The socket libvirt's client would use: `?socket=` as given; otherwise the per-driver daemon's
 * socket (virtqemud-sock) for mode=direct, libvirtd's for mode=legacy, and for mode=auto the
 * per-driver one when it exists (modular hosts may have no libvirt-sock at all).
 */
export function resolveUnixSocket(
    settings: UnixSettings,
    readOnly = false,
    exists: (path: string) => boolean = existsSync,
): string {
    if (settings.explicitSocket !== undefined) return settings.explicitSocket;
    const suffix = readOnly ? READ_ONLY_SUFFIX : "";
    const legacy = settings.legacySocket + suffix;
    const direct = settings.directSocket === undefined ? undefined : settings.directSocket + suffix;
    switch (settings.mode) {
        case "legacy":
            return legacy;
        case "direct":
            return direct ?? legacy;
        case "auto":
            return direct !== undefined && exists(direct) ? direct : legacy;
    }
}

function describeUnixError(error: NodeJS.ErrnoException, path: string, settings: UnixSettings): string {
    const daemon = settings.session ? "the session daemon (libvirtd or virtqemud run as this user)" : "libvirtd";
    switch (error.code) {
        case "ENOENT":
            return (
                `libvirtd socket ${path} not found: is ${daemon} running? ` +
                "(for a remote host use qemu+ssh://user@host/system; for another socket add ?socket=PATH)"
            );
        case "ECONNREFUSED":
            return `nothing accepts connections on ${path} (a stale socket): start ${daemon}`;
        case "EACCES":
        case "EPERM":
            return (
                `permission denied on ${path}: run as root, or add your user to the group that owns the socket ` +
                "(unix_sock_group in libvirtd.conf, often 'libvirt') and log in again, " +
                "or use qemu:///session for your own VMs"
            );
        default:
            return `cannot connect to ${path}: ${error.message}`;
    }
}

/** Connect to a local daemon over its UNIX socket. */
export function openUnix(uri: LibvirtUri, settings: UnixSettings, options?: OpenTransportOptions): Promise<Transport> {
    const path = resolveUnixSocket(settings, options?.readOnly);
    const description = `unix socket ${path}`;
    return openNetSocket({ uri: uri.original, transport: "unix", description }, options, { path }, (error) =>
        describeUnixError(error, path, settings),
    );
}
