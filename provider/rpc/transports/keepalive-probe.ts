import type { Duplex } from "node:stream";
import {
    KEEPALIVE_PROGRAM,
    KEEPALIVE_PROTOCOL_VERSION,
    KeepaliveProcedure,
    VirNetMessageStatus,
    VirNetMessageType,
} from "../generated/constants";
import { VirNetMessageHeader } from "../generated/virnet";
import { XdrReader, XdrWriter } from "../xdr";
import { readExact } from "./read-exact";

/** A keepalive message is the 4-byte length word plus the 24-byte header, with no payload. */
export const KEEPALIVE_PACKET_BYTES = 28;
/** Keepalive messages always carry serial 0. */
export const KEEPALIVE_SERIAL = 0;

/** A whole keepalive PING packet, length word included: what any libvirtd answers with a PONG. */
export function keepalivePingPacket(): Buffer {
    const w = new XdrWriter(KEEPALIVE_PACKET_BYTES);
    w.uint(KEEPALIVE_PACKET_BYTES);
    VirNetMessageHeader.encode(w, {
        prog: KEEPALIVE_PROGRAM,
        vers: KEEPALIVE_PROTOCOL_VERSION,
        proc: KeepaliveProcedure.KEEPALIVE_PROC_PING,
        type: VirNetMessageType.VIR_NET_MESSAGE,
        serial: KEEPALIVE_SERIAL,
        status: VirNetMessageStatus.VIR_NET_OK,
    });
    return w.finish();
}

/**
 * Prove that a tunnel reaches a libvirt daemon: send a keepalive PING and consume its PONG. Every
 * libvirtd answers PING at any time, even before AUTH_LIST, and sends nothing unasked before the
 * client requests keepalive, so the first 28 bytes back are the PONG. Used for ssh, where login
 * and the remote helper can fail after the local process started.
 *
 * Resolves with a description of what is wrong, or null when the PONG came back.
 */
export async function probeDaemon(stream: Duplex): Promise<string | null> {
    stream.write(keepalivePingPacket());
    const reply = await readExact(stream, KEEPALIVE_PACKET_BYTES);
    if (reply === null) return "the tunnel closed before the daemon answered a keepalive PING";
    const r = new XdrReader(reply);
    const length = r.uint();
    const header = VirNetMessageHeader.decode(r);
    const isPong =
        length === KEEPALIVE_PACKET_BYTES &&
        header.prog === KEEPALIVE_PROGRAM &&
        header.proc === KeepaliveProcedure.KEEPALIVE_PROC_PONG &&
        header.type === VirNetMessageType.VIR_NET_MESSAGE;
    return isPong
        ? null
        : `the far end answered a keepalive PING with something else (${reply.toString("hex")}): ` +
              "the remote command does not speak libvirt's protocol";
}
