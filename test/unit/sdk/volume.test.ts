/**
 * The Volume class under Pulumi's mocks: its token, the inputs it sends (hidden namePrefix, no
 * placeholders, nested Outputs resolved), every declared output present, get, and isInstance.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { type MockRegistration, mockPulumi, outputValue as value } from "../../helpers/pulumi-mocks";

let registered: MockRegistration[] = [];
let sdk: typeof import("../../../sdk");

before(async () => {
    registered = await mockPulumi({
        computed: { key: "/pool/v", path: "/pool/v", format: "qcow2", capacityBytes: 1048576 },
        idOf: (args) => args.id ?? "/pool/v",
    });
    sdk = require("../../../sdk");
});

test("a Volume registers under the dynamic libvirt token with the logical name as namePrefix", async () => {
    const base = pulumi.output(Promise.resolve("base.raw"));
    const volume = new sdk.Volume("disk", {
        pool: "images",
        capacity: "1GiB",
        target: { format: "qcow2" },
        backingStore: { volume: { name: base }, format: "raw" },
    });
    await value(volume.urn);
    const entry = registered.find((r) => r.name === "disk")!;
    assert.equal(entry.type, "pulumi-nodejs:dynamic/libvirt:Volume");
    const { __provider, ...inputs } = entry.inputs;
    assert.equal(typeof __provider, "string");
    assert.deepEqual(inputs, {
        namePrefix: "disk",
        nameScope: "project/stack",
        pool: "images",
        capacity: "1GiB",
        target: { format: "qcow2" },
        backingStore: { volume: { name: "base.raw" }, format: "raw" },
    });
    assert.equal(await value(volume.path), "/pool/v");
    assert.equal(await value(volume.capacityBytes), 1048576);
    for (const key of ["key", "format", "allocationBytes", "backingStorePath", "name", "sourceImage"] as const) {
        assert.ok(pulumi.Output.isInstance(volume[key]), `${key} is not an Output`);
    }
    assert.ok(sdk.Volume.isInstance(volume));
    assert.equal(sdk.Volume.isInstance({ __pulumiType: "pulumi-nodejs:dynamic/libvirt:Network" }), false);
});

test("a Volume's passphrase is a secret output, even when given as a plain string", async () => {
    let seenOptions: pulumi.CustomResourceOptions | undefined;
    const volume = new sdk.Volume(
        "locked",
        { pool: "images", capacity: 8, passphrase: "correct horse" },
        {
            transformations: [
                (args) => {
                    seenOptions = args.opts;
                    return undefined;
                },
            ],
        },
    );
    await value(volume.urn);
    assert.deepEqual(seenOptions?.additionalSecretOutputs, ["passphrase"]);
    assert.ok(pulumi.Output.isInstance(volume.encryptionSecret));
});

test("one args object can serve two volumes, and pool is required", async () => {
    const args = { pool: "images", capacity: 8 };
    const a = new sdk.Volume("a", args);
    const b = new sdk.Volume("b", args);
    await Promise.all([value(a.urn), value(b.urn)]);
    assert.equal("__provider" in args, false);
    assert.throws(() => new sdk.Volume("c", { capacity: 8 } as never), /Missing required property 'pool'/);
});

test("Volume.get reads by id without a declaration", async () => {
    const volume = sdk.Volume.get("existing", "/pool/v", { uri: "qemu:///system" });
    await value(volume.urn);
    const entry = registered.find((r) => r.name === "existing")!;
    assert.equal(entry.id, "/pool/v");
    assert.equal(entry.inputs.uri, "qemu:///system");
});
