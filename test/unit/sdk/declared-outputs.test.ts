/**
 * Every property an SDK class declares is an Output on an instance made with only the required
 * arguments. Pulumi creates Outputs only for keys present in the props a resource registers, so a
 * class that forgets a placeholder leaves that property `undefined`: `net.name` of an autonamed
 * Network was, and `new DhcpHost(..., { network: net.name })` then failed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_ROOT } from "../../helpers/shared-paths";

let sdk: typeof import("../../../sdk");

before(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: () => ({}),
        },
        "declared-outputs",
        "test",
        false,
    );
    sdk = require("../../../sdk");
});

const CLASSES = readFileSync(join(PROJECT_ROOT, "sdk", "generated", "resources.ts"), "utf8");

/** The names after `declare public readonly` in the class `kind` of sdk/generated/resources.ts. */
function declaredProperties(kind: string): string[] {
    const start = CLASSES.indexOf(`export class ${kind} `);
    assert.ok(start >= 0, `no class ${kind} in sdk/generated/resources.ts`);
    const end = CLASSES.indexOf("\n}\n", start);
    const body = CLASSES.slice(start, end);
    return [...body.matchAll(/declare public readonly (\w+):/g)].map((m) => m[1]!);
}

const minimal: Array<{ kind: string; make: () => pulumi.Resource }> = [
    { kind: "Domain", make: () => new sdk.Domain("d", { memory: 256 }) },
    { kind: "Network", make: () => new sdk.Network("n") },
    { kind: "StoragePool", make: () => new sdk.StoragePool("p", { target: { path: "/var/lib/x" } }) },
    { kind: "Volume", make: () => new sdk.Volume("v", { pool: "p", capacity: 1 }) },
    { kind: "DhcpHost", make: () => new sdk.DhcpHost("h", { network: "n", ip: "10.0.0.2" }) },
    { kind: "DnsHost", make: () => new sdk.DnsHost("r", { network: "n", ip: "10.0.0.2", hostnames: ["a"] }) },
    { kind: "CloudInit", make: () => new sdk.CloudInit("c", { pool: "p", userData: "#cloud-config\n" }) },
    { kind: "DomainSnapshot", make: () => new sdk.DomainSnapshot("s", { domain: "vm" }) },
];

for (const { kind, make } of minimal) {
    test(`every property the ${kind} class declares is an Output of an instance with only the required arguments`, () => {
        const declared = declaredProperties(kind);
        assert.ok(declared.length >= 5, `only ${declared.length} declarations found for ${kind}`);
        const instance = make() as unknown as Record<string, unknown>;
        const missing = declared.filter((name) => !pulumi.Output.isInstance(instance[name]));
        assert.deepEqual(missing, [], `${kind}: these declared outputs got no placeholder`);
    });
}

test("an autonamed Network's name can be passed to a DhcpHost", async () => {
    const net = new sdk.Network("lab");
    assert.ok(pulumi.Output.isInstance(net.name));
    const host = new sdk.DhcpHost("lease", { network: net.name, ip: "10.0.0.3" });
    assert.ok(pulumi.Output.isInstance(host.network));
});
