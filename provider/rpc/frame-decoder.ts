/**
 * Splits a byte stream into libvirt packets. Pure: it never touches a socket, so it can be
 * tested with every possible chunking. Any framing error is fatal: after one, the stream
 * position is unknown and the connection must be dropped.
 */
import { decodePacket, MAX_PACKET_LENGTH, PACKET_OVERHEAD, type Packet } from "./packet";

export class FrameError extends Error {
    override readonly name = "FrameError";
}

export class FrameDecoder {
    private pending: Buffer[] = [];
    private pendingBytes = 0;
    private failed: FrameError | undefined;
    /** Bytes that must be buffered before another packet can complete. */
    private neededBytes = 4;

    constructor(private readonly maxPacketLength = MAX_PACKET_LENGTH) {}

    /** Bytes received that do not yet form a complete packet. */
    get buffered(): number {
        return this.pendingBytes;
    }

    /**
     * Feeds a chunk; returns every packet it completes, in order. With `transient`, the chunk's
     * memory is reused by the caller afterwards, so whatever is kept of it is copied first.
     * Packets returned never share memory with a chunk.
     */
    push(chunk: Buffer, transient = false): Packet[] {
        if (this.failed) throw this.failed;
        if (chunk.length === 0) return [];
        // Joining chunks costs a copy: wait until the announced packet is complete, so that a
        // large packet arriving in many small chunks is copied once rather than once per chunk.
        if (this.pendingBytes + chunk.length < this.neededBytes) {
            this.pending.push(transient ? Buffer.from(chunk) : chunk);
            this.pendingBytes += chunk.length;
            return [];
        }
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;

        const packets: Packet[] = [];
        const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
        let offset = 0;
        this.neededBytes = 4;
        while (data.length - offset >= 4) {
            const length = data.readUInt32BE(offset);
            if (length < PACKET_OVERHEAD || length > this.maxPacketLength) {
                this.failed = new FrameError(
                    `libvirt sent a packet length of ${length} bytes; valid lengths are ${PACKET_OVERHEAD} to ` +
                        `${this.maxPacketLength}. The byte stream is corrupt or not libvirt's protocol`,
                );
                this.pending = [];
                this.pendingBytes = 0;
                throw this.failed;
            }
            if (data.length - offset < length) {
                this.neededBytes = length;
                break;
            }
            // Copy so that a retained payload does not pin a large shared chunk in memory.
            packets.push(decodePacket(Buffer.from(data.subarray(offset, offset + length))));
            offset += length;
        }
        const rest = data.subarray(offset);
        // `data` is the caller's chunk itself when nothing was pending; otherwise a fresh join.
        const keep = transient && data === chunk ? Buffer.from(rest) : rest;
        this.pending = rest.length > 0 ? [keep] : [];
        this.pendingBytes = rest.length;
        return packets;
    }
}
