/**
 * The Network, DhcpHost and DnsHost classes under Pulumi's mocks: their type tokens, the inputs
 * they register (logical name as the hidden namePrefix, a Network's name output accepted as
 * `network`), computed outputs exposed, required properties checked early, and one args object
 * reusable for two resources.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { type MockRegistration, mockPulumi, outputValue } from "../../helpers/pulumi-mocks";

let registered: MockRegistration[] = [];
let sdk: typeof import("../../../sdk");

before(async () => {
    registered = await mockPulumi({
        computed: { uuid: "u-1", bridgeName: "virbr9", active: true },
        project: "network-classes",
        stack: "test",
    });
    sdk = require("../../../sdk");
});

test("Network registers under its token with the logical name as namePrefix and exposes computed outputs", async () => {
    const net = new sdk.Network("lab", { ips: [{ address: "10.253.1.1", prefix: 24 }], allowRestart: true });
    assert.equal(await outputValue(net.bridgeName), "virbr9");
    assert.equal(await outputValue(net.uuid), "u-1");
    const entry = registered.find((r) => r.name === "lab")!;
    assert.equal(entry.type, "pulumi-nodejs:dynamic/libvirt:Network");
    assert.equal(entry.inputs.namePrefix, "lab");
    assert.equal(entry.inputs.allowRestart, true);
    assert.equal("uuid" in entry.inputs, false, "placeholders are not sent as inputs");
    assert.ok(sdk.Network.isInstance(net));
    assert.equal(sdk.DhcpHost.isInstance(net), false);
});

test("DhcpHost takes a Network's name output and registers the reservation", async () => {
    const net = new sdk.Network("lab2", { name: "pltest-sdk-net", ips: [{ address: "10.253.2.1", prefix: 24 }] });
    const host = new sdk.DhcpHost("web", { network: net.name, mac: "52:54:00:00:00:01", ip: "10.253.2.10" });
    await outputValue(host.urn);
    const entry = registered.find((r) => r.name === "web")!;
    assert.equal(entry.type, "pulumi-nodejs:dynamic/libvirt:DhcpHost");
    assert.equal(entry.inputs.network, "pltest-sdk-net");
    assert.equal(entry.inputs.mac, "52:54:00:00:00:01");
    assert.ok(pulumi.Output.isInstance(host.networkUuid));
});

test("DhcpHost and DnsHost check required properties early", () => {
    assert.throws(() => new sdk.DhcpHost("x", { ip: "10.0.0.1" } as never), /Missing required property 'network'/);
    assert.throws(() => new sdk.DnsHost("y", { network: "n" } as never), /Missing required property 'ip'/);
});

test("one args object serves two resources (the SDK passes a fresh copy)", async () => {
    const args = { network: "pltest-sdk-net", ip: "10.253.2.20", hostnames: ["a.lab"] };
    const first = new sdk.DnsHost("rec1", args);
    const second = new sdk.DnsHost("rec2", args);
    await Promise.all([outputValue(first.urn), outputValue(second.urn)]);
    assert.equal("__provider" in args, false);
    assert.equal(registered.find((r) => r.name === "rec2")?.type, "pulumi-nodejs:dynamic/libvirt:DnsHost");
});

test("Network.get, DhcpHost.get and DnsHost.get read by id without a declaration", async () => {
    const net = sdk.Network.get("existing-net", "pltest-sdk-net");
    const host = sdk.DhcpHost.get("existing-host", "pltest-sdk-net/52:54:00:00:00:09");
    const record = sdk.DnsHost.get("existing-record", "pltest-sdk-net/10.253.2.30", { uri: "qemu:///system" });
    assert.equal(await outputValue(net.id), "pltest-sdk-net");
    assert.equal(await outputValue(host.id), "pltest-sdk-net/52:54:00:00:00:09");
    assert.equal(await outputValue(record.id), "pltest-sdk-net/10.253.2.30");
    for (const [name, type] of [
        ["existing-net", "Network"],
        ["existing-host", "DhcpHost"],
        ["existing-record", "DnsHost"],
    ]) {
        const entry = registered.find((r) => r.name === name)!;
        assert.equal(entry.type, `pulumi-nodejs:dynamic/libvirt:${type}`);
        assert.equal(typeof entry.inputs.__provider, "string", `${type}.get carries the provider for the host's Read`);
    }
    assert.equal(registered.find((r) => r.name === "existing-record")!.inputs.uri, "qemu:///system");
});
