/**
 * Smaller network elements that network update also takes as fragments: DHCP `<range>`, DNS `<txt>`
 * and DNS `<srv>`. Readers, writers and the fragment functions for the ip-dhcp-range, dns-txt and
 * dns-srv sections.
 */
import type { z } from "zod";
import type { DhcpRange, dnsSrvSchema, dnsTxtSchema } from "../model/network";
import { addElement, type XElement, writeFragment } from "./tree";
import { addExtra, ElementReader } from "./element-reader";
import { readLease, writeLease } from "./dhcp-host";
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

/** Writes a DHCP `<range>` under `parent`. */
export function writeDhcpRange(parent: XElement, range: DhcpRange): void {
    const element = addElement(parent, "range", { start: range.start, end: range.end });
    writeLease(element, range.lease);
    addExtra(element, range.extra);
}

/** The ip-dhcp-range fragment for network update. */
export function dhcpRangeToXml(range: DhcpRange): string {
    return writeFragment((document) => writeDhcpRange(document, range));
}

/** Reads an ip-dhcp-range fragment. */
export function dhcpRangeFromXml(xml: string): DhcpRange {
    return readDhcpRange(ElementReader.ofDocument(xml, "range"));
}

/** Reads a DNS `<txt>`. */
export function readDnsTxt(reader: ElementReader): DnsTxt {
    return compact({ name: reader.attr("name") ?? "", value: reader.attr("value"), extra: reader.extra() });
}

/** Writes a DNS `<txt>` under `parent`. */
export function writeDnsTxt(parent: XElement, txt: DnsTxt): void {
    addExtra(addElement(parent, "txt", { name: txt.name, value: txt.value }), txt.extra);
}

/** The dns-txt fragment for network update. */
export function dnsTxtToXml(txt: DnsTxt): string {
    return writeFragment((document) => writeDnsTxt(document, txt));
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

/** Writes a DNS `<srv>` under `parent`, attributes in libvirt's order. */
export function writeDnsSrv(parent: XElement, srv: DnsSrv): void {
    const element = addElement(parent, "srv", {
        service: srv.service,
        protocol: srv.protocol,
        domain: srv.domain,
        target: srv.target,
        port: srv.port,
        priority: srv.priority,
        weight: srv.weight,
    });
    addExtra(element, srv.extra);
}

/** The dns-srv fragment for network update. */
export function dnsSrvToXml(srv: DnsSrv): string {
    return writeFragment((document) => writeDnsSrv(document, srv));
}

/** Reads a dns-srv fragment. */
export function dnsSrvFromXml(xml: string): DnsSrv {
    return readDnsSrv(ElementReader.ofDocument(xml, "srv"));
}
