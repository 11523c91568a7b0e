import assert from "node:assert/strict";
import { test } from "node:test";
import { forwardModes, type NetworkInput, networkSchema } from "../../../provider/model/network";
import { classifyChanges } from "../../../provider/model/change-policy";
import { leaseUnits } from "../../../provider/model/dhcp-host";
import { mergeNetwork, networkFromXml, networkToXml } from "../../../provider/xml/network";
import { assertValidXml } from "./relaxng";

/** The model without properties set to undefined, which mean the same as absent ones. */
function withoutUndefined<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

/** Parses a model, writes it, validates the XML and reads it back; the result must be the parsed model. */
function assertRoundTrip(input: NetworkInput): string {
    const model = networkSchema.parse(input);
    const xml = networkToXml(model);
    assertValidXml(xml, "network", model.name);
    assert.deepEqual(networkFromXml(xml), withoutUndefined(model));
    return xml;
}

const fullNetwork: NetworkInput = {
    name: "lab",
    uuid: "81FF0D90-C91E-6742-64DA-4A736EDB9A9B",
    ipv6: true,
    forward: {
        mode: "nat",
        dev: "eth0",
        nat: {
            addresses: { start: "203.0.113.1", end: "203.0.113.9" },
            ports: { start: 1024, end: 65535 },
            ipv6: true,
        },
    },
    bridge: { name: "virbr10", stp: false, delay: 2, macTableManager: "libvirt", zone: "trusted" },
    mac: "52:54:00:0A:0B:0C",
    mtu: 9000,
    domain: { name: "lab.example", localOnly: true },
    dns: {
        enable: true,
        forwardPlainNames: false,
        forwarders: [
            { address: "192.0.2.53" },
            { domain: "corp.example", address: "192.0.2.54" },
            { domain: "local.example" },
        ],
        hosts: [{ ip: "192.168.100.10", hostnames: ["web", "www"] }],
        srvs: [
            {
                service: "ldap",
                protocol: "tcp",
                domain: "lab.example",
                target: "dc",
                port: 389,
                priority: 10,
                weight: 5,
            },
        ],
        txts: [{ name: "info", value: "lab network" }],
    },
    ips: [
        {
            address: "192.168.100.1",
            prefix: 24,
            localPtr: true,
            dhcp: {
                ranges: [{ start: "192.168.100.100", end: "192.168.100.200", lease: { expiry: 2, unit: "hours" } }],
                hosts: [
                    { mac: "52:54:00:00:00:01", name: "web", ip: "192.168.100.10", lease: { expiry: 0 } },
                    { name: "named-only", ip: "192.168.100.11" },
                ],
            },
        },
        {
            address: "fd00:1::1",
            prefix: 64,
            dhcp: {
                ranges: [{ start: "fd00:1::100", end: "fd00:1::1ff" }],
                hosts: [{ id: "0:3:0:1:0:16:3e:11:22:33", name: "v6", ip: "fd00:1::20" }],
            },
        },
    ],
};

test("a network with every modelled element round-trips and validates", () => {
    const xml = assertRoundTrip(fullNetwork);
    assert.match(xml, /<ip family="ipv6" address="fd00:1::1" prefix="64">/);
    assert.match(xml, /<bridge name="virbr10" zone="trusted" stp="off" delay="2" macTableManager="libvirt"\/>/);
});

test("every forward mode round-trips, and isolated writes no <forward>", () => {
    for (const mode of forwardModes) {
        const bridge = mode === "bridge" ? { bridge: { name: "br0" } } : {};
        const xml = assertRoundTrip({ name: `net-${mode}`, forward: { mode }, ...bridge });
        assert.match(xml, new RegExp(`mode="${mode}"`));
    }
    assert.doesNotMatch(
        assertRoundTrip({ name: "iso", forward: { mode: "isolated" }, ips: [{ address: "10.9.0.1", prefix: 24 }] }),
        /forward/,
    );
});

test("every enum and boolean value round-trips", () => {
    for (const unit of leaseUnits) {
        assertRoundTrip({
            name: "l",
            ips: [
                {
                    address: "10.0.0.1",
                    prefix: 24,
                    dhcp: { ranges: [{ start: "10.0.0.2", end: "10.0.0.9", lease: { expiry: 5, unit } }] },
                },
            ],
        });
    }
    for (const value of [true, false]) {
        assertRoundTrip({
            name: "b",
            ipv6: value,
            bridge: { stp: value },
            domain: { name: "d.example", localOnly: value },
            dns: { enable: value, forwardPlainNames: value },
            forward: { mode: "nat", nat: { ipv6: value } },
            ips: [{ address: "10.0.0.1", prefix: 8, localPtr: value }],
        });
    }
    for (const manager of ["kernel", "libvirt"] as const)
        assertRoundTrip({ name: "m", bridge: { macTableManager: manager } });
});

test("markup in names and values is escaped, never interpreted", () => {
    const name = `a<b>&c'd"e]]>f`;
    const xml = assertRoundTrip({ name, dns: { txts: [{ name: "t", value: `x"<y>&'z` }] } });
    assert.ok(xml.includes("<name>a&lt;b&gt;&amp;c'd\"e]]&gt;f</name>"), xml);
    assert.equal(networkFromXml(xml).name, name);
});

