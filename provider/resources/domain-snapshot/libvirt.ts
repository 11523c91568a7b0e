/**
 * The libvirt calls a DomainSnapshot is made of: look a snapshot up (also the one a resource's
 * outputs recorded), read what libvirt says about it, redefine its description; the lock that
 * keeps one domain's snapshot operations one at a time. Errors are classified by libvirt's code.
 */
import type { LibvirtClient } from "../../rpc";
import {
    type RemoteNonnullDomainSnapshot,
    VirDomainSnapshotCreateFlags,
    VirDomainSnapshotXMLFlags,
} from "../../rpc/generated";
import type { DomainSnapshotDocument, SnapshotKind } from "../../model/snapshot";
import { snapshotFromXml, withSnapshotDescription } from "../../xml/snapshot";
import { type Dom, findById, findByName, handleOf } from "../domain/libvirt";
import { libvirtCause, step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { warnLeftAlone } from "../shared/identity";
import { lockKey } from "../shared/locks";
import { label, parseId } from "./args";

const KIND = "DomainSnapshot";

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

/** Snapshot operations of one domain run one at a time: libvirt allows one job per domain. */
export function domainLockKey(uri: string, domain: string): string {
    return lockKey("domain-snapshots", uri, domain);
}

/** Sets the description libvirt keeps for a snapshot: a redefine of its own description with one field changed. */
export async function setDescription(
    client: LibvirtClient,
    dom: Dom,
    state: SnapshotState,
    description: string | undefined,
): Promise<void> {
    const F = VirDomainSnapshotCreateFlags;
    // A redefine without CURRENT would leave the domain without a current snapshot.
    const flags = F.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE | (state.current ? F.VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT : 0);
    await client.domainSnapshotCreateXml({ dom, xml_desc: withSnapshotDescription(state.xml, description), flags });
}

/** The domain a resource's outputs recorded: by UUID (a domain of that name may be another one), else by name. */
export async function recordedDomain(
    client: LibvirtClient,
    props: Properties,
    domain: string,
): Promise<Dom | undefined> {
    if (typeof props.domainUuid === "string") return findById(client, props.domainUuid);
    return findByName(client, domain);
}

/** The snapshot the outputs recorded, or undefined when it is gone or another of that name replaced it. */
export async function recordedSnapshot(
    client: LibvirtClient,
    props: Properties,
    id: string,
): Promise<{ dom: Dom; snap: Snap; state: SnapshotState } | undefined> {
    const { domain, name } = parseId(id);
    // With the domain's UUID recorded, the snapshot is read without lookups: libvirt finds the domain
    // by its UUID and the snapshot by its name, and a gone one fails the read as it fails a lookup.
    const known = typeof props.domainUuid === "string" ? handleOf(props.domainUuid, domain) : undefined;
    const dom = known ?? (await step(KIND, name, "look up the domain", () => recordedDomain(client, props, domain)));
    if (dom === undefined) return undefined;
    const snap = known ? { dom, name } : await step(KIND, name, "look up", () => findSnapshot(client, dom, name));
    if (snap === undefined) return undefined;
    const state = await step(KIND, name, "read", () =>
        readSnapshot(client, snap).catch((error: unknown) => {
            if (libvirtCause(error)?.isNotFound()) return undefined;
            throw error;
        }),
    );
    if (state === undefined) return undefined;
    const recorded = props.creationTime;
    const found = creationTimeText(state.document);
    if (typeof recorded === "string" && found !== recorded) {
        warnLeftAlone(KIND, label(domain, name), "creation time", found ?? "none", recorded);
        return undefined;
    }
    return { dom, snap, state };
}
