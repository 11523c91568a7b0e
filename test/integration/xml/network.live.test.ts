/**
 * Networks against the real libvirtd: a table of models covering every forward mode, bridge and
 * DNS setting, IPv4 and IPv6 with DHCP, is written with our writer (validated against the RelaxNG
 * schema), defined, started where it can be, and read back as inactive and live XML through our
 * client and through `virsh net-dumpxml`; the reader must return exactly the model written.
 * Private subnets only (10.254.110-114.0/24, fdac:7e57:a110:N::/64), no guests, no traffic.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { leaseUnits } from "../../../provider/model/dhcp-host";
import { forwardModes, type Network, type NetworkInput, networkSchema } from "../../../provider/model/network";
import { connect, type LibvirtClient } from "../../../provider/rpc";
import { VirNetworkXMLFlags } from "../../../provider/rpc/generated";
import { mergeNetwork, networkFromXml, networkToXml } from "../../../provider/xml/network";
import { loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { assertSubnetsUnrouted, assertValidXml, assertZeroDrift, linkIndex, PREFIX, plain } from "./live-helpers";

const NET = `${PREFIX}net-`;
/** A host bridge for forward mode bridge, which uses an existing bridge rather than creating one. */
const HOST_BRIDGE = "pltxlhost0";
const SUBNETS = [110, 111, 112, 113, 114].map((octet) => `10.254.${octet}.0/24`).concat("fdac:7e57:a110::/48");

interface Case {
    label: string;
    /** Start the network and compare the live XML too. */
    start: boolean;
    input: NetworkInput;
}

const v6 = (n: number, host: string) => `fdac:7e57:a110:${n}::${host}`;

