/**
 * `<network>` documents: `networkFromXml` reads inactive or live XML into the canonical model
 * (prefix instead of netmask, canonical addresses, no runtime counters), with what the model does
 * not describe in each element's `extra`; one writer writes a model onto a tree: an empty one
 * (`networkToXml`) or the document libvirt holds (`mergeNetwork`, for a redefine), where whatever
 * the model leaves out survives as the policy table says (element-writer.ts).
 */
import { parsePrefixOrNetmask } from "../model/common";
import { forwardModes, type Network, type NetworkIp } from "../model/network";
import { parseIp } from "../model/addresses";
import { changePolicyTables } from "../model/change-policy";
import { el, parseTree, serializeTree, setAttr, textElement, type XElement } from "./tree";
import { ElementReader } from "./element-reader";
import { type ElementShape, type FieldPath, TreeWriter } from "./element-writer";
import { readDhcpHost, writeDhcpHost } from "./dhcp-host";
import { readDnsHost, writeDnsHost } from "./dns-host";
import { readDhcpRange, readDnsSrv, readDnsTxt, writeDhcpRange, writeDnsSrv, writeDnsTxt } from "./network-records";
import {
    compact,
    requiredName,
    intAttr,
    ipAttr,
    macAttr,
    nonEmpty,
    onOff,
    onOffAttr,
    yesNo,
    yesNoAttr,
} from "./values";

type Forward = NonNullable<Network["forward"]>;
type Bridge = NonNullable<Network["bridge"]>;
type Dns = NonNullable<Network["dns"]>;
type DnsDomain = NonNullable<Network["domain"]>;

/** Attributes of `<network>` that only describe the running network and are not configuration. */
const RUNTIME_NETWORK_ATTRIBUTES = ["connections"];

function readForward(reader: ElementReader): Forward {
    const mode = reader.attr("mode") ?? "nat";
    if (!(forwardModes as readonly string[]).includes(mode)) throw new Error(`unknown <forward mode='${mode}'>`);
    const nat = reader.child("nat");
    const natAddress = nat?.child("address");
    const natPort = nat?.child("port");
    return compact({
        mode: mode as Forward["mode"],
        dev: reader.attr("dev"),
        nat:
            nat &&
            compact({
                addresses: natAddress && {
                    start: ipAttr(natAddress, "start") ?? "",
                    end: ipAttr(natAddress, "end") ?? "",
                },
                ports: natPort && { start: intAttr(natPort, "start") ?? 0, end: intAttr(natPort, "end") ?? 0 },
                ipv6: yesNoAttr(nat, "ipv6"),
                extra: nat.extra(),
            }),
        extra: reader.extra(),
    });
}

type Nat = NonNullable<Forward["nat"]>;
const NAT_SHAPE: ElementShape = { attributes: ["ipv6"], children: ["address", "port"] };
const FORWARD_SHAPE: ElementShape = { attributes: ["dev", "mode"], children: ["nat"] };

function writeNat(node: XElement, nat: Nat, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "ipv6", yesNo(nat.ipv6), [...path, "ipv6"]);
    const order = NAT_SHAPE.children;
    writer.whole(node, "address", nat.addresses, [...path, "addresses"], order, (a) =>
        el("address", { start: a.start, end: a.end }),
    );
    writer.whole(node, "port", nat.ports, [...path, "ports"], order, (p) => el("port", { start: p.start, end: p.end }));
    writer.extra(node, nat.extra, [...path, "extra"], NAT_SHAPE);
}

function writeForward(node: XElement, forward: Forward, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "dev", forward.dev, [...path, "dev"]);
    writer.attr(node, "mode", forward.mode, [...path, "mode"]);
    writer.element(node, "nat", forward.nat, [...path, "nat"], [], writeNat);
    writer.extra(node, forward.extra, [...path, "extra"], FORWARD_SHAPE);
}

function readBridge(reader: ElementReader): Bridge {
    return compact({
        name: reader.attr("name"),
        stp: onOffAttr(reader, "stp"),
        delay: intAttr(reader, "delay"),
        macTableManager: reader.attr("macTableManager") as Bridge["macTableManager"],
        zone: reader.attr("zone"),
        extra: reader.extra(),
    });
}

const BRIDGE_SHAPE: ElementShape = { attributes: ["name", "zone", "stp", "delay", "macTableManager"], children: [] };

