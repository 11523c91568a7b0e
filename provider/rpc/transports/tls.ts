import { isIP } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { formatHostPort, type LibvirtUri, type TlsSettings } from "../uri";
import { guardConnect } from "./connect-guard";
import { describeTcpError } from "./net-errors";
import { readConfirmationByte, TLS_CONFIRMATION_ACCEPTED } from "./tls-confirmation";
import { loadTlsCredentials, TlsFileMissing, type TlsFilePaths, tlsFilePaths } from "./tls-files";
import type { OpenTransportOptions, Transport } from "./transport";
import { TransportError } from "./transport-error";

const TLS_LISTEN_HINT =
    "check that libvirtd runs with --listen and listen_tls=1 (or virtproxyd-tls.socket), or use qemu+ssh://";

/** OpenSSL verification codes meaning "this certificate does not chain to the CA we trust". */
const UNTRUSTED_CHAIN_CODES = new Set([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_SIGNATURE_FAILURE",
]);

function describeTlsError(error: NodeJS.ErrnoException, hostPort: string, paths: TlsFilePaths): string {
    const code = error.code ?? "";
    if (UNTRUSTED_CHAIN_CODES.has(code)) {
        return (
            `the certificate of ${hostPort} is not signed by the CA in ${paths.ca} (${code}): use the CA that ` +
            "signed libvirtd's servercert.pem (?pkipath=DIR with DIR/cacert.pem), or ?no_verify=1 to skip the check (insecure)"
        );
    }
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
        return (
            `the certificate of ${hostPort} does not name that host (${error.message}): connect with a name the ` +
            "certificate lists, add this name to the server certificate, or ?no_verify=1 (insecure)"
        );
    }
    if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
        return `the certificate of ${hostPort} is not valid now (${code}): renew libvirtd's server certificate`;
    }
    if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_OSSL_") || error.message.includes("alert")) {
        return (
            `the TLS handshake with ${hostPort} failed (${error.message}): the server may reject the client ` +
            `certificate ${paths.cert}; check that it is signed by the server's CA and allowed by tls_allowed_dn_list`
        );
    }
    return describeTcpError(error, hostPort, TLS_LISTEN_HINT);
}

/** TLS with libvirt's x509 client certificates, then libvirtd's one-byte verdict on us. */
export async function openTls(
    uri: LibvirtUri,
    settings: TlsSettings,
    options?: OpenTransportOptions,
): Promise<Transport> {
    const hostPort = formatHostPort(settings.host, settings.port);
    const description = `tls ${hostPort}`;
    const fail = (what: string, cause?: unknown) =>
        new TransportError(uri.original, "tls", `cannot open ${uri.original}: ${what}`, cause);

    const paths = tlsFilePaths(settings);
    let credentials: Awaited<ReturnType<typeof loadTlsCredentials>>;
    try {
        credentials = await loadTlsCredentials(paths);
    } catch (error) {
        if (error instanceof TlsFileMissing) {
            throw fail(
                `the ${error.role} ${error.path} cannot be read (${(error.cause as Error)?.message ?? error.cause}): ` +
                    "create libvirt's client certificates (see libvirt's kbase/tlscerts) or point ?pkipath=DIR " +
                    "at a directory holding cacert.pem, clientcert.pem and clientkey.pem",
                error.cause,
            );
        }
        throw error;
    }

    return guardConnect<Transport>({ uri: uri.original, transport: "tls", description }, options, (settle) => {
        let socket: TLSSocket;
        try {
            socket = tlsConnect({
                host: settings.host,
                port: settings.port,
                ca: credentials.ca,
                cert: credentials.cert,
                key: credentials.key,
                crl: credentials.crl,
                // SNI carries names only; IP addresses are still checked against the certificate.
                servername: isIP(settings.host) ? undefined : settings.host,
                rejectUnauthorized: !settings.noVerify,
                // Node checks the name even when the chain is not verified; no_verify skips both, as in libvirt.
                ...(settings.noVerify ? { checkServerIdentity: () => undefined } : {}),
            });
        } catch (error) {
            // Bad PEM files or a key that does not match the certificate are reported synchronously.
            settle.reject(
                fail(
                    `the client credentials ${paths.cert} / ${paths.key} cannot be used ` +
                        `(${(error as Error).message}): check that the key matches the certificate`,
                    error,
                ),
            );
            return () => {};
        }
        const onError = (error: NodeJS.ErrnoException) =>
            settle.reject(fail(describeTlsError(error, hostPort, paths), error));
        socket.once("error", onError);
        socket.once("secureConnect", () => {
            socket.setNoDelay(true);
            readConfirmationByte(socket).then(
                (byte) => {
                    if (byte === TLS_CONFIRMATION_ACCEPTED) {
                        socket.off("error", onError);
                        settle.resolve({ stream: socket, description, close: () => socket.destroy() });
                        return;
                    }
                    const got = byte === null ? "closed the connection" : `answered ${byte}`;
                    settle.reject(
                        fail(
                            `libvirtd at ${hostPort} rejected this client after the TLS handshake (it ${got} instead ` +
                                `of sending ${TLS_CONFIRMATION_ACCEPTED}): check that ${paths.cert} matches ` +
                                "tls_allowed_dn_list and that this client's address is allowed (libvirtd's log says which)",
                        ),
                    );
                },
                (error: NodeJS.ErrnoException) => settle.reject(fail(describeTlsError(error, hostPort, paths), error)),
            );
        });
        return () => socket.destroy();
    });
}
