/**
 * The SDK marks secret arguments itself: a console password and a LUKS passphrase passed as plain
 * strings reach the engine as secrets (the wire's secret wrapper), also when the structure holding
 * them is itself an Output; the parts around them stay readable; the outputs that echo them are in
 * additionalSecretOutputs. The paths come from the argument schemas (`secret()`), not from a list.
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

/** Inputs in wire form, as the engine receives them (the mocks' own view lifts nested secrets to the top). */
const registered = new Map<string, Record<string, unknown>>();
let sdk: typeof import("../../../sdk");
let secrets: typeof import("../../../sdk/secrets");

before(async () => {
    await mockPulumi();
    onWireRegistration((req) => registered.set(req.getName(), req.getObject()?.toJavaScript() ?? {}));
    sdk = require("../../../sdk");
    secrets = require("../../../sdk/secrets");
});

test("the secret argument paths come from the schemas", () => {
    assert.deepEqual(secrets.secretInputPaths.domain, ["devices.graphics[].password"]);
    assert.deepEqual(secrets.secretInputPaths.volume, ["passphrase"]);
    for (const kind of ["network", "storagePool", "dhcpHost", "dnsHost"] as const) {
        assert.deepEqual(secrets.secretInputPaths[kind], [], kind);
    }
    assert.deepEqual(secrets.secretOutputs("domain"), ["graphicsPasswords"]);
    assert.deepEqual(secrets.secretOutputs("volume"), ["passphrase"]);
    assert.deepEqual(secrets.secretOutputs("network"), []);
});

test("a plain console password is sent as a secret; the rest of devices stays readable", async () => {
    const vm = new sdk.Domain("plainpw", {
        memory: 64,
        devices: {
            graphics: [{ type: "vnc", password: "s3cret-vnc" }, { type: "spice" }],
            interfaces: [{ source: { network: "default" } }],
        },
    });
    await value(vm.urn);
    const devices = registered.get("plainpw")!.devices as any;
    assert.equal(isSecret(devices), false, "devices as a whole is not secret");
    assert.ok(isSecret(devices.graphics[0].password), "the password is");
    assert.equal(devices.graphics[0].password.value, "s3cret-vnc");
    assert.equal(devices.graphics[0].type, "vnc");
    assert.equal("password" in devices.graphics[1], false, "no password is invented");
    assert.deepEqual(devices.interfaces, [{ source: { network: "default" } }]);
});

test("a password inside Outputs and Promises is marked once they resolve", async () => {
    const vm = new sdk.Domain("outputpw", {
        memory: 64,
        devices: pulumi.output({ graphics: Promise.resolve([{ type: "vnc" as const, password: "late-pw" }]) }),
    });
    await value(vm.urn);
    const devices = registered.get("outputpw")!.devices as any;
    assert.equal(isSecret(devices), false);
    assert.ok(isSecret(devices.graphics[0].password));
    assert.equal(devices.graphics[0].password.value, "late-pw");
});

test("a plain passphrase is sent as a secret, and one already secret stays so", async () => {
    await value(new sdk.Volume("plainphrase", { pool: "p", capacity: 8, passphrase: "luks-phrase" }).urn);
    await value(new sdk.Volume("wrapped", { pool: "p", capacity: 8, passphrase: pulumi.secret("luks-2") }).urn);
    await value(new sdk.Volume("none", { pool: "p", capacity: 8 }).urn);
    const plain = registered.get("plainphrase")!;
    assert.ok(isSecret(plain.passphrase));
    assert.equal((plain.passphrase as any).value, "luks-phrase");
    assert.equal(isSecret(plain.pool), false);
    assert.ok(isSecret(registered.get("wrapped")!.passphrase));
    assert.equal("passphrase" in registered.get("none")!, false);
});
