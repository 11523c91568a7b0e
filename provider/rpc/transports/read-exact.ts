import type { Readable } from "node:stream";

/**
 * Read exactly `count` bytes from `stream` before anyone else consumes it: resolves with them, or
 * with null if the stream ends first.
 *
 * `read(count)` takes exactly that many bytes and leaves whatever arrived with them in the stream's
 * buffer, so nothing that follows is lost; removing our 'readable' listener returns the stream to
 * its initial mode, so a later 'data' listener or pipe() starts the flow as usual.
 */
export function readExact(stream: Readable, count: number): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
        const cleanup = () => {
            stream.off("readable", onReadable);
            stream.off("end", onEnd);
            stream.off("close", onEnd);
            stream.off("error", onError);
        };
        const onReadable = () => {
            const bytes = stream.read(count) as Buffer | null;
            if (bytes === null) return; // not enough yet, or EOF: 'end' follows
            cleanup();
            // At end of stream read() hands out a shorter remainder.
            resolve(bytes.length === count ? bytes : null);
        };
        const onEnd = () => {
            cleanup();
            resolve(null);
        };
        const onError = (error: Error) => {
            cleanup();
            reject(error);
        };
        stream.on("readable", onReadable);
        stream.once("end", onEnd);
        stream.once("close", onEnd);
        stream.once("error", onError);
    });
}
