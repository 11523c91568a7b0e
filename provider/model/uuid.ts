/**
 * libvirt's UUIDs in their two forms: the 16 raw bytes of the wire protocol and the printed text
 * (lower case, dashed) that resource ids and the model hold.
 */

/** 32 hex digits, dashed as libvirt prints them or not at all (libvirt's own parser takes both). */
export const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The 16 raw bytes, spelled as libvirt prints them: `81ff0d90-c91e-6742-64da-4a736edb9a9b`. */
export function uuidText(bytes: Uint8Array): string {
    const hex = Buffer.from(bytes).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The 16 raw bytes of a UUID matching `UUID_PATTERN`, for lookups and handles. */
export function uuidBytes(text: string): Buffer {
    return Buffer.from(text.replaceAll("-", ""), "hex");
}
