/**
 * The few facts about a domain that a snapshot needs, read from its live XML: its disks (target,
 * image file, format) and whether a QEMU guest agent is connected. Read directly from the document
 * rather than through the Domain model, which describes far more than this and must not be
 * required to read every domain a snapshot may be taken of.
 */
import { type XmlElement, isXmlElement, parseXmlElement } from "../../xml/common";

/** A disk of the domain as a snapshot sees it. */
export interface DomainDisk {
    /** `<target dev>`: vda, sdb... */
    target: string;
    /** `device` attribute: disk, cdrom, floppy, lun. */
    device: string;
    /** The image file (`<source file>`) or block device (`<source dev>`), when there is one. */
    source: string | undefined;
    /** `<driver type>`: raw, qcow2... */
    format: string | undefined;
    readOnly: boolean;
}

/** What the domain's XML says. */
export interface DomainFacts {
    disks: DomainDisk[];
    /** A `org.qemu.guest_agent.0` channel exists in the definition. */
    agentChannel: boolean;
    /** libvirt reports that channel as connected (a running guest agent). */
    agentConnected: boolean;
}

/** The name the QEMU guest agent's virtio-serial port has. */
export const GUEST_AGENT_CHANNEL = "org.qemu.guest_agent.0";

function childElements(element: XmlElement, name: string): XmlElement[] {
    return element.children.filter((child): child is XmlElement => isXmlElement(child) && child.name === name);
}

function firstChild(element: XmlElement | undefined, name: string): XmlElement | undefined {
    return element === undefined ? undefined : childElements(element, name)[0];
}

/** Reads the facts from a domain document (live or inactive). */
export function domainFacts(xml: string): DomainFacts {
    const root = parseXmlElement(xml);
    const devices = firstChild(root, "devices");
    const disks: DomainDisk[] = [];
    for (const disk of devices === undefined ? [] : childElements(devices, "disk")) {
        const target = firstChild(disk, "target")?.attributes.dev;
        if (target === undefined) continue;
        const source = firstChild(disk, "source");
        disks.push({
            target,
            device: disk.attributes.device ?? "disk",
            source: source?.attributes.file ?? source?.attributes.dev,
            format: firstChild(disk, "driver")?.attributes.type,
            readOnly: firstChild(disk, "readonly") !== undefined,
        });
    }
    const agent = (devices === undefined ? [] : childElements(devices, "channel"))
        .map((channel) => firstChild(channel, "target"))
        .find((target) => target?.attributes.name === GUEST_AGENT_CHANNEL);
    return {
        disks,
        agentChannel: agent !== undefined,
        agentConnected: agent?.attributes.state === "connected",
    };
}