function writeBridge(node: XElement, bridge: Bridge, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "name", bridge.name, [...path, "name"]);
    writer.attr(node, "zone", bridge.zone, [...path, "zone"]);
    writer.attr(node, "stp", onOff(bridge.stp), [...path, "stp"]);
    writer.attr(node, "delay", bridge.delay, [...path, "delay"]);
    writer.attr(node, "macTableManager", bridge.macTableManager, [...path, "macTableManager"]);
    writer.extra(node, bridge.extra, [...path, "extra"], BRIDGE_SHAPE);
}

const DOMAIN_SHAPE: ElementShape = { attributes: ["name", "localOnly"], children: [] };

function writeDomain(node: XElement, domain: DnsDomain, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "name", domain.name, [...path, "name"]);
    writer.attr(node, "localOnly", yesNo(domain.localOnly), [...path, "localOnly"]);
    writer.extra(node, domain.extra, [...path, "extra"], DOMAIN_SHAPE);
}

function readDomain(reader: ElementReader): DnsDomain {
    return compact({
        name: reader.attr("name") ?? "",
        localOnly: yesNoAttr(reader, "localOnly"),
        extra: reader.extra(),
    });
}

function readDns(reader: ElementReader): Dns {
    return compact({
        enable: yesNoAttr(reader, "enable"),
        forwardPlainNames: yesNoAttr(reader, "forwardPlainNames"),
        forwarders: nonEmpty(
            reader.children("forwarder").map((forwarder) =>
                compact({
                    address: ipAttr(forwarder, "addr"),
                    domain: forwarder.attr("domain"),
                    extra: forwarder.extra(),
                }),
            ),
        ),
        hosts: nonEmpty(reader.children("host").map(readDnsHost)),
        srvs: nonEmpty(reader.children("srv").map(readDnsSrv)),
        txts: nonEmpty(reader.children("txt").map(readDnsTxt)),
        extra: reader.extra(),
    });
}

type Forwarder = NonNullable<Dns["forwarders"]>[number];
const FORWARDER_SHAPE: ElementShape = { attributes: ["domain", "addr"], children: [] };
const DNS_SHAPE: ElementShape = {
    attributes: ["enable", "forwardPlainNames"],
    children: ["forwarder", "txt", "srv", "host"],
};

function writeForwarder(node: XElement, forwarder: Forwarder, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "domain", forwarder.domain, [...path, "domain"]);
    writer.attr(node, "addr", forwarder.address, [...path, "address"]);
    writer.extra(node, forwarder.extra, [...path, "extra"], FORWARDER_SHAPE);
}

function writeDns(node: XElement, dns: Dns, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "enable", yesNo(dns.enable), [...path, "enable"]);
    writer.attr(node, "forwardPlainNames", yesNo(dns.forwardPlainNames), [...path, "forwardPlainNames"]);
    const order = DNS_SHAPE.children;
    writer.list(node, "forwarder", dns.forwarders, [...path, "forwarders"], order, writeForwarder);
    writer.list(node, "txt", dns.txts, [...path, "txts"], order, writeDnsTxt);
    writer.list(node, "srv", dns.srvs, [...path, "srvs"], order, writeDnsSrv);
    writer.list(node, "host", dns.hosts, [...path, "hosts"], order, writeDnsHost);
    writer.extra(node, dns.extra, [...path, "extra"], DNS_SHAPE);
}

function readIp(reader: ElementReader): NetworkIp {
    // The family is implied by the address; libvirt only needs it spelled out for IPv6.
    reader.ignoreAttrs("family");
    const prefixText = reader.attr("prefix") ?? reader.attr("netmask");
    const prefix = prefixText === undefined ? undefined : parsePrefixOrNetmask(prefixText);
    if (prefixText !== undefined && prefix === undefined)
        throw new Error(`<ip> has an invalid prefix or netmask '${prefixText}'`);
    const dhcp = reader.child("dhcp");
    return compact({
        address: ipAttr(reader, "address") ?? "",
        prefix,
        localPtr: yesNoAttr(reader, "localPtr"),
        dhcp:
            dhcp &&
            compact({
                ranges: nonEmpty(dhcp.children("range").map(readDhcpRange)),
                hosts: nonEmpty(dhcp.children("host").map(readDhcpHost)),
                extra: dhcp.extra(),
            }),
        extra: reader.extra(),
    });
}

type Dhcp = NonNullable<NetworkIp["dhcp"]>;
const DHCP_SHAPE: ElementShape = { attributes: [], children: ["range", "host"] };
const IP_SHAPE: ElementShape = {
    attributes: ["family", "address", "prefix", "netmask", "localPtr"],
    children: ["dhcp"],
};

