import assert from "node:assert/strict";
import { test } from "node:test";
import { validate } from "../../../provider/model/common";
import { dhcpHostFitsNetwork, dhcpHostSchema } from "../../../provider/model/dhcp-host";
import { dnsHostSchema } from "../../../provider/model/dns-host";

test("a DhcpHost validates and is checked against its network's subnets", () => {
    const host = dhcpHostSchema.parse({ network: "lab", mac: "52:54:00:AA:00:01", name: "web", ip: "192.168.100.10" });
    assert.equal(host.mac, "52:54:00:aa:00:01");
    const subnets = [
        { address: "192.168.100.1", prefix: 24 },
        { address: "fd00::1", prefix: 64 },
    ];
    assert.deepEqual(dhcpHostFitsNetwork(host, subnets), []);
    const outside = dhcpHostSchema.parse({ network: "lab", mac: "52:54:00:aa:00:01", ip: "10.1.1.1" });
    assert.match(dhcpHostFitsNetwork(outside, subnets)[0]!, /outside every subnet/);
    const v6 = dhcpHostSchema.parse({ network: "lab", id: "0:3:0:1:0:16:3e:11:22:33", ip: "fd00::20" });
    assert.deepEqual(dhcpHostFitsNetwork(v6, subnets), []);
});

test("DhcpHost mistakes are refused with paths", () => {
    const cases: [object, string][] = [
        [{ network: "lab", ip: "192.168.100.10" }, "mac"],
        [{ network: "lab", mac: "01:00:00:00:00:01", ip: "192.168.100.10" }, "mac"],
        [{ network: "lab", mac: "52:54:00:00:00:01" }, "ip"],
        [{ network: "lab", mac: "52:54:00:00:00:01", ip: "fd00::1" }, "mac"],
        [{ network: "a/b", mac: "52:54:00:00:00:01", ip: "10.0.0.1" }, "network"],
    ];
    for (const [input, path] of cases) {
        const result = validate(dhcpHostSchema, input);
        assert.ok(!result.ok && result.failures.some((f) => f.property === path), `${JSON.stringify(input)} → ${path}`);
    }
});

test("a DnsHost needs an address and at least one DNS name", () => {
    assert.deepEqual(dnsHostSchema.parse({ network: "lab", ip: "10.0.0.5", hostnames: ["db"] }).hostnames, ["db"]);
    for (const [input, path] of [
        [{ network: "lab", hostnames: ["db"] }, "ip"],
        [{ network: "lab", ip: "10.0.0.5", hostnames: [] }, "hostnames"],
        [{ network: "lab", ip: "10.0.0.5", hostnames: ["a<b"] }, "hostnames[0]"],
    ] as const) {
        const result = validate(dnsHostSchema, input);
        assert.ok(!result.ok && result.failures.some((f) => f.property === path), `${JSON.stringify(input)} → ${path}`);
    }
});
