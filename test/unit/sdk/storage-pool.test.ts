/**
 * The StoragePool class under Pulumi's mocks: its token, the inputs it sends (hidden namePrefix,
 * no placeholders, Outputs resolved), every declared output present, get, and isInstance.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { type MockRegistration, mockPulumi, outputValue as value } from "../../helpers/pulumi-mocks";

let registered: MockRegistration[] = [];
let sdk: typeof import("../../../sdk");

before(async () => {
    registered = await mockPulumi({
        computed: { uuid: "81ff0d90-c91e-6742-64da-4a736edb9a9b", uri: "qemu:///system" },
        idOf: (args) => args.id ?? "81ff0d90-c91e-6742-64da-4a736edb9a9b",
    });
    sdk = require("../../../sdk");
});

test("a StoragePool registers under the dynamic libvirt token with the logical name as namePrefix", async () => {
    const path = pulumi.output(Promise.resolve("/srv/images"));
    const pool = new sdk.StoragePool("images", { target: { path }, autostart: false });
    await value(pool.urn);
    const entry = registered.find((r) => r.name === "images")!;
    assert.equal(entry.type, "pulumi-nodejs:dynamic/libvirt:StoragePool");
    const { __provider, ...inputs } = entry.inputs;
    assert.equal(typeof __provider, "string");
    // Placeholders are not sent; nested Outputs arrive resolved.
    assert.deepEqual(inputs, {
        namePrefix: "images",
        nameScope: "project/stack",
        target: { path: "/srv/images" },
        autostart: false,
    });
    assert.equal(await value(pool.uuid), "81ff0d90-c91e-6742-64da-4a736edb9a9b");
    assert.equal(await value(pool.uri), "qemu:///system", "an output that is not an input still exists");
    assert.equal(await value(pool.autostart), false);
    for (const key of ["name", "type", "active", "capacityBytes", "built", "target"] as const) {
        assert.ok(pulumi.Output.isInstance(pool[key]), `${key} is not an Output`);
    }
    assert.ok(sdk.StoragePool.isInstance(pool));
    assert.equal(sdk.StoragePool.isInstance({ __pulumiType: "pulumi-nodejs:dynamic/libvirt:Network" }), false);
});

test("one args object can serve two pools (the class passes a fresh object)", async () => {
    const args = { target: { path: "/srv/a" } };
    const a = new sdk.StoragePool("twin-a", args);
    const b = new sdk.StoragePool("twin-b", args);
    await Promise.all([value(a.urn), value(b.urn)]);
    assert.equal(Object.hasOwn(args, "__provider"), false);
});

test("StoragePool.get reads an existing pool by id", async () => {
    const pool = sdk.StoragePool.get("existing", "default");
    await value(pool.urn);
    const entry = registered.find((r) => r.name === "existing")!;
    assert.equal(entry.id, "default");
    assert.equal(entry.inputs.namePrefix, "existing");
});