test("libvirt's spellings read back canonically: netmask, family, case, live counters", () => {
    const inactive = `<network>
  <name>default</name>
  <forward/>
  <mac address='52:54:00:AB:CD:EF'/>
  <ip family='ipv4' address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp><host mac='52:54:00:00:00:0A' ip='192.168.122.10'/></dhcp>
  </ip>
  <ip family='ipv6' address='FD00:0:0:0::1' prefix='64'/>
</network>`;
    const live = inactive.replace("<network>", "<network connections='3'>");
    const model = networkFromXml(inactive);
    assert.deepEqual(networkFromXml(live), model);
    assert.deepEqual(model, {
        name: "default",
        forward: { mode: "nat" },
        mac: "52:54:00:ab:cd:ef",
        ips: [
            {
                address: "192.168.122.1",
                prefix: 24,
                dhcp: { hosts: [{ mac: "52:54:00:00:00:0a", ip: "192.168.122.10" }] },
            },
            { address: "fd00::1", prefix: 64 },
        ],
    });
});

test("unmodelled elements and attributes are kept in order and written back", () => {
    const xml = `<network trustGuestRxFilters='yes'>
  <name>keep</name>
  <bridge name='virbr9' future='1'/>
  <portgroup name='engineering' default='yes'><bandwidth><inbound average='1000'/></bandwidth></portgroup>
  <ip address='10.1.0.1' prefix='16'><tftp root='/srv/tftp'/><dhcp><bootp file='pxelinux.0'/></dhcp></ip>
  <route address='10.2.0.0' prefix='16' gateway='10.1.0.2'/>
</network>`;
    const model = networkFromXml(xml);
    assert.deepEqual(model.extra?.attributes, { trustGuestRxFilters: "yes" });
    assert.deepEqual(
        model.extra?.elements?.map((element) => element.name),
        ["portgroup", "route"],
    );
    assert.deepEqual(model.bridge?.extra, { attributes: { future: "1" } });
    assert.equal(model.ips?.[0]?.extra?.elements?.[0]?.name, "tftp");
    assert.equal(model.ips?.[0]?.dhcp?.extra?.elements?.[0]?.name, "bootp");
    const written = networkToXml(model);
    assert.deepEqual(networkFromXml(written), model);
    assert.match(written, /<inbound average="1000"\/>/);
});

test("mergeNetwork keeps libvirt's UUID, bridge and unmodelled parts", () => {
    const current = `<network connections='2'>
  <name>lab</name>
  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
  <forward mode='nat'><nat><port start='1024' end='65535'/></nat></forward>
  <bridge name='virbr3' stp='on' delay='0'/>
  <mac address='52:54:00:01:02:03'/>
  <portgroup name='eng'/>
  <ip address='10.0.0.1' netmask='255.255.255.0'/>
</network>`;
    const xml = mergeNetwork(current, networkSchema.parse({ name: "lab", ips: [{ address: "10.0.0.1", prefix: 24 }] }));
    assertValidXml(xml, "network");
    const merged = networkFromXml(xml);
    assert.equal(merged.uuid, "81ff0d90-c91e-6742-64da-4a736edb9a9b");
    assert.equal(merged.bridge?.name, "virbr3");
    assert.equal(merged.forward, undefined, "the model asked for an isolated network");
    assert.deepEqual(merged.extra, { elements: [{ name: "portgroup", attributes: { name: "eng" } }] });
});

test("the default network as libvirt prints it, live or inactive, matches the model that created it", () => {
    const inactive = `<network>
  <name>default</name>
  <uuid>3e3fce45-4f53-4fa7-bb32-11f34168b82b</uuid>
  <forward mode='nat'>
    <nat>
      <port start='1024' end='65535'/>
    </nat>
  </forward>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:12:34:56'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>`;
    const live = inactive.replace("<network>", "<network connections='2'>");
    const desired = networkSchema.parse({
        name: "default",
        forward: { mode: "nat" },
        ips: [
            {
                address: "192.168.122.1",
                prefix: 24,
                dhcp: { ranges: [{ start: "192.168.122.2", end: "192.168.122.254" }] },
            },
        ],
    });
    assert.deepEqual(classifyChanges("network", networkFromXml(inactive), desired), []);
    assert.deepEqual(classifyChanges("network", networkFromXml(live), desired), []);
});

test("a redefine keeps what libvirt generated or the model does not cover, and nothing else", () => {
    const current = networkSchema.parse({
        name: "lab",
        uuid: "81ff0d90-c91e-6742-64da-4a736edb9a9b",
        forward: {
            mode: "nat",
            dev: "eth0",
            extra: { elements: [{ name: "interface", attributes: { dev: "eth0" } }] },
        },
        bridge: { name: "virbr3", stp: true, delay: 0 },
        mac: "52:54:00:01:02:03",
        ips: [
            { address: "10.0.0.1", prefix: 24, extra: { elements: [{ name: "tftp", attributes: { root: "/srv" } }] } },
        ],
        extra: { elements: [{ name: "portgroup", attributes: { name: "eng" } }] },
    });
    const desired = networkSchema.parse({
        name: "lab",
        bridge: { stp: false },
        ips: [{ address: "10.0.0.1", prefix: 16 }],
    });
    const merged = networkFromXml(mergeNetwork(networkToXml(current), desired));
    assert.deepEqual(merged, {
        name: "lab",
        uuid: "81ff0d90-c91e-6742-64da-4a736edb9a9b",
        bridge: { name: "virbr3", stp: false, delay: 0 },
        mac: "52:54:00:01:02:03",
        ips: [
            { address: "10.0.0.1", prefix: 16, extra: { elements: [{ name: "tftp", attributes: { root: "/srv" } }] } },
        ],
        extra: { elements: [{ name: "portgroup", attributes: { name: "eng" } }] },
    });
    assert.deepEqual(classifyChanges("network", merged, desired), []);
});
