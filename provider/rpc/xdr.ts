/**
 * XDR (RFC 4506) primitives as libvirt uses them.
 *
 * Every item occupies a multiple of four bytes, big-endian. Every variable-length item is read
 * with an explicit maximum so that a hostile or corrupt peer cannot make us allocate more than
 * the protocol allows. The generated codecs in `generated/` are written against this API.
 */

/** A malformed or out-of-bounds XDR value; fatal for the message that carried it. */
export class XdrError extends Error {
    override readonly name = "XdrError";
}

/** Encoder and decoder pair for one XDR type. */
export interface XdrCodec<T> {
    encode(w: XdrWriter, value: T): void;
    decode(r: XdrReader): T;
}

/** The largest count an unbounded XDR array/string (`<>`) may declare. */
export const XDR_UNBOUNDED = 0xffffffff;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

function padding(length: number): number {
    return (4 - (length % 4)) % 4;
}

export class XdrWriter {
    private buffer: Buffer;
    private position = 0;

    constructor(initialSize = 256) {
        this.buffer = Buffer.allocUnsafe(initialSize);
    }

    /** Bytes written so far. */
    get length(): number {
        return this.position;
    }

    /** Makes room for `bytes` more bytes and returns their offset. May replace `this.buffer`: read it after calling. */
    private reserve(bytes: number): number {
        const needed = this.position + bytes;
        if (needed > this.buffer.length) {
            let size = Math.max(this.buffer.length * 2, 64);
            while (size < needed) size *= 2;
            const grown = Buffer.allocUnsafe(size);
            this.buffer.copy(grown, 0, 0, this.position);
            this.buffer = grown;
        }
        const at = this.position;
        this.position = needed;
        return at;
    }

    int(value: number): void {
        if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
            throw new XdrError(`XDR int out of range: ${value}`);
        }
        const at = this.reserve(4);
        this.buffer.writeInt32BE(value, at);
    }

    uint(value: number): void {
        if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
            throw new XdrError(`XDR unsigned int out of range: ${value}`);
        }
        const at = this.reserve(4);
        this.buffer.writeUInt32BE(value, at);
    }

    hyper(value: bigint): void {
        if (typeof value !== "bigint" || value < INT64_MIN || value > INT64_MAX) {
            throw new XdrError(`XDR hyper must be a bigint in range: ${String(value)}`);
        }
        const at = this.reserve(8);
        this.buffer.writeBigInt64BE(value, at);
    }

    uhyper(value: bigint): void {
        if (typeof value !== "bigint" || value < 0n || value > UINT64_MAX) {
            throw new XdrError(`XDR unsigned hyper must be a bigint in range: ${String(value)}`);
        }
        const at = this.reserve(8);
        this.buffer.writeBigUInt64BE(value, at);
    }

    bool(value: boolean): void {
        const at = this.reserve(4);
        this.buffer.writeUInt32BE(value ? 1 : 0, at);
    }

    float(value: number): void {
        const at = this.reserve(4);
        this.buffer.writeFloatBE(value, at);
    }

    double(value: number): void {
        const at = this.reserve(8);
        this.buffer.writeDoubleBE(value, at);
    }

    /** `string x<max>`: UTF-8 bytes, length-prefixed, zero-padded. */
    string(value: string, max: number): void {
        if (typeof value !== "string") throw new XdrError(`XDR string expected, got ${typeof value}`);
        const length = Buffer.byteLength(value, "utf8");
        if (length > max) throw new XdrError(`XDR string of ${length} bytes exceeds its limit of ${max}`);
        this.uint(length);
        const at = this.reserve(length + padding(length));
        this.buffer.write(value, at, length, "utf8");
        this.zero(at + length, at + length + padding(length));
    }

    /** `opaque x[size]`: exactly `size` bytes, zero-padded. */
    fixedOpaque(value: Uint8Array, size: number): void {
        if (value.length !== size) throw new XdrError(`XDR fixed opaque needs ${size} bytes, got ${value.length}`);
        this.rawPadded(value);
    }

    /** `opaque x<max>`: length-prefixed bytes, zero-padded. */
    opaque(value: Uint8Array, max: number): void {
        if (value.length > max) throw new XdrError(`XDR opaque of ${value.length} bytes exceeds its limit of ${max}`);
        this.uint(value.length);
        this.rawPadded(value);
    }

    /** `char x<max>`: libvirt's char arrays put every byte in its own 4-byte int. */
    chars(value: Uint8Array, max: number): void {
        if (value.length > max) throw new XdrError(`XDR char array of ${value.length} exceeds its limit of ${max}`);
        this.uint(value.length);
        for (const byte of value) this.int(byte > 127 ? byte - 256 : byte);
    }

    /** `char x[size]`: exactly `size` 4-byte ints. */
    fixedChars(value: Uint8Array, size: number): void {
        if (value.length !== size) throw new XdrError(`XDR fixed char array needs ${size} bytes, got ${value.length}`);
        for (const byte of value) this.int(byte > 127 ? byte - 256 : byte);
    }

    /** `T *x`: a presence flag, then the value. `undefined` is written as absent. */
    optional<T>(value: T | null | undefined, encode: (w: XdrWriter, v: T) => void): void {
        if (value === null || value === undefined) {
            this.bool(false);
        } else {
            this.bool(true);
            encode(this, value);
        }
    }

    /** `T x<max>`: a count, then the elements. */
    array<T>(values: readonly T[], max: number, encode: (w: XdrWriter, v: T) => void): void {
        if (values.length > max) throw new XdrError(`XDR array of ${values.length} exceeds its limit of ${max}`);
        this.uint(values.length);
        for (const v of values) encode(this, v);
    }

    /** `T x[size]`: exactly `size` elements, no count. */
    fixedArray<T>(values: readonly T[], size: number, encode: (w: XdrWriter, v: T) => void): void {
        if (values.length !== size) throw new XdrError(`XDR fixed array needs ${size} elements, got ${values.length}`);
        for (const v of values) encode(this, v);
    }

    /** Raw bytes with no length and no padding (stream payloads). */
    raw(bytes: Uint8Array): void {
        const at = this.reserve(bytes.length);
        this.buffer.set(bytes, at);
    }

    /** Overwrites a big-endian uint32 already written at `offset` (the packet length word). */
    patchUint(offset: number, value: number): void {
        this.buffer.writeUInt32BE(value, offset);
    }

    private rawPadded(bytes: Uint8Array): void {
        const pad = padding(bytes.length);
        const at = this.reserve(bytes.length + pad);
        this.buffer.set(bytes, at);
        this.zero(at + bytes.length, at + bytes.length + pad);
    }

    /** Zeroes XDR padding (at most 3 bytes): a loop, cheaper than fill() for so few on every call. */
    private zero(from: number, to: number): void {
        for (let i = from; i < to; i++) this.buffer[i] = 0;
    }

    /** The bytes written, as a Buffer that does not share memory with the writer; ends the writer. */
    finish(): Buffer {
        // A writer sized exactly for its content hands its buffer over instead of copying it:
        // stream packets are sized up front, and this saves a copy of every data chunk.
        if (this.position === this.buffer.length) {
            const exact = this.buffer;
            this.buffer = Buffer.alloc(0);
            this.position = 0;
            return exact;
        }
        return Buffer.from(this.buffer.subarray(0, this.position));
    }
}

