/**
 * Volume decisions that need no daemon: what a capacity change means, which libvirt errors mean
 * "pool busy", and diff's answers (including preview's unknown values).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LibvirtError, VirErrorDomain, VirErrorNumber } from "../../../provider/rpc";
import { localRemoteError } from "../../../provider/rpc/errors";
import { UNKNOWN_VALUE } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { isPoolBusy } from "../../../provider/resources/volume/busy";
import { capacityAction } from "../../../provider/resources/volume/capacity";
import { diffVolume } from "../../../provider/resources/volume/diff";

const MIB = 1024 * 1024;
const lines: string[] = [];
let restore: () => void;
before(() => {
    restore = setLogSink((_level, line) => lines.push(line));
});
after(() => restore());

function libvirtError(code: VirErrorNumber, domain: VirErrorDomain, procedure: string): LibvirtError {
    return new LibvirtError(localRemoteError(code, domain, "m"), procedure);
}

test("capacity: grow, shrink only with opt-in, replace when lowered, keep an out-of-band growth", () => {
    assert.deepEqual(capacityAction(20, 10, 10, false), { kind: "grow", bytes: 20, actual: 10 });
    assert.deepEqual(capacityAction(5, 10, 10, true), { kind: "shrink", bytes: 5, actual: 10 });
    assert.deepEqual(capacityAction(5, 10, 10, false), { kind: "replace", bytes: 5, actual: 10 });
    assert.deepEqual(capacityAction(10, 10, 12, false), { kind: "keepLarger", bytes: 10, actual: 12 });
    assert.deepEqual(capacityAction(10, 10, 10, false), { kind: "none" });
    assert.deepEqual(capacityAction(undefined, 10, 12, false), { kind: "none" });
    assert.deepEqual(capacityAction(12, 10, undefined, false), { kind: "grow", bytes: 12, actual: 10 });
});

test("pool busy is classified by code, error domain and procedure, as libvirt 9.0 reports it", () => {
    const { VIR_ERR_INTERNAL_ERROR, VIR_ERR_OPERATION_INVALID, VIR_ERR_RESOURCE_BUSY, VIR_ERR_NO_STORAGE_VOL } =
        VirErrorNumber;
    const { VIR_FROM_STORAGE, VIR_FROM_QEMU } = VirErrorDomain;
    assert.ok(isPoolBusy(libvirtError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_STORAGE, "STORAGE_POOL_REFRESH")));
    assert.ok(isPoolBusy(libvirtError(VIR_ERR_OPERATION_INVALID, VIR_FROM_STORAGE, "STORAGE_VOL_DELETE")));
    assert.ok(isPoolBusy(libvirtError(VIR_ERR_OPERATION_INVALID, VIR_FROM_STORAGE, "STORAGE_VOL_RESIZE")));
    assert.ok(isPoolBusy(libvirtError(VIR_ERR_RESOURCE_BUSY, VIR_FROM_QEMU, "STORAGE_VOL_CREATE_XML")));
    // The same codes elsewhere are real failures.
    assert.ok(!isPoolBusy(libvirtError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_STORAGE, "STORAGE_VOL_CREATE_XML")));
    assert.ok(!isPoolBusy(libvirtError(VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, "STORAGE_VOL_DELETE")));
    assert.ok(!isPoolBusy(libvirtError(VIR_ERR_NO_STORAGE_VOL, VIR_FROM_STORAGE, "STORAGE_VOL_DELETE")));
    assert.ok(!isPoolBusy(new Error("pool is busy")));
});

const inputs = {
    uri: "qemu:///system",
    namePrefix: "disk",
    name: "disk-1a2b3c4",
    pool: "images",
    capacity: 10,
    target: { format: "qcow2" },
};
/** The recorded state: the inputs echoed, and what libvirt reported. */
const olds = {
    ...inputs,
    key: "/images/disk-1a2b3c4",
    path: "/images/disk-1a2b3c4",
    format: "qcow2",
    capacityBytes: 10 * MIB,
    allocationBytes: 200704,
};

test("diff: no change, live growth, replacement by format, pool or clone source", () => {
    assert.deepEqual(diffVolume(olds, inputs), { changes: false });
    assert.deepEqual(diffVolume(olds, { ...inputs, capacity: "20MiB" }), { changes: true });
    // An automatic name: the replacement gets a fresh one, so no delete-before-replace.
    assert.deepEqual(diffVolume(olds, { ...inputs, target: { format: "raw" } }), {
        changes: true,
        replaces: ["target"],
    });
    assert.deepEqual(diffVolume(olds, { ...inputs, pool: "other" }).replaces, ["pool"]);
    assert.deepEqual(diffVolume(olds, { ...inputs, cloneFrom: { name: "gold" } }).replaces, ["cloneFrom"]);
    assert.deepEqual(diffVolume(olds, { ...inputs, capacity: 5 }).replaces, ["capacity"]);
    assert.deepEqual(diffVolume(olds, { ...inputs, capacity: 5, allowShrink: true }), { changes: true });
    // wipeOnDelete must reach the outputs delete reads, so it is an update.
    assert.deepEqual(diffVolume(olds, { ...inputs, wipeOnDelete: true }), { changes: true });
    assert.deepEqual(diffVolume(olds, { ...inputs, adopt: true }), { changes: false });
});

test("diff: an explicit name deletes before replacing; output shows each change's class", () => {
    const named = { ...olds, name: "disk0", namePrefix: "disk" };
    lines.length = 0;
    const result = diffVolume(named, { ...inputs, name: "disk0", target: { format: "raw" } });
    assert.deepEqual(result, { changes: true, replaces: ["target"], deleteBeforeReplace: true });
    assert.ok(
        lines.some((line) => /replace\s+target\.format: "qcow2" -> "raw"/.test(line)),
        lines.join("\n"),
    );
});

test("diff: preview's unknown values are judged, not parsed", () => {
    const result = diffVolume(olds, { ...inputs, backingStore: { volume: { name: UNKNOWN_VALUE } } });
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, ["backingStore"]);
    assert.doesNotThrow(() => diffVolume(olds, { ...inputs, capacity: UNKNOWN_VALUE }));
});
