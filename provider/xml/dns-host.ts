/**
 * `<host>` records of a network's `<dns>`: element reader and writer, and the dns-host fragment that
 * network update takes (`dnsHostToXml`, `dnsHostFromXml`).
 */
import type { DnsHostEntry } from "../model/dns-host";
import { textElement, type XElement } from "./tree";
import { ElementReader } from "./element-reader";
import { type ElementShape, type FieldPath, fragment, type TreeWriter } from "./element-writer";
import { compact, ipAttr } from "./values";

/** Reads one DNS `<host>` element. */
export function readDnsHost(reader: ElementReader): DnsHostEntry {
    return compact({
        ip: ipAttr(reader, "ip"),
        hostnames: reader.children("hostname").map((hostname) => hostname.text().trim()),
        extra: reader.extra(),
    });
}

const HOST_SHAPE: ElementShape = { attributes: ["ip"], children: ["hostname"] };

/** Writes one DNS record onto its `<host>` element (`path`: the record's place in its kind's model). */
export function writeDnsHost(node: XElement, host: DnsHostEntry, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "ip", host.ip, [...path, "ip"]);
    writer.wholeList(node, "hostname", host.hostnames, [...path, "hostnames"], ["hostname"], (hostname) =>
        textElement("hostname", hostname),
    );
    writer.extra(node, host.extra, [...path, "extra"], HOST_SHAPE);
}

/** The dns-host fragment for network update; a DnsHost resource's `network` is not part of it. */
export function dnsHostToXml(host: DnsHostEntry & { network?: string }): string {
    const { network: _network, ...entry } = host;
    return fragment("host", entry, writeDnsHost);
}

/** Reads a dns-host fragment (or a `<host>` printed by libvirt under `<dns>`). */
export function dnsHostFromXml(xml: string): DnsHostEntry {
    return readDnsHost(ElementReader.ofDocument(xml, "host"));
}
