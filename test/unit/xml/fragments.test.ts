import assert from "node:assert/strict";
import { test } from "node:test";
import { dhcpHostSchema } from "../../../provider/model/dhcp-host";
import { dnsHostSchema } from "../../../provider/model/dns-host";
import { networkSchema } from "../../../provider/model/network";
import { dhcpHostFromXml, dhcpHostToXml } from "../../../provider/xml/dhcp-host";
import { dnsHostFromXml, dnsHostToXml } from "../../../provider/xml/dns-host";
import { networkToXml } from "../../../provider/xml/network";
import {
    dhcpRangeFromXml,
    dhcpRangeToXml,
    dnsSrvFromXml,
    dnsSrvToXml,
    dnsTxtFromXml,
    dnsTxtToXml,
} from "../../../provider/xml/network-records";
import { assertValidXml } from "./relaxng";

test("ip-dhcp-host fragments carry the entry, not the resource's network", () => {
    const host = dhcpHostSchema.parse({
        network: "lab",
        mac: "52:54:00:00:00:01",
        name: "web",
        ip: "192.168.100.10",
        lease: { expiry: 30, unit: "minutes" },
    });
    const xml = dhcpHostToXml(host);
    assert.equal(
        xml,
        '<host mac="52:54:00:00:00:01" name="web" ip="192.168.100.10">\n  <lease expiry="30" unit="minutes"/>\n</host>',
    );
    const { network: _network, ...entry } = host;
    assert.deepEqual(dhcpHostFromXml(xml), entry);
    assert.deepEqual(dhcpHostFromXml(`<host id='0:3:0:1' ip='FD00::20'/>`), { id: "0:3:0:1", ip: "fd00::20" });
});

test("dns-host fragments", () => {
    const record = dnsHostSchema.parse({ network: "lab", ip: "10.0.0.5", hostnames: ["db", "db-primary"] });
    const xml = dnsHostToXml(record);
    assert.equal(xml, '<host ip="10.0.0.5">\n  <hostname>db</hostname>\n  <hostname>db-primary</hostname>\n</host>');
    assert.deepEqual(dnsHostFromXml(xml), { ip: "10.0.0.5", hostnames: ["db", "db-primary"] });
});

test("ip-dhcp-range, dns-txt and dns-srv fragments", () => {
    const range = { start: "10.0.0.10", end: "10.0.0.20", lease: { expiry: 1, unit: "hours" as const } };
    assert.deepEqual(dhcpRangeFromXml(dhcpRangeToXml(range)), range);
    const txt = { name: "t", value: "v <&>" };
    assert.deepEqual(dnsTxtFromXml(dnsTxtToXml(txt)), txt);
    const srv = { service: "sip", protocol: "udp", port: 5060 };
    assert.deepEqual(dnsSrvFromXml(dnsSrvToXml(srv)), srv);
    assert.throws(() => dhcpRangeFromXml("<host/>"), /expected a <range>/);
});

test("fragment elements are valid where network update puts them", () => {
    const host = dhcpHostSchema.parse({
        network: "lab",
        mac: "52:54:00:00:00:01",
        name: "web",
        ip: "10.0.0.10",
        lease: { expiry: 0 },
    });
    const record = dnsHostSchema.parse({ network: "lab", ip: "10.0.0.10", hostnames: ["web"] });
    const { network: _a, ...hostEntry } = host;
    const { network: _b, ...recordEntry } = record;
    const network = networkSchema.parse({
        name: "lab",
        dns: {
            hosts: [dnsHostFromXml(dnsHostToXml(recordEntry))],
            txts: [dnsTxtFromXml(dnsTxtToXml({ name: "t", value: "v" }))],
            srvs: [
                dnsSrvFromXml(
                    dnsSrvToXml({
                        service: "sip",
                        protocol: "udp",
                        domain: "lab.example",
                        target: "pbx",
                        port: 5060,
                        priority: 1,
                        weight: 1,
                    }),
                ),
            ],
        },
        ips: [
            {
                address: "10.0.0.1",
                prefix: 24,
                dhcp: {
                    ranges: [dhcpRangeFromXml(dhcpRangeToXml({ start: "10.0.0.100", end: "10.0.0.200" }))],
                    hosts: [dhcpHostFromXml(dhcpHostToXml(hostEntry))],
                },
            },
        ],
    });
    assertValidXml(networkToXml(network), "network");
});
