/**
 * Opening a plain `net` socket (UNIX path or TCP host:port) as a transport: the part unix.ts and
 * tcp.ts share. Each of them only says where to connect and how to explain a failure.
 */
import { createConnection, type NetConnectOpts, type Socket } from "node:net";
import { type AttemptContext, guardConnect } from "./connect-guard";
import type { OpenTransportOptions, Transport } from "./transport";
import { TransportError } from "./transport-error";

/**
 * Size of the buffer a net socket reads into: one libvirt stream data packet (256 KiB of payload
 * plus its header) fits, so a download needs one read per packet, not four.
 */
export const RECEIVE_BUFFER_BYTES = 256 * 1024 + 64;

export function openNetSocket(
    context: AttemptContext,
    options: OpenTransportOptions | undefined,
    target: NetConnectOpts,
    explain: (error: NodeJS.ErrnoException) => string,
    tune: (socket: Socket) => void = () => {},
): Promise<Transport> {
    return guardConnect<Transport>(context, options, (settle) => {
        // Until the connection installs its receiver, reads become ordinary `data` events (copied,
        // since the buffer is reused), so any reader of `stream` works too.
        let receiver: (chunk: Buffer) => void = (chunk) => socket.emit("data", Buffer.from(chunk));
        const buffer = Buffer.allocUnsafe(RECEIVE_BUFFER_BYTES);
        const socket = createConnection({
            ...target,
            onread: {
                buffer,
                callback: (bytes: number, into: Uint8Array) => {
                    receiver(Buffer.from(into.buffer, into.byteOffset, bytes));
                    return true;
                },
            },
        } as NetConnectOpts);
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
            settle.resolve({
                stream: socket,
                description: context.description,
                close: () => socket.destroy(),
                setReceiver: (next) => {
                    receiver = next;
                },
            });
        });
        return () => socket.destroy();
    });
}
