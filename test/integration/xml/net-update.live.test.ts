/**
 * Network update against the real libvirtd: on a running network, DHCP hosts, DNS hosts and DHCP
 * ranges are added, modified and deleted with our fragment writers through NETWORK_UPDATE with the
 * live and config flags. After each step the live and the inactive XML (and `virsh net-dumpxml`)
 * read back as the expected model with nothing else changed, dnsmasq's files carry the change, and
 * the network was not restarted: its bridge keeps its interface index.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { classifyChanges } from "../../../provider/model/change-policy";
import { type DhcpHost, dhcpHostFitsNetwork, dhcpHostSchema } from "../../../provider/model/dhcp-host";
import { type DnsHost, dnsHostSchema } from "../../../provider/model/dns-host";
import { type DhcpRange, dhcpRangeSchema, type Network, networkSchema } from "../../../provider/model/network";
import { connect, type LibvirtClient, LibvirtError } from "../../../provider/rpc";
import {
    type RemoteNonnullNetwork,
    VirNetworkUpdateCommand,
    VirNetworkUpdateFlags,
    VirNetworkUpdateSection,
    VirNetworkXMLFlags,
} from "../../../provider/rpc/generated";
import { dhcpHostFromXml, dhcpHostToXml } from "../../../provider/xml/dhcp-host";
import { dnsHostFromXml, dnsHostToXml } from "../../../provider/xml/dns-host";
import { networkFromXml, networkToXml } from "../../../provider/xml/network";
import { dhcpRangeFromXml, dhcpRangeToXml } from "../../../provider/xml/network-records";
import { loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { assertSubnetsUnrouted, assertValidXml, assertZeroDrift, linkIndex, PREFIX, plain } from "./live-helpers";

const NAME = `${PREFIX}upd`;
const BRIDGE = "pltxlu0";
const V4 = "10.254.120";
const V6 = "fdac:7e57:a120::";
const { ADD_FIRST, ADD_LAST, MODIFY, DELETE } = {
    ADD_FIRST: VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST,
    ADD_LAST: VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
    MODIFY: VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_MODIFY,
    DELETE: VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_DELETE,
};
const LIVE_AND_CONFIG =
    VirNetworkUpdateFlags.VIR_NETWORK_UPDATE_AFFECT_LIVE | VirNetworkUpdateFlags.VIR_NETWORK_UPDATE_AFFECT_CONFIG;
/** Index of the IPv4 and the IPv6 `<ip>` of the network, the parent of DHCP hosts and ranges. */
const IPV4 = 0;
const IPV6 = 1;

/** The network the updates run on: isolated, IPv4 and IPv6 with DHCP, one DNS host. */
const initial: Network = networkSchema.parse({
    name: NAME,
    bridge: { name: BRIDGE, stp: true, delay: 0 },
    domain: { name: "upd.pltest.internal" },
    dns: { hosts: [{ ip: `${V4}.5`, hostnames: ["base"] }], txts: [{ name: "keep", value: "untouched" }] },
    ips: [
        {
            address: `${V4}.1`,
            prefix: 24,
            dhcp: {
                ranges: [{ start: `${V4}.100`, end: `${V4}.149` }],
                hosts: [{ mac: "52:54:00:7e:57:a0", name: "base", ip: `${V4}.10` }],
            },
        },
        { address: `${V6}1`, prefix: 64, dhcp: { ranges: [{ start: `${V6}100`, end: `${V6}1ff` }] } },
    ],
});

let client: LibvirtClient;
let net: RemoteNonnullNetwork;
let bridgeIndex: number | undefined;
/** What the network should read back as after the steps so far. */
let expected: Network = structuredClone(initial);

