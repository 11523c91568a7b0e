/**
 * Whether two URIs reach the same libvirt daemon (`qemu:///system` and
 * `qemu+tcp://127.0.0.1/system` on this host do). A resource whose `uri` changes between two such
 * spellings keeps its object: there is nothing to replace, only a new way to reach it.
 *
 * A daemon is identified by the host UUID of its capabilities (SMBIOS, or libvirtd's `host_uuid`)
 * together with the URI the daemon itself reports for its driver connection
 * (`REMOTE_PROC_CONNECT_GET_URI`, answered by the daemon, so the transport does not show in it):
 * the host UUID alone cannot tell `qemu:///system` from `qemu:///session` on one machine.
 * Limit: two users' `qemu:///session` daemons on one machine look the same.
 */
import { clientFor, resolveUri } from "./connection";
import { describeError } from "./errors";

/** What identifies a daemon: its host's UUID and its own name for the driver connection. */
export interface DaemonIdentity {
    hostUuid: string;
    driverUri: string;
}

const HOST_UUID = /<host>\s*<uuid>([^<]+)<\/uuid>/;

/** The identity of the daemon a URI reaches (connects if needed). */
export async function daemonIdentity(uri: string): Promise<DaemonIdentity> {
    const client = await clientFor(uri);
    const { capabilities } = await client.connectGetCapabilities();
    const hostUuid = HOST_UUID.exec(capabilities)?.[1]?.trim();
    if (hostUuid === undefined) throw new Error(`the capabilities of ${uri} carry no host UUID`);
    const { uri: driverUri } = await client.connectGetUri();
    return { hostUuid: hostUuid.toLowerCase(), driverUri };
}

/**
 * True when both URIs reach one daemon. Equal URIs do by definition (no connection is made); when
 * either daemon cannot be reached the answer is false, so the change stays a replacement (what it
 * was before this check existed) and the reason is returned for the diff's message.
 */
export async function sameDaemon(oldUri: string, newUri: string): Promise<{ same: boolean; why?: string }> {
    if (resolveUri(oldUri) === resolveUri(newUri)) return { same: true };
    try {
        const [before, after] = await Promise.all([daemonIdentity(oldUri), daemonIdentity(newUri)]);
        const same = before.hostUuid === after.hostUuid && before.driverUri === after.driverUri;
        return {
            same,
            why: same
                ? `both reach the daemon of host ${after.hostUuid} (${after.driverUri})`
                : `host ${before.hostUuid} (${before.driverUri}) is not host ${after.hostUuid} (${after.driverUri})`,
        };
    } catch (error) {
        return { same: false, why: `could not compare the daemons: ${describeError(error)}` };
    }
}
