/**
 * The CloudInit class on the wire: userData and vendorData are sent as secrets even when given as
 * plain values, the rest stays readable, and the outputs that echo them (or derive from a value the
 * program may have marked secret: a given instance-id, a name prefix) are additionalSecretOutputs.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
    isWireSecret as isSecret,
    mockPulumi,
    onWireRegistration,
    outputValue as value,
} from "../../helpers/pulumi-mocks";

const registered = new Map<string, { inputs: Record<string, unknown>; secretOutputs: string[]; type: string }>();
let sdk: typeof import("../../../sdk");

before(async () => {
    await mockPulumi();
    onWireRegistration((req) => {
        registered.set(req.getName(), {
            inputs: req.getObject()?.toJavaScript() ?? {},
            secretOutputs: req.getAdditionalsecretoutputsList(),
            type: req.getType(),
        });
    });
    sdk = require("../../../sdk");
});

test("plain userData and vendorData are sent as secrets; pool, metaData and networkConfig stay readable", async () => {
    const seed = new sdk.CloudInit("plain", {
        pool: "images",
        userData: { users: [{ name: "lab" }] },
        vendorData: "#cloud-config\nruncmd: [[true]]\n",
        metaData: { "local-hostname": "vm-01" },
        networkConfig: { version: 2 },
    });
    await value(seed.urn);
    const { inputs, secretOutputs, type } = registered.get("plain")!;
    assert.equal(type, "pulumi-nodejs:dynamic/libvirt:CloudInit");
    assert.ok(isSecret(inputs.userData));
    assert.deepEqual((inputs.userData as any).value, { users: [{ name: "lab" }] });
    assert.ok(isSecret(inputs.vendorData));
    assert.equal(isSecret(inputs.metaData), false);
    assert.equal(isSecret(inputs.networkConfig), false);
    assert.equal(inputs.pool, "images");
    assert.equal(inputs.namePrefix, "plain");
    assert.deepEqual([...secretOutputs].sort(), ["userData", "vendorData"]);
    assert.ok(sdk.CloudInit.isInstance(seed));
});

test("an instance-id or a name given as an Output (perhaps secret) makes instanceId, path and key secret outputs", async () => {
    await value(
        new sdk.CloudInit("derived", {
            pool: "images",
            name: pulumi.output("seed"),
            userData: "#cloud-config\n",
            metaData: { "instance-id": pulumi.secret("iid-private") },
        }).urn,
    );
    assert.deepEqual(registered.get("derived")!.secretOutputs.sort(), [
        "instanceId",
        "key",
        "path",
        "userData",
        "vendorData",
    ]);
    await value(
        new sdk.CloudInit("wholeMeta", {
            pool: "images",
            userData: "#cloud-config\n",
            metaData: pulumi.output({ "local-hostname": "x" }),
        }).urn,
    );
    assert.ok(registered.get("wholeMeta")!.secretOutputs.includes("instanceId"), "an Output metaData may hold one");
    await value(
        new sdk.CloudInit("plainMeta", {
            pool: "images",
            userData: "#cloud-config\n",
            metaData: { "instance-id": "iid-1", "local-hostname": pulumi.output("x") },
        }).urn,
    );
    assert.deepEqual(registered.get("plainMeta")!.secretOutputs.sort(), ["userData", "vendorData"]);
});

test("pool and userData are required", () => {
    assert.throws(() => new sdk.CloudInit("nopool", { userData: "x" } as never), /Missing required property 'pool'/);
    assert.throws(() => new sdk.CloudInit("nouser", { pool: "p" } as never), /Missing required property 'userData'/);
});