export class XdrReader {
    private position: number;

    constructor(
        private readonly buffer: Buffer,
        offset = 0,
        private readonly end = buffer.length,
    ) {
        this.position = offset;
    }

    /** Bytes not yet read. */
    get remaining(): number {
        return this.end - this.position;
    }

    get offset(): number {
        return this.position;
    }

    private take(bytes: number): number {
        if (bytes > this.end - this.position) {
            throw new XdrError(`XDR data truncated: needed ${bytes} bytes, ${this.end - this.position} left`);
        }
        const at = this.position;
        this.position += bytes;
        return at;
    }

    int(): number {
        return this.buffer.readInt32BE(this.take(4));
    }

    uint(): number {
        return this.buffer.readUInt32BE(this.take(4));
    }

    hyper(): bigint {
        return this.buffer.readBigInt64BE(this.take(8));
    }

    uhyper(): bigint {
        return this.buffer.readBigUInt64BE(this.take(8));
    }

    bool(): boolean {
        const value = this.uint();
        // libvirt's daemon treats any non-zero as true; a strict reader keeps that behaviour.
        return value !== 0;
    }

    float(): number {
        return this.buffer.readFloatBE(this.take(4));
    }

    double(): number {
        return this.buffer.readDoubleBE(this.take(8));
    }

    private length(max: number, what: string, unitBytes: number): number {
        const length = this.uint();
        if (length > max) throw new XdrError(`XDR ${what} declares ${length} elements, more than its limit of ${max}`);
        // Refuse before allocating: a count the remaining bytes cannot possibly hold is corrupt.
        if (length * unitBytes > this.remaining) {
            throw new XdrError(`XDR ${what} declares ${length} elements but only ${this.remaining} bytes remain`);
        }
        return length;
    }

    string(max: number): string {
        const length = this.length(max, "string", 1);
        const at = this.take(length + padding(length));
        return this.buffer.toString("utf8", at, at + length);
    }

    fixedOpaque(size: number): Buffer {
        const at = this.take(size + padding(size));
        return Buffer.from(this.buffer.subarray(at, at + size));
    }

    opaque(max: number): Buffer {
        const length = this.length(max, "opaque", 1);
        return this.fixedOpaque(length);
    }

    chars(max: number): Buffer {
        const length = this.length(max, "char array", 4);
        return this.fixedChars(length);
    }

    fixedChars(size: number): Buffer {
        const out = Buffer.allocUnsafe(size);
        for (let i = 0; i < size; i++) out[i] = this.int() & 0xff;
        return out;
    }

    optional<T>(decode: (r: XdrReader) => T): T | null {
        return this.bool() ? decode(this) : null;
    }

    array<T>(max: number, decode: (r: XdrReader) => T): T[] {
        // Every XDR item takes at least 4 bytes, which bounds a believable count.
        const length = this.length(max, "array", 4);
        const out: T[] = new Array(length);
        for (let i = 0; i < length; i++) out[i] = decode(this);
        return out;
    }

    fixedArray<T>(size: number, decode: (r: XdrReader) => T): T[] {
        const out: T[] = new Array(size);
        for (let i = 0; i < size; i++) out[i] = decode(this);
        return out;
    }

    /** The rest of the buffer, unparsed (stream payloads). */
    rest(): Buffer {
        const at = this.take(this.remaining);
        return this.buffer.subarray(at, this.end);
    }

    /** Throws if anything is left: a reply longer than its type means we decoded the wrong type. */
    expectEnd(what: string): void {
        if (this.remaining !== 0) throw new XdrError(`${this.remaining} unexpected trailing bytes after ${what}`);
    }
}

/** Encodes one value with a codec into a fresh buffer. */
export function encodeXdr<T>(codec: XdrCodec<T>, value: T): Buffer {
    const w = new XdrWriter();
    codec.encode(w, value);
    return w.finish();
}

/** Decodes one value that must fill `bytes` exactly. */
export function decodeXdr<T>(codec: XdrCodec<T>, bytes: Buffer, what = "value"): T {
    const r = new XdrReader(bytes);
    const value = codec.decode(r);
    r.expectEnd(what);
    return value;
}
