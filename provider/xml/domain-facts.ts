/**
 * Facts about a domain that other resources need without the Domain model, read directly from its
 * XML: a snapshot's view of the disks and the guest agent (`domainFacts`), and the images every
 * disk uses, for the scan of which domains use a volume (`diskUses`). The Domain model describes
 * far more than this and must not be required to read every domain these may look at.
 */
import { child, children, parseTree, type XElement } from "./tree";

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

/** Reads the facts from a domain document (live or inactive). */
export function domainFacts(xml: string): DomainFacts {
    const devices = child(parseTree(xml, "domain"), "devices");
    const disks: DomainDisk[] = [];
    for (const disk of children(devices, "disk")) {
        const target = child(disk, "target")?.attrs.dev;
        if (target === undefined) continue;
        const source = child(disk, "source");
        disks.push({
            target,
            device: disk.attrs.device ?? "disk",
            source: source?.attrs.file ?? source?.attrs.dev,
            format: child(disk, "driver")?.attrs.type,
            readOnly: child(disk, "readonly") !== undefined,
        });
    }
    const agent = children(devices, "channel")
        .map((channel) => child(channel, "target"))
        .find((target) => target?.attrs.name === GUEST_AGENT_CHANNEL);
    return {
        disks,
        agentChannel: agent !== undefined,
        agentConnected: agent?.attrs.state === "connected",
    };
}

/** Where a disk's image is, as any of a `<source>`'s spellings says it. */
export interface DiskSourceRef {
    file?: string;
    dev?: string;
    pool?: string;
    volume?: string;
}

/** A disk as a scan for the volumes domains use sees it: its image and the chain below it. */
export interface DiskUse {
    /** `<target dev>`, when the disk has one. */
    target: string | undefined;
    /** The top image's `<source>` (empty when the disk has none). */
    source: DiskSourceRef;
    /** Every `<backingStore>`'s source, from the top down (the live XML lists the whole chain). */
    backingSources: DiskSourceRef[];
    readOnly: boolean;
    shareable: boolean;
}

function sourceRef(element: XElement | undefined): DiskSourceRef {
    const { file, dev, pool, volume } = child(element, "source")?.attrs ?? {};
    return { file, dev, pool, volume };
}

/** Every `<disk>` of a domain document (live or inactive) with the images it uses. */
export function diskUses(xml: string): DiskUse[] {
    return children(child(parseTree(xml, "domain"), "devices"), "disk").map((disk) => {
        const backingSources: DiskSourceRef[] = [];
        for (let store = child(disk, "backingStore"); store !== undefined; store = child(store, "backingStore")) {
            backingSources.push(sourceRef(store));
        }
        return {
            target: child(disk, "target")?.attrs.dev,
            source: sourceRef(disk),
            backingSources,
            readOnly: child(disk, "readonly") !== undefined,
            shareable: child(disk, "shareable") !== undefined,
        };
    });
}
