/**
 * Opening a plain `net` socket (UNIX path or TCP host:port) as a transport: the part unix.ts and
 * tcp.ts share. Each of them only says where to connect and how to explain a failure.
 */
import { createConnection, type NetConnectOpts, type Socket } from "node:net";
import { type AttemptContext, guardConnect } from "./connect-guard";
import type { OpenTransportOptions, Transport } from "./transport";
import { TransportError } from "./transport-error";

export function openNetSocket(
    context: AttemptContext,
    options: OpenTransportOptions | undefined,
    target: NetConnectOpts,
    explain: (error: NodeJS.ErrnoException) => string,
    tune: (socket: Socket) => void = () => {},
): Promise<Transport> {
    return guardConnect<Transport>(context, options, (settle) => {
        const socket = createConnection(target);
        tune(socket);
        const onError = (error: NodeJS.ErrnoException) =>
            settle.reject(
                new TransportError(
                    context.uri,
                    context.transport,
                    `cannot open ${context.uri}: ${explain(error)}`,
                    error,
                ),
            );
        socket.once("error", onError);
        socket.once("connect", () => {
            socket.off("error", onError);
            settle.resolve({ stream: socket, description: context.description, close: () => socket.destroy() });
        });
        return () => socket.destroy();
    });
}