/** Validates a fragment against the network schema by placing it where it belongs in a small document. */
function assertValidFragment(fragment: string, within: "dhcp4" | "dhcp6" | "dns", label: string): void {
    const body = fragment.replace(/^<\?xml[^>]*>\s*/, "");
    const inner = {
        dhcp4: `<ip address="${V4}.1" prefix="24"><dhcp>${body}</dhcp></ip>`,
        dhcp6: `<ip family="ipv6" address="${V6}1" prefix="64"><dhcp>${body}</dhcp></ip>`,
        dns: `<dns>${body}</dns>`,
    }[within];
    assertValidXml(`<network><name>fragment</name>${inner}</network>`, "network", `${label} (fragment)`);
}

async function update(section: VirNetworkUpdateSection, command: number, parentIndex: number, xml: string) {
    await client.networkUpdate({ net, command, section, parentIndex, xml, flags: LIVE_AND_CONFIG });
}

function dnsmasqFile(suffix: "hostsfile" | "addnhosts" | "conf"): string {
    try {
        return readFileSync(`/var/lib/libvirt/dnsmasq/${NAME}.${suffix}`, "utf8");
    } catch {
        return "";
    }
}

/** The network reads back, live, inactive and through virsh, as `expected`, and was not restarted. */
async function assertNetworkIs(label: string): Promise<Network> {
    assertValidXml(networkToXml(expected), "network", `${label} (expected)`);
    const live = networkFromXml((await client.networkGetXmlDesc({ net, flags: 0 })).xml);
    const inactive = networkFromXml(
        (await client.networkGetXmlDesc({ net, flags: VirNetworkXMLFlags.VIR_NETWORK_XML_INACTIVE })).xml,
    );
    assertZeroDrift("network", expected, live, `${label} (live)`);
    assertZeroDrift("network", expected, inactive, `${label} (inactive)`);
    assert.deepEqual(plain(inactive), plain(live), `${label}: live and persistent definitions differ`);
    assert.deepEqual(plain(networkFromXml(virsh(["net-dumpxml", NAME]))), plain(live), `${label}: virsh net-dumpxml`);
    assert.equal((await client.networkIsActive({ net })).active, 1, `${label}: the network is running`);
    assert.equal(linkIndex(BRIDGE), bridgeIndex, `${label}: the bridge was recreated (network restarted)`);
    const pid = Number(readFileSync(`/run/libvirt/network/${NAME}.pid`, "utf8").trim());
    assert.doesNotThrow(() => process.kill(pid, 0), `${label}: dnsmasq (pid ${pid}) runs`);
    return live;
}

function hostsOf(network: Network, ip: number) {
    return network.ips?.[ip]?.dhcp?.hosts ?? [];
}

/** A DhcpHost or DnsHost resource as the entry it becomes in the network. */
function entryOf<T extends DhcpHost | DnsHost>({ network: _network, ...entry }: T): Omit<T, "network"> {
    return entry;
}

before(async () => {
    removeTestObjects(NAME);
    assertSubnetsUnrouted([`${V4}.0/24`, `${V6}/64`], (dev) => dev === BRIDGE);
    client = await connect(loadTestHost().unixUri);
});

after(async () => {
    await client?.close();
    removeTestObjects(NAME);
});

