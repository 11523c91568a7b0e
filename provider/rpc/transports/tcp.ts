import { formatHostPort, type LibvirtUri, type TcpSettings } from "../uri";
import { describeTcpError } from "./net-errors";
import { openNetSocket } from "./net-socket";
import type { OpenTransportOptions, Transport } from "./transport";

const TCP_LISTEN_HINT =
    "enable listen_tcp=1 in libvirtd.conf and start libvirtd with --listen (or enable virtproxyd-tcp.socket), " +
    "or use qemu+ssh:// instead of unencrypted TCP";

/** Plain TCP to a daemon with listen_tcp=1 (unencrypted; meant for trusted networks and tests). */
export function openTcp(uri: LibvirtUri, settings: TcpSettings, options?: OpenTransportOptions): Promise<Transport> {
    const hostPort = formatHostPort(settings.host, settings.port);
    const description = `tcp ${hostPort}`;
    return openNetSocket(
        { uri: uri.original, transport: "tcp", description },
        options,
        { host: settings.host, port: settings.port },
        (error) => describeTcpError(error, hostPort, TCP_LISTEN_HINT),
        // RPC calls are small request/reply packets: Nagle's delay would dominate their latency.
        (socket) => socket.setNoDelay(true),
    );
}
