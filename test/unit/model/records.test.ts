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

test("a DhcpHost name and a DnsHost hostname are RFC 1123 host names, by one rule", () => {
    const dhcp = (name: string) =>
        validate(dhcpHostSchema, { network: "lab", mac: "52:54:00:00:00:01", ip: "10.0.0.5", name });
    const dns = (name: string) => validate(dnsHostSchema, { network: "lab", ip: "10.0.0.5", hostnames: [name] });
    for (const good of ["web1", "db.lab.example", "a-b", "x", "9lives", `${"a".repeat(63)}.b`]) {
        assert.ok(dhcp(good).ok, good);
        assert.ok(dns(good).ok, good);
    }
    // A comma or a newline would reach dnsmasq's hosts file as options of the reservation's line.
    for (const bad of [
        "a,ignore",
        ",set:x,infinite",
        "web\nx",
        "a b",
        "-web",
        "web-",
        "a..b",
        "a.",
        "a_b",
        "a<b",
        "a".repeat(64),
    ]) {
        const fromDhcp = dhcp(bad);
        const fromDns = dns(bad);
        assert.ok(!fromDhcp.ok && fromDhcp.failures.some((f) => f.property === "name"), `dhcp ${JSON.stringify(bad)}`);
        assert.ok(
            !fromDns.ok && fromDns.failures.some((f) => f.property === "hostnames[0]"),
            `dns ${JSON.stringify(bad)}`,
        );
        const reasons = [fromDhcp, fromDns].map((r) => (r.ok ? "" : r.failures[0]!.reason));
        assert.equal(reasons[0], reasons[1], "the same rule gives the same reason");
    }
    const comma = dhcp("a,ignore");
    assert.ok(!comma.ok && /not a host name: use letters, digits and '-'/.test(comma.failures[0]!.reason));
});
