import { createConnection } from "node:net";
import { formatHostPort, type LibvirtUri, type TcpSettings } from "../uri";
import { guardConnect } from "./connect-guard";
import { describeTcpError } from "./net-errors";
import type { OpenTransportOptions, Transport } from "./transport";
import { TransportError } from "./transport-error";

const TCP_LISTEN_HINT =
    "enable listen_tcp=1 in libvirtd.conf and start libvirtd with --listen (or enable virtproxyd-tcp.socket), " +
    "or use qemu+ssh:// instead of unencrypted TCP";

/** Plain TCP to a daemon with listen_tcp=1 (unencrypted; meant for trusted networks and tests). */
export function openTcp(uri: LibvirtUri, settings: TcpSettings, options?: OpenTransportOptions): Promise<Transport> {
    const hostPort = formatHostPort(settings.host, settings.port);
    const description = `tcp ${hostPort}`;
    return guardConnect<Transport>({ uri: uri.original, transport: "tcp", description }, options, (settle) => {
        const socket = createConnection({ host: settings.host, port: settings.port });
        // RPC calls are small request/reply packets: Nagle's delay would dominate their latency.
        socket.setNoDelay(true);
        const onError = (error: NodeJS.ErrnoException) =>
            settle.reject(
                new TransportError(
                    uri.original,
                    "tcp",
                    `cannot open ${uri.original}: ${describeTcpError(error, hostPort, TCP_LISTEN_HINT)}`,
                    error,
                ),
            );
        socket.once("error", onError);
        socket.once("connect", () => {
            socket.off("error", onError);
            settle.resolve({ stream: socket, description, close: () => socket.destroy() });
        });
        return () => socket.destroy();
    });
}
