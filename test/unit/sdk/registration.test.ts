/**
 * The rules every generated class follows through sdk/registration.ts, checked on the kinds where
 * they differ: a `get` (an id in the options) needs no arguments, but a kind without `get`
 * (CloudInit) checks its required arguments whatever the options say; every required argument of
 * the generated `<Kind>Args` is checked, in its order; each class recognises only its own brand.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";

let sdk: typeof import("../../../sdk");

before(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: args.id ?? `${args.name}-id`, state: args.inputs }),
            call: () => ({}),
        },
        "registration",
        "test",
        false,
    );
    sdk = require("../../../sdk");
});

test("an id in the options skips the required arguments of a kind with get, not of one without", () => {
    assert.doesNotThrow(() => new sdk.DnsHost("byid", {} as never, { id: "net/10.0.0.9" }));
    assert.ok(sdk.DnsHost.isInstance(sdk.DnsHost.get("got", "net/10.0.0.9")));
    assert.equal("get" in sdk.CloudInit, false, "CloudInit has no get");
    assert.throws(
        () => new sdk.CloudInit("seed", {} as never, { id: "/var/lib/seed.iso" }),
        /Missing required property 'userData'/,
    );
});

test("every required argument is checked, the first missing one named", () => {
    assert.throws(
        () => new sdk.DnsHost("nonames", { network: "n", ip: "10.0.0.9" } as never),
        /Missing required property 'hostnames'/,
    );
    assert.throws(() => new sdk.DhcpHost("empty", {} as never), /Missing required property 'network'/);
    assert.doesNotThrow(() => new sdk.Network("bare"));
    assert.doesNotThrow(() => new sdk.StoragePool("bare"));
});

test("isInstance recognises its own kind only", () => {
    const net = new sdk.Network("brand");
    assert.ok(sdk.Network.isInstance(net));
    assert.equal(sdk.StoragePool.isInstance(net), false);
    assert.equal(sdk.Domain.isInstance({ __pulumiType: "pulumi-nodejs:dynamic/libvirt:Network" }), false);
    assert.equal(sdk.Network.isInstance(null), false);
    assert.equal(sdk.Network.isInstance("pulumi-nodejs:dynamic/libvirt:Network"), false);
});
