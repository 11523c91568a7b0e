import assert from "node:assert/strict";
import { test } from "node:test";
import { validate } from "../../../provider/model/common";
import { type NetworkInput, networkSchema } from "../../../provider/model/network";

const natNetwork: NetworkInput = {
    name: "lab",
    forward: { mode: "nat", nat: { ports: { start: 1024, end: 65535 } } },
    bridge: { name: "virbr10", stp: true, delay: 0 },
    domain: { name: "lab.example", localOnly: true },
    ips: [
        {
            address: "192.168.100.1",
            prefix: 24,
            dhcp: {
                ranges: [{ start: "192.168.100.100", end: "192.168.100.200", lease: { expiry: 1, unit: "hours" } }],
                hosts: [
                    { mac: "52:54:00:00:00:01", name: "a", ip: "192.168.100.10" },
                    { mac: "52:54:00:00:00:02", name: "b", ip: "192.168.100.11" },
                    { mac: "52:54:00:00:00:03", name: "c", ip: "192.168.100.12" },
                ],
            },
        },
        {
            address: "FD00:0:0:1::1",
            prefix: 64,
            dhcp: { hosts: [{ id: "0:3:0:1:0:16:3e:11:22:33", ip: "fd00:0:0:1::20" }] },
        },
    ],
    dns: { hosts: [{ ip: "192.168.100.10", hostnames: ["a", "alias"] }], forwarders: [{ address: "1.1.1.1" }] },
};

function failuresOf(input: unknown) {
    const result = validate(networkSchema, input);
    assert.equal(result.ok, false, "expected a validation failure");
    return result.ok ? [] : result.failures;
}

function withHost(host: object, index = 2): NetworkInput {
    const copy = structuredClone(natNetwork);
    copy.ips![0]!.dhcp!.hosts![index] = host as never;
    return copy;
}

test("a complete NAT network validates and takes canonical forms", () => {
    const network = networkSchema.parse(natNetwork);
    assert.equal(network.ips![1]!.address, "fd00:0:0:1::1");
    assert.equal(network.ips![1]!.dhcp!.hosts![0]!.ip, "fd00:0:0:1::20");
    assert.equal(network.forward!.mode, "nat");
});

test("forward mode isolated means no <forward> at all", () => {
    const network = networkSchema.parse({ name: "iso", forward: { mode: "isolated" } });
    assert.equal(network.forward, undefined);
});

test("a DHCP host outside the subnet is refused at its full path", () => {
    const failures = failuresOf(withHost({ mac: "52:54:00:00:00:09", ip: "10.0.0.5" }));
    assert.deepEqual(
        failures.map((f) => f.property),
        ["ips[0].dhcp.hosts[2].ip"],
    );
    assert.match(failures[0]!.reason, /outside the subnet 192\.168\.100\.1\/24/);
});

test("a non-unicast MAC is refused at its full path", () => {
    const failures = failuresOf(withHost({ mac: "01:00:5e:00:00:01", ip: "192.168.100.13" }));
    assert.equal(failures[0]!.property, "ips[0].dhcp.hosts[2].mac");
    assert.match(failures[0]!.reason, /multicast/);
});

test("duplicate MACs, missing IPs and IPv6 hosts with MACs are refused", () => {
    assert.equal(
        failuresOf(withHost({ mac: "52:54:00:00:00:01", ip: "192.168.100.13" }))[0]!.property,
        "ips[0].dhcp.hosts[2].mac",
    );
    assert.equal(failuresOf(withHost({ mac: "52:54:00:00:00:07" }))[0]!.property, "ips[0].dhcp.hosts[2].ip");
    const v6 = structuredClone(natNetwork);
    v6.ips![1]!.dhcp!.hosts = [{ mac: "52:54:00:00:00:01", ip: "fd00:0:0:1::21" }];
    assert.equal(failuresOf(v6)[0]!.property, "ips[1].dhcp.hosts[0].mac");
});

test("a prefix too long for the family is refused", () => {
    const bad = structuredClone(natNetwork);
    bad.ips![0]!.prefix = 33;
    assert.equal(failuresOf(bad)[0]!.property, "ips[0].prefix");
    const negative = structuredClone(natNetwork);
    negative.ips![0]!.prefix = -1;
    assert.equal(failuresOf(negative)[0]!.property, "ips[0].prefix");
});

test("a DHCP range that starts after it ends, or leaves the subnet, is refused", () => {
    const reversed = structuredClone(natNetwork);
    reversed.ips![0]!.dhcp!.ranges = [{ start: "192.168.100.200", end: "192.168.100.100" }];
    const failure = failuresOf(reversed)[0]!;
    assert.equal(failure.property, "ips[0].dhcp.ranges[0].end");
    assert.match(failure.reason, /swap/);
    const outside = structuredClone(natNetwork);
    outside.ips![0]!.dhcp!.ranges = [{ start: "192.168.100.10", end: "192.168.101.10" }];
    assert.equal(failuresOf(outside)[0]!.property, "ips[0].dhcp.ranges[0].end");
});

test("other impossible values are refused with paths", () => {
    const cases: [NetworkInput, string][] = [
        [{ name: "a/b" }, "name"],
        [{ name: "n", bridge: { name: "this-name-is-too-long" } }, "bridge.name"],
        [{ name: "n", forward: { mode: "nat", nat: { ports: { start: 2000, end: 1000 } } } }, "forward.nat.ports.end"],
        [{ name: "n", forward: { mode: "route", nat: { ports: { start: 1, end: 2 } } } }, "forward.nat"],
        [{ name: "n", forward: { mode: "tunnel" as never } }, "forward.mode"],
        [{ name: "n", mtu: 20 }, "mtu"],
        [{ name: "n", ips: [{ address: "fd00::1" }] }, "ips[0].prefix"],
        [{ name: "n", dns: { hosts: [{ ip: "10.0.0.1", hostnames: [] }] } }, "dns.hosts[0].hostnames"],
        [{ name: "n", dns: { hosts: [{ ip: "10.0.0.1", hostnames: ["bad name"] }] } }, "dns.hosts[0].hostnames[0]"],
        [{ name: "n", unknownField: 1 } as never, ""],
        [
            {
                name: "n",
                ips: [
                    { address: "10.0.0.1", prefix: 24, dhcp: {} },
                    { address: "10.0.1.1", prefix: 24, dhcp: {} },
                ],
            },
            "ips[1].dhcp",
        ],
    ];
    for (const [input, path] of cases) {
        const failures = failuresOf(input);
        assert.ok(
            failures.some((f) => f.property === path),
            `${JSON.stringify(input)}: expected a failure at '${path}', got ${JSON.stringify(failures)}`,
        );
    }
});
