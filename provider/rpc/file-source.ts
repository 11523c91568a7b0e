/**
 * A local file read for an upload in libvirt-sized chunks, into a small pool of buffers that are
 * used again once the socket has written them. A Node read stream allocates a fresh buffer for
 * every read, and on a fast local socket that allocation and its garbage collection cost more
 * CPU than the transfer itself (measured by `npm run bench:rpc`): on a 2-core host, CPU the client
 * spends is CPU the daemon lacks.
 */
import { open } from "node:fs/promises";

export interface FileRange {
    /** Byte offset into the file (default 0). */
    readonly offset?: number;
    /** Bytes to read; default: to the end of the file. */
    readonly length?: number;
}

export class FileChunkSource implements AsyncIterable<Buffer> {
    private readonly free: Buffer[] = [];
    /** The pool buffer behind each chunk handed out, by its memory. */
    private readonly owners = new Map<ArrayBufferLike, Buffer>();
    private waiter: (() => void) | undefined;

    /**
     * `chunkBytes`: the size of every chunk but the last; `poolSize`: how many chunks may be out
     * (queued in the socket) at once, which bounds the memory used and paces the reading.
     */
    constructor(
        readonly path: string,
        private readonly range: FileRange,
        private readonly chunkBytes: number,
        poolSize: number,
    ) {
        for (let i = 0; i < poolSize; i++) {
            // Slow (unpooled) allocations: each buffer owns its memory, so a chunk finds its owner.
            const buffer = Buffer.allocUnsafeSlow(chunkBytes);
            this.free.push(buffer);
            this.owners.set(buffer.buffer, buffer);
        }
    }

    /** Gives a chunk's buffer back for the next read; call once the chunk has been written. */
    release(chunk: Buffer): void {
        const owner = this.owners.get(chunk.buffer);
        if (owner === undefined || this.free.includes(owner)) return;
        this.free.push(owner);
        const wake = this.waiter;
        this.waiter = undefined;
        wake?.();
    }

    async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
        const file = await open(this.path, "r");
        try {
            let position = this.range.offset ?? 0;
            let left = this.range.length ?? (await file.stat()).size - position;
            while (left > 0) {
                const buffer = await this.takeBuffer();
                const wanted = Math.min(this.chunkBytes, left);
                let filled = 0;
                // A read may return less than asked (rarely, for regular files): fill the chunk.
                while (filled < wanted) {
                    const { bytesRead } = await file.read(buffer, filled, wanted - filled, position + filled);
                    if (bytesRead === 0) break;
                    filled += bytesRead;
                }
                if (filled === 0) {
                    this.free.push(buffer);
                    break;
                }
                position += filled;
                left -= filled;
                yield buffer.subarray(0, filled);
                if (filled < wanted) break;
            }
        } finally {
            await file.close();
        }
    }

    private async takeBuffer(): Promise<Buffer> {
        while (this.free.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
        return this.free.pop()!;
    }
}
