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

/** The names after `declare [public] readonly` in an SDK source file. */
function declaredProperties(file: string): string[] {
    const source = readFileSync(join(PROJECT_ROOT, "sdk", file), "utf8");
    return [...source.matchAll(/declare (?:public )?readonly (\w+):/g)].map((m) => m[1]!);
}

const minimal: Array<{ file: string; make: () => pulumi.Resource }> = [
    { file: "domain.ts", make: () => new sdk.Domain("d", { memory: 256 }) },
    { file: "network.ts", make: () => new sdk.Network("n") },
    { file: "storage-pool.ts", make: () => new sdk.StoragePool("p", { target: { path: "/var/lib/x" } }) },
    { file: "volume.ts", make: () => new sdk.Volume("v", { pool: "p", capacity: 1 }) },
    { file: "dhcp-host.ts", make: () => new sdk.DhcpHost("h", { network: "n", ip: "10.0.0.2" }) },
    { file: "dns-host.ts", make: () => new sdk.DnsHost("r", { network: "n", ip: "10.0.0.2", hostnames: ["a"] }) },
    { file: "cloud-init.ts", make: () => new sdk.CloudInit("c", { pool: "p", userData: "#cloud-config\n" }) },
    { file: "domain-snapshot.ts", make: () => new sdk.DomainSnapshot("s", { domain: "vm" }) },
];

for (const { file, make } of minimal) {
    test(`every property declared in sdk/${file} is an Output of an instance with only the required arguments`, () => {
        const declared = declaredProperties(file);
        assert.ok(declared.length >= 5, `only ${declared.length} declarations found in sdk/${file}`);
        const instance = make() as unknown as Record<string, unknown>;
        const missing = declared.filter((name) => !pulumi.Output.isInstance(instance[name]));
        assert.deepEqual(missing, [], `sdk/${file}: add these to the class's placeholders`);
    });
}

test("an autonamed Network's name can be passed to a DhcpHost", async () => {
    const net = new sdk.Network("lab");
    assert.ok(pulumi.Output.isInstance(net.name));
    const host = new sdk.DhcpHost("lease", { network: net.name, ip: "10.0.0.3" });
    assert.ok(pulumi.Output.isInstance(host.network));
});