function writeDhcp(node: XElement, dhcp: Dhcp, path: FieldPath, writer: TreeWriter): void {
    const order = DHCP_SHAPE.children;
    writer.list(node, "range", dhcp.ranges, [...path, "ranges"], order, writeDhcpRange);
    writer.list(node, "host", dhcp.hosts, [...path, "hosts"], order, writeDhcpHost);
    writer.extra(node, dhcp.extra, [...path, "extra"], DHCP_SHAPE);
}

function writeIp(node: XElement, ip: NetworkIp, path: FieldPath, writer: TreeWriter): void {
    // The family is implied by the address; libvirt only needs it spelled out for IPv6.
    setAttr(node, "family", parseIp(ip.address)?.family === "ipv6" ? "ipv6" : undefined);
    writer.attr(node, "address", ip.address, [...path, "address"]);
    // The reader takes a netmask as the prefix only when there is no prefix attribute.
    if (node.attrs.prefix === undefined) delete node.attrs.netmask;
    writer.attr(node, "prefix", ip.prefix, [...path, "prefix"]);
    writer.attr(node, "localPtr", yesNo(ip.localPtr), [...path, "localPtr"]);
    writer.element(node, "dhcp", ip.dhcp, [...path, "dhcp"], [], writeDhcp);
    writer.extra(node, ip.extra, [...path, "extra"], IP_SHAPE);
}

/** Reads a `<network>` document, inactive or live, into the model. */
export function networkFromXml(xml: string): Network {
    const root = ElementReader.ofDocument(xml, "network");
    root.ignoreAttrs(...RUNTIME_NETWORK_ATTRIBUTES);
    const forward = root.child("forward");
    const bridge = root.child("bridge");
    const mtu = root.child("mtu");
    const domain = root.child("domain");
    const dns = root.child("dns");
    const mac = root.child("mac");
    return compact({
        name: requiredName(root),
        uuid: root.childText("uuid")?.trim().toLowerCase(),
        ipv6: yesNoAttr(root, "ipv6"),
        forward: forward && readForward(forward),
        bridge: bridge && readBridge(bridge),
        mac: mac && macAttr(mac, "address"),
        mtu: mtu && intAttr(mtu, "size"),
        domain: domain && readDomain(domain),
        dns: dns && readDns(dns),
        ips: nonEmpty(root.children("ip").map(readIp)),
        extra: root.extra(),
    });
}

/** The order of the `<network>` elements the model writes (a new document's order), used to place new ones. */
const NETWORK_ORDER = ["name", "uuid", "forward", "bridge", "mac", "mtu", "domain", "dns", "ip"];
const NETWORK_SHAPE: ElementShape = { attributes: ["ipv6", ...RUNTIME_NETWORK_ATTRIBUTES], children: NETWORK_ORDER };

/** Writes a network model onto a `<network>` tree (see element-writer.ts for what survives). */
function writeNetwork(root: XElement, network: Network, writer: TreeWriter): void {
    for (const name of RUNTIME_NETWORK_ATTRIBUTES) delete root.attrs[name];
    writer.attr(root, "ipv6", yesNo(network.ipv6), ["ipv6"]);
    const order = NETWORK_ORDER;
    const text = (name: string) => (value: string) => textElement(name, value);
    writer.whole(root, "name", network.name, ["name"], order, text("name"));
    writer.whole(root, "uuid", network.uuid, ["uuid"], order, text("uuid"));
    writer.element(root, "forward", network.forward, ["forward"], order, writeForward);
    writer.element(root, "bridge", network.bridge, ["bridge"], order, writeBridge);
    writer.whole(root, "mac", network.mac, ["mac"], order, (address) => el("mac", { address }));
    writer.whole(root, "mtu", network.mtu, ["mtu"], order, (size) => el("mtu", { size }));
    writer.element(root, "domain", network.domain, ["domain"], order, writeDomain);
    writer.element(root, "dns", network.dns, ["dns"], order, writeDns);
    writer.list(root, "ip", network.ips, ["ips"], order, writeIp);
    writer.extra(root, network.extra, ["extra"], NETWORK_SHAPE);
}

/** Writes a new `<network>` document for networkDefineXML. */
export function networkToXml(network: Network): string {
    const root = el("network");
    writeNetwork(root, network, TreeWriter.fresh);
    return serializeTree(root);
}

/**
 * The network document to define: libvirt's current document with the model written onto it.
 * What the model does not cover is never touched; what it leaves unset stays as libvirt has it
 * where the policy table says so (UUID, bridge name and MAC, NAT ports, extras) and goes otherwise.
 */
export function mergeNetwork(currentXml: string, network: Network): string {
    const root = parseTree(currentXml, "network");
    writeNetwork(root, network, new TreeWriter(changePolicyTables.network));
    return serializeTree(root);
}
