/**
 * `<host>` records of a network's `<dns>`: element reader and writer, and the dns-host fragment that
 * network update takes (`dnsHostToXml`, `dnsHostFromXml`).
 */
import type { DnsHostEntry } from "../model/dns-host";
import { addElement, addTextElement, type XElement, writeFragment } from "./tree";
import { addExtra, ElementReader } from "./element-reader";
import { compact, ipAttr } from "./values";

/** Reads one DNS `<host>` element. */
export function readDnsHost(reader: ElementReader): DnsHostEntry {
    return compact({
        ip: ipAttr(reader, "ip"),
        hostnames: reader.children("hostname").map((hostname) => hostname.text().trim()),
        extra: reader.extra(),
    });
}

/** Writes one DNS `<host>` element under `parent`. */
export function writeDnsHost(parent: XElement, host: DnsHostEntry): void {
    const element = addElement(parent, "host", { ip: host.ip });
    for (const hostname of host.hostnames) addTextElement(element, "hostname", hostname);
    addExtra(element, host.extra);
}

/** The dns-host fragment for network update; a DnsHost resource's `network` is not part of it. */
export function dnsHostToXml(host: DnsHostEntry & { network?: string }): string {
    const { network: _network, ...entry } = host;
    return writeFragment((document) => writeDnsHost(document, entry));
}

/** Reads a dns-host fragment (or a `<host>` printed by libvirt under `<dns>`). */
export function dnsHostFromXml(xml: string): DnsHostEntry {
    return readDnsHost(ElementReader.ofDocument(xml, "host"));
}
