/**
 * The redefine of networks and pools writes the model onto libvirt's current document
 * (provider/xml/element-writer.ts): what the model does not cover is never touched, what the
 * policy table keeps when unset keeps libvirt's value, and a declared `extra` is written onto its
 * element. Some unmodelled attributes and elements here are made up: they stand for whatever a
 * newer libvirt adds, so these documents are not checked against libvirt 9.0's schemas (the corpus
 * test checks real documents).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Extra } from "../../../provider/model/opaque";
import { type Network, networkSchema } from "../../../provider/model/network";
import type { StoragePool } from "../../../provider/model/storage-pool";
import { mergeNetwork, networkFromXml } from "../../../provider/xml/network";
import { mergeStoragePool, storagePoolFromXml } from "../../../provider/xml/storage-pool";
import { child, children, parseTree, serializeTree, type XElement } from "../../../provider/xml/tree";

/** An adopted network as libvirt prints it, with unmodelled attributes and children on several elements. */
const adopted = `<network trustGuestRxFilters='no'>
  <name>lab</name>
  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
  <forward mode='nat' dev='eth0'>
    <nat>
      <port start='1024' end='65535'/>
    </nat>
    <interface dev='eth0'/>
  </forward>
  <bridge name='virbr7' stp='on' delay='0' future='a  b'/>
  <mac address='52:54:00:01:02:03'/>
  <mtu size='9000'/>
  <domain name='lab.example' localOnly='yes' register='yes'/>
  <dns>
    <host ip='10.0.0.5' keep='1'><hostname>web</hostname><alias>www</alias></host>
  </dns>
  <portgroup name='eng' default='yes'>
    <!-- managed by hand -->
    <bandwidth><inbound average='1000' peak='5000'/></bandwidth>
  </portgroup>
  <ip address='10.0.0.1' netmask='255.255.255.0' tag='x'>
    <tftp root='/srv/tftp'/>
    <dhcp>
      <range start='10.0.0.100' end='10.0.0.200'/>
      <host mac='52:54:00:00:00:01' ip='10.0.0.10' flavour='pxe'/>
      <bootp file='pxelinux.0' server='10.0.0.2'/>
    </dhcp>
  </ip>
  <route address='10.2.0.0' prefix='16' gateway='10.0.0.2'/>
</network>`;

/** The adopted network's model without any `extra`: what a program that adopted it declares. */
function declaredWithoutExtras(xml: string): Network {
    const model = networkFromXml(xml) as unknown;
    const strip = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(strip);
        if (typeof value !== "object" || value === null) return value;
        return Object.fromEntries(
            Object.entries(value)
                .filter(([key]) => key !== "extra")
                .map(([key, item]) => [key, strip(item)]),
        );
    };
    return networkSchema.parse(strip(model));
}

/** The element at a path of child names (first of each name). */
function at(root: XElement, ...names: string[]): XElement {
    let node = root;
    for (const name of names) {
        const next = child(node, name);
        assert.ok(next, `<${names.join("/")}> is missing`);
        node = next;
    }
    return node;
}

test("a redefine with a changed field keeps every unmodelled attribute and child byte for byte", () => {
    const desired = declaredWithoutExtras(adopted);
    desired.mtu = 1400;
    const merged = mergeNetwork(adopted, desired);
    const before = parseTree(adopted, "network");
    const after = parseTree(merged, "network");
    assert.equal(at(after, "mtu").attrs.size, "1400");
    assert.equal(after.attrs.trustGuestRxFilters, "no");
    assert.equal(at(after, "bridge").attrs.future, "a  b", "attribute values are not trimmed or rewritten");
    assert.equal(at(after, "domain").attrs.register, "yes");
    assert.equal(at(after, "dns", "host").attrs.keep, "1");
    assert.equal(at(after, "ip").attrs.tag, "x");
    assert.equal(at(after, "ip", "dhcp", "host").attrs.flavour, "pxe");
    for (const path of [
        ["forward", "interface"],
        ["dns", "host", "alias"],
        ["portgroup"],
        ["ip", "tftp"],
        ["ip", "dhcp", "bootp"],
        ["route"],
    ]) {
        assert.equal(serializeTree(at(after, ...path)), serializeTree(at(before, ...path)), path.join("/"));
    }
    assert.match(merged, /<!-- managed by hand -->/, "even a comment inside an unmodelled element survives");
    // The netmask was read as the prefix: the modelled spelling replaces it.
    assert.deepEqual(at(after, "ip").attrs, { address: "10.0.0.1", tag: "x", prefix: "24" });
    const { mtu: _before, ...unchanged } = networkFromXml(adopted);
    const { mtu, ...rest } = networkFromXml(merged);
    assert.equal(mtu, 1400);
    assert.deepEqual(rest, unchanged, "nothing but the changed field reads differently");
});