const cases: Case[] = [
    {
        label: "nat with address and port range, every DNS record, IPv4 and IPv6 DHCP, autostart",
        start: true,
        input: {
            name: `${NET}nat`,
            uuid: "3a4f4b1c-0e1d-4c7a-9a51-6c0d6b1e0a01",
            ipv6: true,
            // The masquerading address is the network's own (on this machine); no guest sends traffic anyway.
            forward: {
                mode: "nat",
                nat: {
                    addresses: { start: "10.254.110.1", end: "10.254.110.1" },
                    ports: { start: 20000, end: 29999 },
                    ipv6: true,
                },
            },
            bridge: { name: "pltxl0", stp: false, delay: 0 },
            mac: "52:54:00:7e:57:01",
            mtu: 9000,
            domain: { name: "xl0.pltest.internal", localOnly: true },
            dns: {
                enable: true,
                forwardPlainNames: false,
                forwarders: [{ address: "127.0.0.1" }, { domain: "corp.pltest.internal", address: "::1" }],
                hosts: [
                    { ip: "10.254.110.10", hostnames: ["web", "www"] },
                    { ip: v6(0, "10"), hostnames: ["web6"] },
                ],
                srvs: [
                    {
                        service: "ldap",
                        protocol: "tcp",
                        domain: "xl0.pltest.internal",
                        target: "dc.xl0.pltest.internal",
                        port: 389,
                        priority: 10,
                        weight: 5,
                    },
                    { service: "sip", protocol: "udp" },
                ],
                txts: [
                    { name: "info", value: "lab network, with 'quotes' & <markup>" },
                    { name: "empty", value: "v=1" },
                ],
            },
            ips: [
                {
                    address: "10.254.110.1",
                    prefix: 24,
                    localPtr: true,
                    dhcp: {
                        ranges: [
                            { start: "10.254.110.100", end: "10.254.110.149", lease: { expiry: 2, unit: "hours" } },
                            { start: "10.254.110.150", end: "10.254.110.199" },
                        ],
                        hosts: [
                            {
                                mac: "52:54:00:7E:57:10",
                                name: "web",
                                ip: "10.254.110.10",
                                lease: { expiry: 30, unit: "minutes" },
                            },
                            { name: "named-only", ip: "10.254.110.11", lease: { expiry: 0 } },
                            { mac: "52:54:00:7e:57:12", ip: "10.254.110.12" },
                        ],
                    },
                },
                {
                    address: v6(0, "1"),
                    prefix: 64,
                    dhcp: {
                        ranges: [{ start: v6(0, "100"), end: v6(0, "1ff"), lease: { expiry: 3600, unit: "seconds" } }],
                        hosts: [{ id: "0:3:0:1:52:54:0:7e:57:20", name: "v6host", ip: v6(0, "20") }],
                    },
                },
            ],
            autostart: true,
        },
    },
    {
        label: "nat with defaults left to libvirt (generated UUID, MAC, STP)",
        start: true,
        input: {
            name: `${NET}natmin`,
            forward: { mode: "nat" },
            bridge: { name: "pltxl1" },
            ips: [{ address: "10.254.111.1", prefix: 24 }],
            autostart: false,
        },
    },
    {
        label: "route through a dev, with IPv4 and IPv6, DNS disabled",
        start: true,
        input: {
            name: `${NET}route`,
            ipv6: false,
            forward: { mode: "route", dev: HOST_BRIDGE },
            bridge: { name: "pltxl2", stp: true, delay: 3 },
            mtu: 1400,
            dns: { enable: false },
            ips: [
                {
                    address: "10.254.112.1",
                    prefix: 25,
                    dhcp: { ranges: [{ start: "10.254.112.10", end: "10.254.112.20" }] },
                },
                { address: v6(2, "1"), prefix: 64 },
            ],
        },
    },
    {
        label: "open with a domain and forwarders for domains only",
        start: true,
        input: {
            name: `${NET}open`,
            forward: { mode: "open" },
            bridge: { name: "pltxl3", stp: true, delay: 0, macTableManager: "kernel" },
            domain: { name: "open.pltest.internal", localOnly: false },
            dns: {
                forwardPlainNames: true,
                forwarders: [
                    { domain: "local.pltest.internal" },
                    { domain: "up.pltest.internal", address: "127.0.0.1" },
                ],
            },
            ips: [
                {
                    address: "10.254.113.1",
                    prefix: 24,
                    localPtr: false,
                    dhcp: { hosts: [{ mac: "52:54:00:7e:57:30", name: "only-host", ip: "10.254.113.30" }] },
                },
            ],
        },
    },
    {
        label: "isolated (no <forward>) with guest IPv6, STP delay, IPv6-only DHCP",
        start: true,
        input: {
            name: `${NET}isolated`,
            uuid: "3a4f4b1c-0e1d-4c7a-9a51-6c0d6b1e0a05",
            ipv6: true,
            forward: { mode: "isolated" },
            bridge: { name: "pltxl4", stp: true, delay: 2 },
            mac: "52:54:00:7E:57:04",
            dns: {
                hosts: [
                    { ip: "10.254.114.5", hostnames: ["a", "b.isolated.pltest.internal"] },
                    // Written the long way; the model and libvirt both spell it fdac:7e57:a110:4::6.
                    { ip: "FDAC:7E57:A110:0004:0:0:0:6", hostnames: ["six"] },
                ],
            },
            ips: [
                { address: "10.254.114.1", prefix: 24 },
                {
                    address: v6(4, "1"),
                    prefix: 64,
                    dhcp: {
                        ranges: [{ start: v6(4, "1000"), end: v6(4, "1fff"), lease: { expiry: 1, unit: "hours" } }],
                        hosts: [{ name: "by-name", ip: v6(4, "50") }],
                    },
                },
            ],
            autostart: true,
        },
    },
    {
        label: "isolated without any address, markup in its name",
        start: true,
        input: { name: `${NET}bare<&'">]]>`, bridge: { name: "pltxl5", stp: false, delay: 0 } },
    },
    {
        // Starting it needs bridge vlan_filtering (refused by this kernel) and firewalld for the zone.
        label: "bridge managed by libvirt's MAC table, in a firewalld zone (defined only)",
        start: false,
        input: {
            name: `${NET}mactable`,
            bridge: { name: "pltxl6", stp: false, delay: 0, macTableManager: "libvirt", zone: "trusted" },
            ips: [{ address: "10.254.112.129", prefix: 25 }],
        },
    },
    {
        label: "bridge mode on an existing host bridge",
        start: true,
        input: { name: `${NET}bridge`, forward: { mode: "bridge" }, bridge: { name: HOST_BRIDGE } },
    },
    {
        label: "macvtap private mode through a forward interface (kept in extra; defined only)",
        start: false,
        input: {
            name: `${NET}private`,
            forward: {
                mode: "private",
                extra: { elements: [{ name: "interface", attributes: { dev: "pltxlnone0" } }] },
            },
        },
    },
    {
        label: "macvtap vepa mode with dev (defined only)",
        start: false,
        input: {
            name: `${NET}vepa`,
            forward: {
                mode: "vepa",
                dev: "pltxlnone0",
                extra: {
                    elements: [
                        { name: "interface", attributes: { dev: "pltxlnone0" } },
                        { name: "interface", attributes: { dev: "pltxlnone1" } },
                    ],
                },
            },
        },
    },
    {
        label: "passthrough mode (defined only)",
        start: false,
        input: {
            name: `${NET}passthrough`,
            forward: {
                mode: "passthrough",
                extra: { elements: [{ name: "interface", attributes: { dev: "pltxlnone2" } }] },
            },
        },
    },
    {
        label: "hostdev mode with a PF (defined only)",
        start: false,
        input: {
            name: `${NET}hostdev`,
            forward: {
                mode: "hostdev",
                extra: {
                    attributes: { managed: "yes" },
                    elements: [{ name: "pf", attributes: { dev: "pltxlnone3" } }],
                },
            },
        },
    },
];

