import assert from "node:assert/strict";
import { test } from "node:test";
import { XdrError, XdrReader, XdrWriter } from "../../../provider/rpc/xdr";

function roundTrip(write: (w: XdrWriter) => void, read: (r: XdrReader) => unknown): { bytes: Buffer; value: unknown } {
    const w = new XdrWriter(1);
    write(w);
    const bytes = w.finish();
    assert.equal(bytes.length % 4, 0, "XDR items are multiples of 4 bytes");
    const r = new XdrReader(bytes);
    const value = read(r);
    r.expectEnd("value");
    return { bytes, value };
}

test("integers round-trip at their limits and are big-endian", () => {
    for (const v of [0, 1, -1, 0x7fffffff, -0x80000000]) {
        assert.equal(
            roundTrip(
                (w) => w.int(v),
                (r) => r.int(),
            ).value,
            v,
        );
    }
    for (const v of [0, 1, 0xffffffff])
        assert.equal(
            roundTrip(
                (w) => w.uint(v),
                (r) => r.uint(),
            ).value,
            v,
        );
    assert.equal(
        roundTrip(
            (w) => w.uint(0x01020304),
            (r) => r.uint(),
        ).bytes.toString("hex"),
        "01020304",
    );
    for (const v of [0n, -1n, (1n << 63n) - 1n, -(1n << 63n)]) {
        assert.equal(
            roundTrip(
                (w) => w.hyper(v),
                (r) => r.hyper(),
            ).value,
            v,
        );
    }
    for (const v of [0n, (1n << 64n) - 1n])
        assert.equal(
            roundTrip(
                (w) => w.uhyper(v),
                (r) => r.uhyper(),
            ).value,
            v,
        );
});

test("out-of-range integers are refused on encode", () => {
    assert.throws(() => new XdrWriter().int(0x80000000), XdrError);
    assert.throws(() => new XdrWriter().int(1.5), XdrError);
    assert.throws(() => new XdrWriter().uint(-1), XdrError);
    assert.throws(() => new XdrWriter().uhyper(-1n), XdrError);
    assert.throws(() => new XdrWriter().hyper(1n << 63n), XdrError);
});

test("strings are length-prefixed UTF-8, zero-padded to 4 bytes", () => {
    const { bytes, value } = roundTrip(
        (w) => w.string("qemu:///system", 100),
        (r) => r.string(100),
    );
    assert.equal(value, "qemu:///system");
    assert.equal(bytes.toString("hex"), "0000000e71656d753a2f2f2f73797374656d0000");
    assert.equal(
        roundTrip(
            (w) => w.string("é✓", 10),
            (r) => r.string(10),
        ).value,
        "é✓",
    );
    assert.equal(
        roundTrip(
            (w) => w.string("", 0),
            (r) => r.string(0),
        ).bytes.length,
        4,
    );
});

test("string and opaque limits are enforced both ways", () => {
    assert.throws(() => new XdrWriter().string("abcde", 4), /exceeds its limit/);
    const w = new XdrWriter();
    w.string("abcde", 5);
    assert.throws(() => new XdrReader(w.finish()).string(4), /more than its limit/);
    assert.throws(() => new XdrWriter().opaque(Buffer.alloc(5), 4), XdrError);
});

test("a declared length larger than the data is refused before allocating", () => {
    const w = new XdrWriter();
    w.uint(1_000_000);
    assert.throws(() => new XdrReader(w.finish()).array(2_000_000, (r) => r.int()), /only 0 bytes remain/);
    assert.throws(() => new XdrReader(Buffer.from([0, 0, 0, 9, 1, 2])).opaque(100), XdrError);
});

test("truncated input is refused", () => {
    assert.throws(() => new XdrReader(Buffer.from([0, 0, 1])).int(), /truncated/);
    assert.throws(() => new XdrReader(Buffer.from([0, 0, 0, 1])).hyper(), /truncated/);
});

test("opaque, char arrays, optionals and arrays round-trip", () => {
    const blob = Buffer.from([1, 2, 3, 4, 5]);
    assert.deepEqual(
        roundTrip(
            (w) => w.opaque(blob, 10),
            (r) => r.opaque(10),
        ).value,
        blob,
    );
    assert.deepEqual(
        roundTrip(
            (w) => w.fixedOpaque(Buffer.alloc(16, 9), 16),
            (r) => r.fixedOpaque(16),
        ).value,
        Buffer.alloc(16, 9),
    );
    // libvirt's char arrays carry one 4-byte int per byte.
    const chars = roundTrip(
        (w) => w.chars(Buffer.from("ab\xff", "latin1"), 8),
        (r) => r.chars(8),
    );
    assert.equal(chars.bytes.length, 4 + 3 * 4);
    assert.deepEqual(chars.value, Buffer.from("ab\xff", "latin1"));
    assert.deepEqual(
        roundTrip(
            (w) => w.fixedChars(Buffer.from("xy"), 2),
            (r) => r.fixedChars(2),
        ).value,
        Buffer.from("xy"),
    );
    assert.equal(
        roundTrip(
            (w) => w.optional<number>(null, (x, v) => x.int(v)),
            (r) => r.optional((x) => x.int()),
        ).value,
        null,
    );
    assert.equal(
        roundTrip(
            (w) => w.optional(7, (x, v) => x.int(v)),
            (r) => r.optional((x) => x.int()),
        ).value,
        7,
    );
    assert.deepEqual(
        roundTrip(
            (w) => w.array([1, 2, 3], 3, (x, v) => x.int(v)),
            (r) => r.array(3, (x) => x.int()),
        ).value,
        [1, 2, 3],
    );
    assert.throws(() => new XdrWriter().array([1, 2], 1, (x, v) => x.int(v)), /exceeds/);
    assert.throws(() => new XdrWriter().fixedArray([1], 2, (x, v) => x.int(v)), /needs 2/);
});

test("booleans, floats and doubles round-trip", () => {
    assert.equal(
        roundTrip(
            (w) => w.bool(true),
            (r) => r.bool(),
        ).value,
        true,
    );
    assert.equal(
        roundTrip(
            (w) => w.double(Math.PI),
            (r) => r.double(),
        ).value,
        Math.PI,
    );
    assert.equal(
        roundTrip(
            (w) => w.float(0.5),
            (r) => r.float(),
        ).value,
        0.5,
    );
});

test("trailing bytes are detected", () => {
    const r = new XdrReader(Buffer.alloc(8));
    r.int();
    assert.throws(() => r.expectEnd("reply"), /trailing/);
});
