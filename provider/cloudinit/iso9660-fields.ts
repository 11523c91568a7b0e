/**
 * The field encodings of ISO 9660 (ECMA-119) that the image writer needs: both-endian integers,
 * padded character fields and the two date formats. Every function writes into a caller's buffer
 * at an offset, so a descriptor or record is built in place without intermediate copies.
 */

/** ISO 9660 logical sector (and logical block) size. */
export const SECTOR_SIZE = 2048;

/** A 16-bit value stored little-endian then big-endian (ECMA-119 7.2.3). */
export function writeBoth16(buf: Buffer, offset: number, value: number): void {
    buf.writeUInt16LE(value, offset);
    buf.writeUInt16BE(value, offset + 2);
}

/** A 32-bit value stored little-endian then big-endian (ECMA-119 7.3.3). */
export function writeBoth32(buf: Buffer, offset: number, value: number): void {
    buf.writeUInt32LE(value, offset);
    buf.writeUInt32BE(value, offset + 4);
}

/** An ASCII text field of `length` bytes, padded with spaces (ECMA-119 fields are never NUL-padded). */
export function writeAscii(buf: Buffer, offset: number, length: number, text: string): void {
    buf.fill(0x20, offset, offset + length);
    buf.write(text.slice(0, length), offset, "latin1");
}

/**
 * A Joliet text field: UCS-2 big-endian, padded with UCS-2 spaces. `length` is in bytes; the odd
 * last byte of the 37-byte file identifier fields stays zero.
 */
export function writeUcs2(buf: Buffer, offset: number, length: number, text: string): void {
    const chars = Math.floor(length / 2);
    for (let i = 0; i < chars; i++) buf.writeUInt16BE(0x0020, offset + i * 2);
    encodeUcs2(text.slice(0, chars)).copy(buf, offset);
}

/** UCS-2 big-endian bytes of a string (characters outside the BMP are not expected in file names). */
export function encodeUcs2(text: string): Buffer {
    const out = Buffer.alloc(text.length * 2);
    for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
    return out;
}

/** A moment written into the image. The writer uses one fixed moment so that images are reproducible. */
export interface IsoDate {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
}

/** The 7-byte recording date of a directory record (ECMA-119 9.1.5), in UTC (offset 0). */
export function writeRecordDate(buf: Buffer, offset: number, date: IsoDate): void {
    buf[offset] = date.year - 1900;
    buf[offset + 1] = date.month;
    buf[offset + 2] = date.day;
    buf[offset + 3] = date.hour;
    buf[offset + 4] = date.minute;
    buf[offset + 5] = date.second;
    buf[offset + 6] = 0;
}

/** The 17-byte volume descriptor date (ECMA-119 8.4.26.1): digits, hundredths, UTC offset 0. */
export function writeDescriptorDate(buf: Buffer, offset: number, date: IsoDate | undefined): void {
    if (date === undefined) {
        // "Not specified": sixteen ASCII zeros and a zero offset.
        buf.fill(0x30, offset, offset + 16);
        buf[offset + 16] = 0;
        return;
    }
    const two = (n: number) => String(n).padStart(2, "0");
    const text = `${String(date.year).padStart(4, "0")}${two(date.month)}${two(date.day)}${two(date.hour)}${two(date.minute)}${two(date.second)}00`;
    buf.write(text, offset, "latin1");
    buf[offset + 16] = 0;
}

/** Sectors needed for `bytes` bytes. */
export function sectorsFor(bytes: number): number {
    return Math.ceil(bytes / SECTOR_SIZE);
}