test("the table uses every forward mode (and isolated), lease unit and MAC table manager", () => {
    const inputs = cases.map((c) => c.input);
    const modes = new Set<string>(inputs.map((input) => input.forward?.mode ?? "isolated"));
    assert.deepEqual(
        [...forwardModes, "isolated"].filter((mode) => !modes.has(mode)),
        [],
    );
    const leases = inputs.flatMap((input) =>
        (input.ips ?? []).flatMap((ip) => [...(ip.dhcp?.ranges ?? []), ...(ip.dhcp?.hosts ?? [])]),
    );
    const units = new Set(leases.map((entry) => entry.lease && (entry.lease.unit ?? "minutes")));
    assert.deepEqual(
        leaseUnits.filter((unit) => !units.has(unit)),
        [],
    );
    const managers = new Set(inputs.map((input) => input.bridge?.macTableManager));
    assert.ok(managers.has("kernel") && managers.has("libvirt"));
});

let client: LibvirtClient;

function ownLink(dev: string): boolean {
    return dev.startsWith("pltxl");
}

before(() => {
    removeTestObjects(NET);
    deleteHostBridge();
});

// The networks are independent (own names, bridges and subnets): they run side by side.
describe("networks: written, defined, started and read back without drift", { concurrency: true }, () => {
    before(async () => {
        assertSubnetsUnrouted(SUBNETS, ownLink);
        execFileSync("ip", ["link", "add", HOST_BRIDGE, "type", "bridge"]);
        client = await connect(loadTestHost().unixUri);
    });
    after(async () => {
        await client?.close();
        removeTestObjects(NET);
        deleteHostBridge();
    });

    for (const { label, start, input } of cases) {
        test(label, async () => {
            const model = networkSchema.parse(input);
            const xml = networkToXml(model);
            assertValidXml(xml, "network", label);
            const { net } = await client.networkDefineXml({ xml });
            if (model.autostart !== undefined) {
                await client.networkSetAutostart({ net, autostart: model.autostart ? 1 : 0 });
            }
            const read = async (flags: number): Promise<Network> => {
                const { xml: text } = await client.networkGetXmlDesc({ net, flags });
                const { autostart } = await client.networkGetAutostart({ net });
                const found = networkFromXml(text);
                // What our writer emits for the model read back must validate too.
                assertValidXml(networkToXml(found), "network", `${label} (rewritten)`);
                return { ...found, autostart: autostart !== 0 };
            };
            const withoutAutostart = ({ autostart: _autostart, ...rest }: Network) => plain(rest);
            const inactiveFlag = VirNetworkXMLFlags.VIR_NETWORK_XML_INACTIVE;

            const inactive = await read(inactiveFlag);
            assertZeroDrift("network", model, inactive, `${label} (inactive)`);
            const dumped = networkFromXml(virsh(["net-dumpxml", "--inactive", model.name]));
            assert.deepEqual(plain(dumped), withoutAutostart(inactive), `${label}: virsh net-dumpxml --inactive`);

            // Redefined from libvirt's document and the model (as an update does), nothing moves:
            // the generated UUID and MAC survive and the model still reads back without drift.
            const { xml: current } = await client.networkGetXmlDesc({ net, flags: inactiveFlag });
            const merged = mergeNetwork(current, model);
            assertValidXml(merged, "network", `${label} (merged)`);
            await client.networkDefineXml({ xml: merged });
            const redefined = await read(inactiveFlag);
            assertZeroDrift("network", model, redefined, `${label} (redefined)`);
            assert.deepEqual(redefined, inactive, `${label}: redefining changed the network`);
            if (!start) return;

            await client.networkCreate({ net });
            const live = await read(0);
            assertZeroDrift("network", model, live, `${label} (live)`);
            assert.deepEqual(
                plain(networkFromXml(virsh(["net-dumpxml", model.name]))),
                withoutAutostart(live),
                `${label}: virsh net-dumpxml (live)`,
            );
            assertZeroDrift("network", model, await read(inactiveFlag), `${label} (inactive, running)`);
            if (model.bridge?.name !== undefined) {
                assert.ok(linkIndex(model.bridge.name) !== undefined, `${label}: bridge ${model.bridge.name} exists`);
            }
        });
    }
});

function deleteHostBridge(): void {
    if (linkIndex(HOST_BRIDGE) !== undefined) execFileSync("ip", ["link", "del", HOST_BRIDGE]);
}
