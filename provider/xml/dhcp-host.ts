/**
 * `<host>` entries of a network's `<dhcp>`: element reader and writer, and the ip-dhcp-host
 * fragment that network update takes (`dhcpHostToXml`, `dhcpHostFromXml`).
 */
import type { DhcpHostEntry, DhcpLease } from "../model/dhcp-host";
import { leaseUnits } from "../model/dhcp-host";
import { addElement, type XElement, writeFragment } from "./tree";
import { addExtra, ElementReader } from "./element-reader";
import { compact, intAttr, ipAttr, macAttr } from "./values";

/** Reads `<lease expiry unit>`. */
export function readLease(reader: ElementReader | undefined): DhcpLease | undefined {
    if (reader === undefined) return undefined;
    const unit = reader.attr("unit");
    if (unit !== undefined && !(leaseUnits as readonly string[]).includes(unit)) {
        throw new Error(`<lease unit='${unit}'> is not seconds, minutes or hours`);
    }
    return compact({ expiry: intAttr(reader, "expiry") ?? 0, unit: unit as DhcpLease["unit"] });
}

/** Writes `<lease>` under `parent`. */
export function writeLease(parent: XElement, lease: DhcpLease | undefined): void {
    if (lease !== undefined) addElement(parent, "lease", { expiry: lease.expiry, unit: lease.unit });
}

/** Reads one DHCP `<host>` element. */
export function readDhcpHost(reader: ElementReader): DhcpHostEntry {
    return compact({
        mac: macAttr(reader, "mac"),
        id: reader.attr("id"),
        name: reader.attr("name"),
        ip: ipAttr(reader, "ip"),
        lease: readLease(reader.child("lease")),
        extra: reader.extra(),
    });
}

/** Writes one DHCP `<host>` element under `parent`. */
export function writeDhcpHost(parent: XElement, host: DhcpHostEntry): void {
    const element = addElement(parent, "host", { mac: host.mac, id: host.id, name: host.name, ip: host.ip });
    writeLease(element, host.lease);
    addExtra(element, host.extra);
}

/** The ip-dhcp-host fragment for network update; a DhcpHost resource's `network` is not part of it. */
export function dhcpHostToXml(host: DhcpHostEntry & { network?: string }): string {
    const { network: _network, ...entry } = host;
    return writeFragment((document) => writeDhcpHost(document, entry));
}

/** Reads an ip-dhcp-host fragment (or a `<host>` printed by libvirt). */
export function dhcpHostFromXml(xml: string): DhcpHostEntry {
    return readDhcpHost(ElementReader.ofDocument(xml, "host"));
}
