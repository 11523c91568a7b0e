/**
 * The libvirt calls a DomainSnapshot is made of: look a snapshot up, read what libvirt says about
 * it. Errors are classified by libvirt's code.
 */
import type { LibvirtClient } from "../../rpc";
import { type RemoteNonnullDomainSnapshot, VirDomainSnapshotXMLFlags } from "../../rpc/generated";
import type { DomainSnapshotDocument, SnapshotKind } from "../../model/snapshot";
import { snapshotFromXml } from "../../xml/snapshot";
import type { Dom } from "../domain/libvirt";
import { libvirtCause } from "../shared/errors";

export type Snap = RemoteNonnullDomainSnapshot;

/** The snapshot of that name of the domain, or undefined when it has none. */
export async function findSnapshot(client: LibvirtClient, dom: Dom, name: string): Promise<Snap | undefined> {
    try {
        return (await client.domainSnapshotLookupByName({ dom, name, flags: 0 })).snap;
    } catch (error) {
        if (libvirtCause(error)?.isNotFound()) return undefined;
        throw error;
    }
}

/** What libvirt describes about a snapshot, and whether it is the domain's current one. */
export interface SnapshotState {
    document: DomainSnapshotDocument;
    /** The description as libvirt has it (secure: a redefine must not lose console passwords). */
    xml: string;
    current: boolean;
}

export async function readSnapshot(client: LibvirtClient, snap: Snap): Promise<SnapshotState> {
    const [{ xml }, { current }] = await Promise.all([
        client.domainSnapshotGetXmlDesc({ snap, flags: VirDomainSnapshotXMLFlags.VIR_DOMAIN_SNAPSHOT_XML_SECURE }),
        client.domainSnapshotIsCurrent({ snap, flags: 0 }),
    ]);
    return { document: snapshotFromXml(xml), xml, current: current !== 0 };
}

/** libvirt's creation time (seconds since the epoch) as an ISO 8601 string, or undefined. */
export function creationTimeText(document: DomainSnapshotDocument): string | undefined {
    return document.creationTime === undefined ? undefined : new Date(document.creationTime * 1000).toISOString();
}

/** external when any disk or the memory went to a file of its own, else internal. */
export function kindOfDocument(document: DomainSnapshotDocument): SnapshotKind {
    const external =
        document.memory?.snapshot === "external" || (document.disks ?? []).some((disk) => disk.snapshot === "external");
    return external ? "external" : "internal";
}

/** The overlay files an external snapshot made, per disk target. */
export function overlaysOf(document: DomainSnapshotDocument): { target: string; file: string }[] {
    return (document.disks ?? [])
        .filter((disk) => disk.snapshot === "external" && disk.source !== undefined)
        .map((disk) => ({ target: disk.name, file: disk.source! }));
}

/** Every file the snapshot made: overlays, then the memory state file. */
export function filesOf(document: DomainSnapshotDocument): string[] {
    const files = overlaysOf(document).map((overlay) => overlay.file);
    if (document.memory?.snapshot === "external" && document.memory.file !== undefined) {
        files.push(document.memory.file);
    }
    return files;
}
