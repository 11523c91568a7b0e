import type { Readable } from "node:stream";
import { readExact } from "./read-exact";

/** The byte libvirtd writes after the TLS handshake when it accepts the client's certificate and address. */
export const TLS_CONFIRMATION_ACCEPTED = 1;

/** Read libvirtd's one-byte verdict after the TLS handshake; null if the server closed instead. */
export async function readConfirmationByte(stream: Readable): Promise<number | null> {
    const byte = await readExact(stream, 1);
    return byte === null ? null : byte[0];
}
