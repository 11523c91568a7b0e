/**
 * The byte streams a libvirt connection runs over, one file per URI transport: UNIX socket, TCP,
 * TLS (with libvirt's confirmation byte), SSH and ext (a spawned command relaying to a daemon, its
 * tunnel proven with a keepalive PING). `openTransport` picks one from a parsed URI; everything above
 * (framing, calls) is transport-blind.
 */
import type { LibvirtUri } from "../uri";
import { openExt } from "./ext";
import { openSsh } from "./ssh";
import { openTcp } from "./tcp";
import { openTls } from "./tls";
import type { OpenTransportOptions, Transport } from "./transport";
import { openUnix } from "./unix";

export { buildRemoteCommand, buildSshInvocation, escapeShell, type SshInvocation } from "./ssh-command";
export { readConfirmationByte, TLS_CONFIRMATION_ACCEPTED } from "./tls-confirmation";
export { type TlsFilePaths, tlsFilePaths } from "./tls-files";
export { DEFAULT_CONNECT_TIMEOUT_MS, type OpenTransportOptions, type Transport } from "./transport";
export { TransportError } from "./transport-error";
export { resolveUnixSocket } from "./unix";

/** Open the byte pipe a parsed URI asks for. Rejects with a TransportError naming the URI and the fix. */
export function openTransport(uri: LibvirtUri, options?: OpenTransportOptions): Promise<Transport> {
    const settings = uri.settings;
    switch (settings.kind) {
        case "unix":
            return openUnix(uri, settings, options);
        case "tcp":
            return openTcp(uri, settings, options);
        case "tls":
            return openTls(uri, settings, options);
        case "ssh":
            return openSsh(uri, settings, options);
        case "ext":
            return openExt(uri, settings, options);
    }
}