describe("network update on a running network, live and persistent", () => {
    before(async () => {
        const xml = networkToXml(initial);
        assertValidXml(xml, "network", "initial");
        ({ net } = await client.networkDefineXml({ xml }));
        await client.networkCreate({ net });
        bridgeIndex = linkIndex(BRIDGE);
        assert.ok(bridgeIndex !== undefined, `bridge ${BRIDGE} exists`);
        await assertNetworkIs("initial");
    });

    const v4Host = dhcpHostSchema.parse({ network: NAME, mac: "52:54:00:7E:57:A1", name: "added", ip: `${V4}.20` });
    const v4Moved = dhcpHostSchema.parse({
        network: NAME,
        mac: "52:54:00:7e:57:a1",
        name: "moved",
        ip: `${V4}.21`,
        lease: { expiry: 2, unit: "hours" },
    });
    const v6Host = dhcpHostSchema.parse({ network: NAME, id: "0:3:0:1:52:54:0:7e:57:a2", name: "six", ip: `${V6}20` });

    test("ip-dhcp-host: add an IPv4 host last and an IPv6 host first", async () => {
        for (const [host, parent, within] of [
            [v4Host, IPV4, "dhcp4"],
            [v6Host, IPV6, "dhcp6"],
        ] as const) {
            assert.deepEqual(dhcpHostFitsNetwork(host, expected.ips ?? []), []);
            const fragment = dhcpHostToXml(host);
            assertValidFragment(fragment, within, `host ${host.ip}`);
            assert.deepEqual(dhcpHostFromXml(fragment), entryOf(host));
            await update(
                VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_HOST,
                parent === IPV4 ? ADD_LAST : ADD_FIRST,
                parent,
                fragment,
            );
        }
        expected.ips![IPV4]!.dhcp!.hosts!.push(entryOf(v4Host));
        expected.ips![IPV6]!.dhcp!.hosts = [entryOf(v6Host)];
        const live = await assertNetworkIs("hosts added");
        // The DhcpHost resources read back as themselves: no change for the classifier.
        for (const [host, parent] of [
            [v4Host, IPV4],
            [v6Host, IPV6],
        ] as const) {
            const found = hostsOf(live, parent).find((entry) => entry.ip === host.ip);
            assert.deepEqual(found, entryOf(host));
            assert.deepEqual(classifyChanges("dhcpHost", { ...found, network: NAME }, host), []);
        }
        assert.match(dnsmasqFile("hostsfile"), /52:54:00:7e:57:a1,10\.254\.120\.20,added/);
        assert.match(dnsmasqFile("hostsfile"), /id:0:3:0:1:52:54:0:7e:57:a2,six,\[fdac:7e57:a120::20\]/);
    });

    test("ip-dhcp-host: modify a host's address, name and lease (matched by MAC)", async () => {
        const fragment = dhcpHostToXml(v4Moved);
        assertValidFragment(fragment, "dhcp4", "moved host");
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_HOST, MODIFY, IPV4, fragment);
        expected.ips![IPV4]!.dhcp!.hosts![1] = entryOf(v4Moved);
        const live = await assertNetworkIs("host modified");
        assert.deepEqual(
            hostsOf(live, IPV4).find((entry) => entry.mac === v4Moved.mac),
            entryOf(v4Moved),
        );
        assert.match(dnsmasqFile("hostsfile"), /52:54:00:7e:57:a1,10\.254\.120\.21,moved,2h/);
        assert.doesNotMatch(dnsmasqFile("hostsfile"), /10\.254\.120\.20,/);
    });

    test("ip-dhcp-host: delete the IPv4 and the IPv6 host", async () => {
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_HOST, DELETE, IPV4, dhcpHostToXml(v4Moved));
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_HOST, DELETE, IPV6, dhcpHostToXml(v6Host));
        expected.ips![IPV4]!.dhcp!.hosts!.pop();
        delete expected.ips![IPV6]!.dhcp!.hosts;
        await assertNetworkIs("hosts deleted");
        assert.doesNotMatch(dnsmasqFile("hostsfile"), /moved|six/);
        assert.match(dnsmasqFile("hostsfile"), /52:54:00:7e:57:a0,10\.254\.120\.10,base/);
    });

    const dnsWeb = dnsHostSchema.parse({
        network: NAME,
        ip: `${V4}.30`,
        hostnames: ["web", "www.upd.pltest.internal"],
    });
    const dnsSix = dnsHostSchema.parse({ network: NAME, ip: `${V6}30`, hostnames: ["web6"] });
    const dnsWebRenamed = dnsHostSchema.parse({ network: NAME, ip: `${V4}.30`, hostnames: ["portal"] });

    test("dns-host: add records last and first", async () => {
        for (const [host, command] of [
            [dnsWeb, ADD_LAST],
            [dnsSix, ADD_FIRST],
        ] as const) {
            const fragment = dnsHostToXml(host);
            assertValidFragment(fragment, "dns", `dns ${host.ip}`);
            assert.deepEqual(dnsHostFromXml(fragment), entryOf(host));
            await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_HOST, command, -1, fragment);
        }
        expected.dns!.hosts = [entryOf(dnsSix), ...expected.dns!.hosts!, entryOf(dnsWeb)];
        const live = await assertNetworkIs("dns hosts added");
        const found = live.dns?.hosts?.find((entry) => entry.ip === dnsWeb.ip);
        assert.deepEqual(classifyChanges("dnsHost", { ...found, network: NAME }, dnsWeb), []);
        assert.match(dnsmasqFile("addnhosts"), /10\.254\.120\.30\tweb\twww\.upd\.pltest\.internal/);
        assert.match(dnsmasqFile("addnhosts"), /fdac:7e57:a120::30\tweb6/);
    });

    test("dns-host: libvirt refuses modify; delete then add changes the names", async () => {
        const refused = await update(
            VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_HOST,
            MODIFY,
            -1,
            dnsHostToXml(dnsWebRenamed),
        ).catch((error: unknown) => error);
        assert.ok(LibvirtError.isInstance(refused) && refused.isUnsupported(), String(refused));
        await assertNetworkIs("dns host modify refused");
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_HOST, DELETE, -1, dnsHostToXml(dnsWeb));
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_HOST, ADD_LAST, -1, dnsHostToXml(dnsWebRenamed));
        expected.dns!.hosts![2] = entryOf(dnsWebRenamed);
        await assertNetworkIs("dns host replaced");
        assert.match(dnsmasqFile("addnhosts"), /10\.254\.120\.30\tportal/);
        assert.doesNotMatch(dnsmasqFile("addnhosts"), /\tweb\t/);
    });

    test("dns-host: delete records", async () => {
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_HOST, DELETE, -1, dnsHostToXml(dnsWebRenamed));
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_HOST, DELETE, -1, dnsHostToXml(dnsSix));
        expected.dns!.hosts = structuredClone(initial.dns!.hosts);
        await assertNetworkIs("dns hosts deleted");
        assert.doesNotMatch(dnsmasqFile("addnhosts"), /portal|web6/);
    });

    const v4Range: DhcpRange = dhcpRangeSchema.parse({
        start: `${V4}.150`,
        end: `${V4}.199`,
        lease: { expiry: 90, unit: "minutes" },
    });

    // One range only: every range update restarts dnsmasq, which takes libvirt about two seconds.
    test("ip-dhcp-range: add a range first", async () => {
        const fragment = dhcpRangeToXml(v4Range);
        assertValidFragment(fragment, "dhcp4", `range ${v4Range.start}`);
        assert.deepEqual(dhcpRangeFromXml(fragment), plain(v4Range));
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_RANGE, ADD_FIRST, IPV4, fragment);
        expected.ips![IPV4]!.dhcp!.ranges!.unshift(v4Range);
        await assertNetworkIs("range added");
        assert.match(dnsmasqFile("conf"), /dhcp-range=10\.254\.120\.150,10\.254\.120\.199,255\.255\.255\.0,90m/);
    });

    test("ip-dhcp-range: libvirt refuses modify; delete removes the range", async () => {
        const refused = await update(
            VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_RANGE,
            MODIFY,
            IPV4,
            dhcpRangeToXml(v4Range),
        ).catch((error: unknown) => error);
        assert.ok(LibvirtError.isInstance(refused) && refused.isUnsupported(), String(refused));
        await update(VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_RANGE, DELETE, IPV4, dhcpRangeToXml(v4Range));
        expected = structuredClone(initial);
        await assertNetworkIs("range deleted, back to the initial network");
        assert.doesNotMatch(dnsmasqFile("conf"), /10\.254\.120\.150/);
    });
});
