import assert from "node:assert/strict";
import { test } from "node:test";
import {
    bytesInUnit,
    formatBytes,
    friendlySizeToBytes,
    isLibvirtUnit,
    scaledToBytes,
    scaledToBytesOrThrow,
    unitMultiplier,
} from "../../../provider/model/units";

const KiB = 1024;
const MiB = KiB * 1024;
const GiB = MiB * 1024;
const TiB = GiB * 1024;

test("every libvirt unit name has libvirt's multiplier (KB is 1000, k and KiB are 1024)", () => {
    const table: [string, number][] = [
        ["b", 1],
        ["byte", 1],
        ["bytes", 1],
        ["KB", 1000],
        ["k", KiB],
        ["KiB", KiB],
        ["MB", 1e6],
        ["M", MiB],
        ["MiB", MiB],
        ["GB", 1e9],
        ["G", GiB],
        ["GiB", GiB],
        ["TB", 1e12],
        ["T", TiB],
        ["TiB", TiB],
        ["PB", 1e15],
        ["P", TiB * 1024],
        ["PiB", TiB * 1024],
        ["EB", 1e18],
        ["E", TiB * 1024 * 1024],
        ["EiB", TiB * 1024 * 1024],
        ["kb", 1000],
        ["g", GiB],
    ];
    for (const [unit, multiplier] of table) assert.equal(unitMultiplier(unit), multiplier, unit);
});

test("unknown units are refused", () => {
    for (const unit of ["", "x", "KiBB", "Gi", "bits", "MiBs"]) assert.equal(isLibvirtUnit(unit), false, unit);
});

test("friendly sizes: numbers are MiB, strings carry a unit", () => {
    const cases: [number | string, number][] = [
        [512, 512 * MiB],
        [0.5, 512 * KiB],
        ["2GiB", 2 * GiB],
        ["512 MiB", 512 * MiB],
        ["10G", 10 * GiB],
        ["1024KiB", MiB],
        ["4096b", 4096],
        ["1.5GiB", 1.5 * GiB],
        ["10GB", 10e9],
        [" 3 TiB ", 3 * TiB],
    ];
    for (const [input, bytes] of cases)
        assert.deepEqual(friendlySizeToBytes(input), { ok: true, bytes }, String(input));
});

test("friendly sizes that cannot be read say why", () => {
    for (const input of ["512", "ten GiB", "10 parsecs", "1.1b", "-1GiB", "99999999EiB"]) {
        const result = friendlySizeToBytes(input);
        assert.equal(result.ok, false, input);
        if (!result.ok) assert.ok(result.reason.length > 10, result.reason);
    }
    assert.equal(friendlySizeToBytes(-1).ok, false);
});

test("scaled values as libvirt stores them become bytes, with the default unit when none is given", () => {
    assert.equal(scaledToBytesOrThrow("10", "G"), 10 * GiB);
    assert.equal(scaledToBytesOrThrow("5368709120", "bytes"), 5 * GiB);
    assert.equal(scaledToBytesOrThrow("294912", undefined), 294912);
    assert.equal(scaledToBytesOrThrow("1048576", undefined, "KiB"), GiB);
    assert.equal(scaledToBytes("1.5", "G").ok, false);
    assert.equal(scaledToBytes("1", "furlong").ok, false);
    assert.throws(() => scaledToBytesOrThrow("x", "b"), /not a whole number/);
});

test("bytes are shown in the largest exact binary unit", () => {
    assert.equal(formatBytes(10 * GiB), "10GiB");
    assert.equal(formatBytes(1536 * MiB), "1536MiB");
    assert.equal(formatBytes(4097), "4097b");
    assert.equal(formatBytes(0), "0b");
    assert.equal(bytesInUnit(2 * GiB, "M"), 2048);
    assert.equal(bytesInUnit(1000, "KiB"), undefined);
});
