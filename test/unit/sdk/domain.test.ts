/**
 * The Domain class under Pulumi's mocks: its token, the inputs it sends (hidden namePrefix, no
 * output placeholders), outputs present, the console-password output marked secret, get and
 * isInstance.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { type MockRegistration, mockPulumi, outputValue as value } from "../../helpers/pulumi-mocks";

let registered: MockRegistration[] = [];
let sdk: typeof import("../../../sdk");

before(async () => {
    registered = await mockPulumi({
        computed: {
            uuid: "9a1e9c2e-7f42-4f2b-8a47-3b8f0e2f5d11",
            macAddresses: ["52:54:00:00:00:01"],
            ipAddresses: [["10.253.1.5"]],
            graphicsPasswords: ["pw"],
        },
        idOf: (args) => args.id ?? "9a1e9c2e-7f42-4f2b-8a47-3b8f0e2f5d11",
    });
    sdk = require("../../../sdk");
});

test("a Domain registers under the dynamic libvirt token with only its inputs, namePrefix and nameScope", async () => {
    let seenOptions: pulumi.CustomResourceOptions | undefined;
    const vm = new sdk.Domain(
        "vm",
        {
            type: "qemu",
            memory: 128,
            vcpu: pulumi.output(Promise.resolve(2)),
            devices: { graphics: [{ type: "vnc", password: pulumi.secret("pw") }] },
        },
        {
            // A transformation sees the options the class hands to Pulumi.
            transformations: [
                (args) => {
                    seenOptions = args.opts;
                    return undefined;
                },
            ],
        },
    );
    await value(vm.urn);
    const entry = registered.find((r) => r.name === "vm")!;
    assert.equal(entry.type, "pulumi-nodejs:dynamic/libvirt:Domain");
    const { __provider, ...inputs } = entry.inputs;
    assert.equal(typeof __provider, "string");
    assert.deepEqual(Object.keys(inputs).sort(), ["devices", "memory", "namePrefix", "nameScope", "type", "vcpu"]);
    assert.equal(inputs.nameScope, "project/stack", "the stack, which keeps two stacks' automatic names apart");
    assert.equal(inputs.namePrefix, "vm");
    assert.deepEqual(await value(vm.ipAddresses), [["10.253.1.5"]]);
    assert.deepEqual(await value(vm.macAddresses), ["52:54:00:00:00:01"]);
    assert.deepEqual(seenOptions?.additionalSecretOutputs, ["graphicsPasswords"], "console passwords are secret");
    for (const key of ["uuid", "state", "pendingRestart", "pendingChanges", "name", "title", "cpu"] as const) {
        assert.ok(pulumi.Output.isInstance(vm[key]), `${key} is not an Output`);
    }
    assert.ok(sdk.Domain.isInstance(vm));
    assert.equal(sdk.Domain.isInstance({ __pulumiType: "pulumi-nodejs:dynamic/libvirt:Network" }), false);
});

test("memory is required, one args object serves two domains, and get reads by id", async () => {
    assert.throws(() => new sdk.Domain("x", {} as never), /Missing required property 'memory'/);
    const args = { memory: 64 };
    await Promise.all([value(new sdk.Domain("a", args).urn), value(new sdk.Domain("b", args).urn)]);
    assert.equal("__provider" in args, false);
    const got = sdk.Domain.get("existing", "pltest-vm");
    await value(got.urn);
    assert.equal(registered.find((r) => r.name === "existing")!.id, "pltest-vm");
});
