/**
 * Smaller network elements that network update also takes as fragments: DHCP `<range>`, DNS `<txt>`
 * and DNS `<srv>`. Readers, writers and the fragment functions for the ip-dhcp-range, dns-txt and
 * dns-srv sections.
 */
import type { z } from "zod";
import type { DhcpRange, dnsSrvSchema, dnsTxtSchema } from "../model/network";
import type { XElement } from "./tree";
import { ElementReader } from "./element-reader";
import { type ElementShape, type FieldPath, fragment, type TreeWriter } from "./element-writer";
import { leaseElement, readLease } from "./dhcp-host";
import { compact, intAttr, ipAttr } from "./values";

/** A DNS TXT record. */
export type DnsTxt = z.infer<typeof dnsTxtSchema>;
/** A DNS SRV record. */
export type DnsSrv = z.infer<typeof dnsSrvSchema>;

/** Reads a DHCP `<range>`. */
export function readDhcpRange(reader: ElementReader): DhcpRange {
    return compact({
        start: ipAttr(reader, "start") ?? "",
        end: ipAttr(reader, "end") ?? "",
        lease: readLease(reader.child("lease")),
        extra: reader.extra(),
    });
}

const RANGE_SHAPE: ElementShape = { attributes: ["start", "end"], children: ["lease"] };

/** Writes a DHCP range onto its `<range>` element. */
export function writeDhcpRange(node: XElement, range: DhcpRange, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "start", range.start, [...path, "start"]);
    writer.attr(node, "end", range.end, [...path, "end"]);
    writer.whole(node, "lease", range.lease, [...path, "lease"], [], leaseElement);
    writer.extra(node, range.extra, [...path, "extra"], RANGE_SHAPE);
}

/** The ip-dhcp-range fragment for network update. */
export function dhcpRangeToXml(range: DhcpRange): string {
    return fragment("range", range, writeDhcpRange);
}

/** Reads an ip-dhcp-range fragment. */
export function dhcpRangeFromXml(xml: string): DhcpRange {
    return readDhcpRange(ElementReader.ofDocument(xml, "range"));
}

/** Reads a DNS `<txt>`. */
export function readDnsTxt(reader: ElementReader): DnsTxt {
    return compact({ name: reader.attr("name") ?? "", value: reader.attr("value"), extra: reader.extra() });
}

const TXT_SHAPE: ElementShape = { attributes: ["name", "value"], children: [] };

/** Writes a DNS TXT record onto its `<txt>` element. */
export function writeDnsTxt(node: XElement, txt: DnsTxt, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "name", txt.name, [...path, "name"]);
    writer.attr(node, "value", txt.value, [...path, "value"]);
    writer.extra(node, txt.extra, [...path, "extra"], TXT_SHAPE);
}

/** The dns-txt fragment for network update. */
export function dnsTxtToXml(txt: DnsTxt): string {
    return fragment("txt", txt, writeDnsTxt);
}

/** Reads a dns-txt fragment. */
export function dnsTxtFromXml(xml: string): DnsTxt {
    return readDnsTxt(ElementReader.ofDocument(xml, "txt"));
}

/** Reads a DNS `<srv>`. */
export function readDnsSrv(reader: ElementReader): DnsSrv {
    return compact({
        service: reader.attr("service"),
        protocol: reader.attr("protocol"),
        domain: reader.attr("domain"),
        target: reader.attr("target"),
        port: intAttr(reader, "port"),
        priority: intAttr(reader, "priority"),
        weight: intAttr(reader, "weight"),
        extra: reader.extra(),
    });
}

/** The `<srv>` attributes, in libvirt's order; each is the model field of the same name. */
const SRV_FIELDS = ["service", "protocol", "domain", "target", "port", "priority", "weight"] as const;
const SRV_SHAPE: ElementShape = { attributes: SRV_FIELDS, children: [] };

/** Writes a DNS SRV record onto its `<srv>` element. */
export function writeDnsSrv(node: XElement, srv: DnsSrv, path: FieldPath, writer: TreeWriter): void {
    for (const field of SRV_FIELDS) writer.attr(node, field, srv[field], [...path, field]);
    writer.extra(node, srv.extra, [...path, "extra"], SRV_SHAPE);
}

/** The dns-srv fragment for network update. */
export function dnsSrvToXml(srv: DnsSrv): string {
    return fragment("srv", srv, writeDnsSrv);
}

/** Reads a dns-srv fragment. */
export function dnsSrvFromXml(xml: string): DnsSrv {
    return readDnsSrv(ElementReader.ofDocument(xml, "srv"));
}
