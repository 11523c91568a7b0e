/**
 * `<network>` documents: `networkToXml` writes a model, `networkFromXml` reads inactive or live XML
 * back into the same canonical model (prefix instead of netmask, canonical addresses, no runtime
 * counters); what the model does not describe is kept in `extra` and written back.
 */
import { parsePrefixOrNetmask } from "../model/common";
import { forwardModes, type Network, type NetworkIp } from "../model/network";
import { parseIp } from "../model/addresses";
import { keepCurrentWhereUnset } from "../model/keep-current";
import { addElement, addTextElement, el, serializeTree, type XElement } from "./tree";
import { addExtra, ElementReader } from "./element-reader";
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

function writeForward(parent: XElement, forward: Forward): void {
    const element = addElement(parent, "forward", { dev: forward.dev, mode: forward.mode });
    const nat = forward.nat;
    if (nat !== undefined) {
        const natElement = addElement(element, "nat", { ipv6: yesNo(nat.ipv6) });
        if (nat.addresses) addElement(natElement, "address", { start: nat.addresses.start, end: nat.addresses.end });
        if (nat.ports) addElement(natElement, "port", { start: nat.ports.start, end: nat.ports.end });
        addExtra(natElement, nat.extra);
    }
    addExtra(element, forward.extra);
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

function writeBridge(parent: XElement, bridge: Bridge): void {
    const element = addElement(parent, "bridge", {
        name: bridge.name,
        zone: bridge.zone,
        stp: onOff(bridge.stp),
        delay: bridge.delay,
        macTableManager: bridge.macTableManager,
    });
    addExtra(element, bridge.extra);
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

function writeDns(parent: XElement, dns: Dns): void {
    const element = addElement(parent, "dns", {
        enable: yesNo(dns.enable),
        forwardPlainNames: yesNo(dns.forwardPlainNames),
    });
    for (const forwarder of dns.forwarders ?? []) {
        addExtra(
            addElement(element, "forwarder", { domain: forwarder.domain, addr: forwarder.address }),
            forwarder.extra,
        );
    }
    for (const txt of dns.txts ?? []) writeDnsTxt(element, txt);
    for (const srv of dns.srvs ?? []) writeDnsSrv(element, srv);
    for (const host of dns.hosts ?? []) writeDnsHost(element, host);
    addExtra(element, dns.extra);
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

function writeIp(parent: XElement, ip: NetworkIp): void {
    const family = parseIp(ip.address)?.family === "ipv6" ? "ipv6" : undefined;
    const element = addElement(parent, "ip", {
        family,
        address: ip.address,
        prefix: ip.prefix,
        localPtr: yesNo(ip.localPtr),
    });
    if (ip.dhcp !== undefined) {
        const dhcp = addElement(element, "dhcp");
        for (const range of ip.dhcp.ranges ?? []) writeDhcpRange(dhcp, range);
        for (const host of ip.dhcp.hosts ?? []) writeDhcpHost(dhcp, host);
        addExtra(dhcp, ip.dhcp.extra);
    }
    addExtra(element, ip.extra);
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

/** Writes a `<network>` document for networkDefineXML. */
export function networkToXml(network: Network): string {
    const root = el("network", { ipv6: yesNo(network.ipv6) });
    addTextElement(root, "name", network.name);
    addTextElement(root, "uuid", network.uuid);
    if (network.forward !== undefined) writeForward(root, network.forward);
    if (network.bridge !== undefined) writeBridge(root, network.bridge);
    if (network.mac !== undefined) addElement(root, "mac", { address: network.mac });
    if (network.mtu !== undefined) addElement(root, "mtu", { size: network.mtu });
    if (network.domain !== undefined) {
        const domain = addElement(root, "domain", {
            name: network.domain.name,
            localOnly: yesNo(network.domain.localOnly),
        });
        addExtra(domain, network.domain.extra);
    }
    if (network.dns !== undefined) writeDns(root, network.dns);
    for (const ip of network.ips ?? []) writeIp(root, ip);
    addExtra(root, network.extra);
    return serializeTree(root);
}

/** The network document to define: the model, keeping what libvirt has where the model is silent. */
export function mergeNetwork(currentXml: string, network: Network): string {
    return networkToXml(keepCurrentWhereUnset("network", networkFromXml(currentXml), network));
}
