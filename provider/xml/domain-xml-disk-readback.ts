/**
 * Disk sources that libvirt reports differently from the declaration while they still are the
 * declared disk. This table is the one place for such rules: the reading against the declaration
 * (`domainFromXml` with `like`) reports such a source as the declared one, so refresh sees no
 * drift and diff and update see no change, and the merge keeps libvirt's source (and the elements
 * that describe it) instead of writing the declared one back. A source that no row matches is a
 * real change: it is compared, written, and its old `<backingStore>` chain dropped with it.
 */
import type { Domain } from "../model/domain";
import type { DiskSource } from "../model/domain-devices-disk";
import { child, children, type XElement } from "./tree";

interface DiskSourceReadBack {
    /** Whether the `<disk>` element libvirt holds is the disk declared with `declared` as its source. */
    matches: (disk: XElement, declared: DiskSource) => boolean;
    /** Why libvirt's source stands for the declared one. */
    why: string;
}

/** An element (`<disk>` or `<backingStore>`) whose type and `<source>` are the declared source. */
function isSource(element: XElement, declared: DiskSource): boolean {
    const source = child(element, "source")?.attrs;
    if (source === undefined) return false;
    const type = element.attrs.type ?? "file";
    if ("file" in declared) return type === "file" && source.file === declared.file;
    if ("block" in declared) return type === "block" && source.dev === declared.block;
    return type === "volume" && source.pool === declared.pool && source.volume === declared.volume;
}

/** The `<backingStore>` chain below a disk's own source, nearest first (an empty one ends it). */
function backingStores(disk: XElement): XElement[] {
    const stores: XElement[] = [];
    for (let store = child(disk, "backingStore"); store !== undefined; store = child(store, "backingStore")) {
        stores.push(store);
    }
    return stores;
}

export const diskSourceReadBacks: readonly DiskSourceReadBack[] = [
    {
        matches: (disk, declared) =>
            (disk.attrs.type ?? "file") === "file" &&
            !isSource(disk, declared) &&
            backingStores(disk).some((store) => isSource(store, declared)),
        why: "an external snapshot put an overlay on the declared image: the guest writes into the overlay, whose backing chain holds the image; writing the image back would hide everything written since the snapshot",
    },
];

/** Whether libvirt's `<disk>` is, by a row of the table, the declared disk under another source. */
export function readsAsDeclaredSource(disk: XElement, declared: DiskSource | undefined): boolean {
    if (declared === undefined) return false;
    return diskSourceReadBacks.some((row) => row.matches(disk, declared));
}

/**
 * The reading of `model` (read from `root`) with every disk that a row says is the declared one
 * given its declared source. Disks are matched by target, as everywhere in the Domain.
 */
export function withDeclaredDiskSources(root: XElement, model: Domain, like: Domain): Domain {
    const nodes = children(child(root, "devices"), "disk");
    const disks = model.devices.disks?.map((disk) => {
        const declared = like.devices.disks?.find((d) => d.target.dev === disk.target.dev);
        const node = nodes.find((n) => child(n, "target")?.attrs.dev === disk.target.dev);
        if (declared === undefined || node === undefined || !readsAsDeclaredSource(node, declared.source)) return disk;
        return { ...disk, source: declared.source };
    });
    return disks === undefined ? model : { ...model, devices: { ...model.devices, disks } };
}
