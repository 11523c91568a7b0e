/**
 * Reading libvirt's block statistics of a domain into the images its disks use
 * (volume/domain-block-paths.ts): a record answers only when every image has a path; anything
 * less sends the in-use check to the domain's XML. The fields are those libvirt 9.0 reports
 * (`virsh domstats --block --backing` on this machine).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { blockImages } from "../../../provider/resources/volume/domain-block-paths";
import { type RemoteTypedParam, VirTypedParameterType } from "../../../provider/rpc/generated";

const count = (n: number): RemoteTypedParam => ({
    field: "block.count",
    value: { type: VirTypedParameterType.VIR_TYPED_PARAM_UINT, ui: n },
});
const text = (field: string, s: string): RemoteTypedParam => ({
    field,
    value: { type: VirTypedParameterType.VIR_TYPED_PARAM_STRING, s },
});
const number = (field: string, ul: bigint): RemoteTypedParam => ({
    field,
    value: { type: VirTypedParameterType.VIR_TYPED_PARAM_ULLONG, ul },
});

test("a disk and its backing image: both images, by target and path", () => {
    const params = [
        count(2),
        text("block.0.name", "vda"),
        text("block.0.path", "/pool/top.qcow2"),
        number("block.0.capacity", 1048576n),
        text("block.1.name", "vda"),
        text("block.1.path", "/pool/base.qcow2"),
    ];
    assert.deepEqual(blockImages(params), [
        { target: "vda", path: "/pool/top.qcow2" },
        { target: "vda", path: "/pool/base.qcow2" },
    ]);
});

test("a domain without disks has no images", () => {
    assert.deepEqual(blockImages([count(0)]), []);
});

test("an image without a path (a pool volume not yet resolved, a network disk, an empty CD-ROM): unknown", () => {
    const params = [
        count(2),
        text("block.0.name", "vda"),
        text("block.0.path", "/pool/a.img"),
        text("block.1.name", "sda"),
    ];
    assert.equal(blockImages(params), undefined);
});

test("a record without the block group, or with a count that is no unsigned int: unknown", () => {
    assert.equal(blockImages([]), undefined);
    assert.equal(
        blockImages([{ field: "block.count", value: { type: VirTypedParameterType.VIR_TYPED_PARAM_INT, i: 0 } }]),
        undefined,
    );
});

test("a count larger than the images listed: unknown", () => {
    assert.equal(blockImages([count(2), text("block.0.name", "vda"), text("block.0.path", "/pool/a.img")]), undefined);
});