test("a field the policy table keeps when unset keeps libvirt's value; other unset fields are removed", () => {
    const desired = networkSchema.parse({
        name: "lab",
        forward: { mode: "nat" },
        bridge: { stp: false },
        dns: { hosts: [{ ip: "10.0.0.5", hostnames: ["web"] }] },
        ips: [{ address: "10.0.0.1", prefix: 24 }],
    });
    const after = parseTree(mergeNetwork(adopted, desired), "network");
    assert.deepEqual(networkFromXml(serializeTree(after)).uuid, "81ff0d90-c91e-6742-64da-4a736edb9a9b");
    assert.deepEqual(at(after, "mac").attrs, { address: "52:54:00:01:02:03" });
    assert.deepEqual(at(after, "bridge").attrs, { name: "virbr7", stp: "off", delay: "0", future: "a  b" });
    assert.deepEqual(at(after, "forward").attrs, { mode: "nat", dev: "eth0" }, "forward.dev is libvirt's");
    assert.deepEqual(at(after, "forward", "nat", "port").attrs, { start: "1024", end: "65535" });
    assert.equal(child(after, "mtu"), undefined, "mtu is not kept when unset");
    assert.equal(child(after, "domain"), undefined, "the DNS domain is not kept when unset");
    assert.equal(child(at(after, "ip"), "dhcp"), undefined, "the DHCP ranges and hosts are not kept when unset");
    assert.ok(child(at(after, "ip"), "tftp"), "the unmodelled <tftp> of the same <ip> stays");
});

test("a declared extra is written onto its element and wins over libvirt's", () => {
    const desired = declaredWithoutExtras(adopted);
    desired.bridge = { ...desired.bridge, extra: { attributes: { future: "2" } } };
    const portgroup: Extra = {
        elements: [{ name: "portgroup", attributes: { name: "ops" } }],
    };
    desired.extra = portgroup;
    const after = parseTree(mergeNetwork(adopted, desired), "network");
    assert.equal(at(after, "bridge").attrs.future, "2");
    // The declared element goes onto the first unmodelled child (the portgroup): its declared
    // attribute wins, what it leaves out (default='yes', the bandwidth) stays; the unmodelled
    // children past the declared list (the route) go, as entries past a declared list do.
    const groups = children(after, "portgroup");
    assert.equal(groups.length, 1);
    assert.deepEqual(groups[0]?.attrs, { name: "ops", default: "yes" });
    assert.ok(child(groups[0], "bandwidth"));
    assert.equal(child(after, "route"), undefined);
    assert.deepEqual(networkFromXml(serializeTree(after)).extra, {
        attributes: { trustGuestRxFilters: "no" },
        elements: [
            {
                name: "portgroup",
                attributes: { name: "ops", default: "yes" },
                children: [
                    {
                        name: "bandwidth",
                        children: [{ name: "inbound", attributes: { average: "1000", peak: "5000" } }],
                    },
                ],
            },
        ],
    });
});

test("a pool's redefine keeps its unmodelled parts and the permissions the model leaves unset", () => {
    const current = `<pool type='dir' future='1'>
  <name>images</name>
  <uuid>7641d5a8-af11-f730-a34e-0a7dfcede71f</uuid>
  <capacity unit='bytes'>1000</capacity>
  <allocation unit='bytes'>10</allocation>
  <available unit='bytes'>990</available>
  <source>
  </source>
  <target>
    <path>/srv/images</path>
    <permissions>
      <mode>0755</mode>
      <owner>107</owner>
      <group>107</group>
    </permissions>
    <timestamps flavour='x'/>
  </target>
  <features><cow state='no'/></features>
</pool>`;
    const desired: StoragePool = {
        name: "images",
        type: "dir",
        target: { path: "/srv/images", permissions: { mode: "0711" } },
    };
    const merged = mergeStoragePool(current, desired);
    const before = parseTree(current, "pool");
    const after = parseTree(merged, "pool");
    assert.equal(after.attrs.future, "1");
    assert.equal(serializeTree(at(after, "features")), serializeTree(at(before, "features")));
    assert.equal(serializeTree(at(after, "target", "timestamps")), serializeTree(at(before, "target", "timestamps")));
    const read = storagePoolFromXml(merged);
    assert.equal(read.uuid, "7641d5a8-af11-f730-a34e-0a7dfcede71f");
    assert.deepEqual(read.target?.permissions, { mode: "0711", owner: 107, group: 107 });
    assert.equal(read.capacity, undefined, "reported sizes are not configuration");
});
