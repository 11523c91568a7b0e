/**
 * One libvirt RPC packet: the 4-byte length word, the 24-byte header and the payload.
 * Pure functions, no I/O: the connection and the mock daemon share them.
 */
// The generated modules, not the ./generated barrel (its re-exports are getters; this is per packet).
import {
    VIR_NET_MESSAGE_HEADER_MAX,
    VIR_NET_MESSAGE_LEN_MAX,
    VIR_NET_MESSAGE_MAX,
    type VirNetMessageStatus,
    type VirNetMessageType,
} from "./generated/constants";
import { VirNetMessageHeader } from "./generated/virnet";
import { XdrReader, XdrWriter } from "./xdr";

export interface PacketHeader {
    readonly prog: number;
    readonly vers: number;
    readonly proc: number;
    readonly type: VirNetMessageType;
    readonly serial: number;
    readonly status: VirNetMessageStatus;
}

export interface Packet {
    readonly header: PacketHeader;
    /** XDR payload, or raw bytes for stream data. */
    readonly payload: Buffer;
}

/** Bytes of the length word plus header: the smallest valid packet. */
export const PACKET_OVERHEAD = VIR_NET_MESSAGE_LEN_MAX + VIR_NET_MESSAGE_HEADER_MAX;

/** The largest value the length word may hold: the length word itself is not counted in the limit. */
export const MAX_PACKET_LENGTH = VIR_NET_MESSAGE_MAX + VIR_NET_MESSAGE_LEN_MAX;

/**
 * Serialises a packet. `body` either is the payload already encoded or writes it into the
 * packet's writer, which avoids a copy for large XDR arguments.
 */
export function encodePacket(header: PacketHeader, body?: Buffer | ((w: XdrWriter) => void)): Buffer {
    const w = new XdrWriter(typeof body === "function" || body === undefined ? 256 : PACKET_OVERHEAD + body.length);
    w.uint(0); // length word, patched below once the size is known
    VirNetMessageHeader.encode(w, header);
    if (typeof body === "function") body(w);
    else if (body !== undefined) w.raw(body);
    if (w.length > MAX_PACKET_LENGTH) {
        throw new RangeError(
            `libvirt RPC packet of ${w.length} bytes exceeds the protocol limit of ${MAX_PACKET_LENGTH} bytes`,
        );
    }
    w.patchUint(0, w.length);
    return w.finish();
}

/** Decodes the header of a complete packet (length word included in `packet`). */
export function decodePacket(packet: Buffer): Packet {
    const r = new XdrReader(packet, VIR_NET_MESSAGE_LEN_MAX, PACKET_OVERHEAD);
    const header = VirNetMessageHeader.decode(r) as PacketHeader;
    return { header, payload: packet.subarray(PACKET_OVERHEAD) };
}
