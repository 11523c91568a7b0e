/**
 * `<host>` entries of a network's `<dhcp>`: element reader and writer, and the ip-dhcp-host
 * fragment that network update takes (`dhcpHostToXml`, `dhcpHostFromXml`).
 */
import type { DhcpHostEntry, DhcpLease } from "../model/dhcp-host";
import { leaseUnits } from "../model/dhcp-host";
import { el, type XElement } from "./tree";
import { ElementReader } from "./element-reader";
import { type ElementShape, type FieldPath, fragment, type TreeWriter } from "./element-writer";
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

/** A new `<lease>` (the model describes it wholly). */
export function leaseElement(lease: DhcpLease): XElement {
    return el("lease", { expiry: lease.expiry, unit: lease.unit });
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

const HOST_SHAPE: ElementShape = { attributes: ["mac", "id", "name", "ip"], children: ["lease"] };

/** Writes one DHCP host onto its `<host>` element (`path`: the entry's place in its kind's model). */
export function writeDhcpHost(node: XElement, host: DhcpHostEntry, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "mac", host.mac, [...path, "mac"]);
    writer.attr(node, "id", host.id, [...path, "id"]);
    writer.attr(node, "name", host.name, [...path, "name"]);
    writer.attr(node, "ip", host.ip, [...path, "ip"]);
    writer.whole(node, "lease", host.lease, [...path, "lease"], [], leaseElement);
    writer.extra(node, host.extra, [...path, "extra"], HOST_SHAPE);
}

/** The ip-dhcp-host fragment for network update; a DhcpHost resource's `network` is not part of it. */
export function dhcpHostToXml(host: DhcpHostEntry & { network?: string }): string {
    const { network: _network, ...entry } = host;
    return fragment("host", entry, writeDhcpHost);
}

/** Reads an ip-dhcp-host fragment (or a `<host>` printed by libvirt). */
export function dhcpHostFromXml(xml: string): DhcpHostEntry {
    return readDhcpHost(ElementReader.ofDocument(xml, "host"));
}
