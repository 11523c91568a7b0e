/**
 * Backing chains lent to a domain definition that does not list them (see
 * provider/resources/domain/backing-chains.ts for when libvirt leaves them out and where they are
 * found). A lent `<backingStore>` is marked, so that the rule table of domain-xml-disk-readback.ts
 * sees it like a chain libvirt wrote, and `mergeDomain` removes it again before the definition is
 * written: libvirt keeps finding the chain itself.
 */
import type { Domain } from "../model/domain";
import { type DomainDocument, treeOf } from "./domain-document";
import { child, children, el, isElement, parseTree, type XElement } from "./tree";

/** Marks a `<backingStore>` lent to the document: removed before the definition is written. */
const LENT = "pulumi-libvirt-lent";

const targetOf = (disk: XElement) => child(disk, "target")?.attrs.dev;
const fileOf = (element: XElement | undefined) => child(element, "source")?.attrs.file;

/** The file disks whose declared source is another file and whose chain the definition does not list. */
function chainless(root: XElement, declared: Domain): XElement[] {
    return children(child(root, "devices"), "disk").filter((disk) => {
        const wanted = declared.devices.disks?.find((d) => d.target.dev === targetOf(disk))?.source;
        const file = fileOf(disk);
        return (
            wanted !== undefined &&
            (disk.attrs.type ?? "file") === "file" &&
            file !== undefined &&
            !("file" in wanted && wanted.file === file) &&
            child(disk, "backingStore") === undefined
        );
    });
}

/** True when a declared disk's chain is missing from the definition (and must be looked for). */
export function needsLentChains(document: DomainDocument, declared: Domain): boolean {
    return chainless(treeOf(document), declared).length > 0;
}

/** A `<backingStore>` for the layer below an overlay, from the disk element that layer was. */
function storeFrom(layer: XElement): XElement {
    const source = child(layer, "source");
    const format = child(layer, "driver")?.attrs.type ?? child(layer, "format")?.attrs.type;
    const kids = [
        ...(format !== undefined ? [el("format", { type: format })] : []),
        el("source", { ...(source?.attrs ?? {}), index: undefined }),
    ];
    return el("backingStore", { type: layer.attrs.type ?? "file", [LENT]: "1" }, kids);
}

/** Overlay file → the disk (as it was before the snapshot) it lies on, per target, from snapshot descriptions. */
function snapshotLayers(snapshotXmls: readonly string[]): Map<string, Map<string, XElement>> {
    const byTarget = new Map<string, Map<string, XElement>>();
    for (const xml of snapshotXmls) {
        const root = parseTree(xml, "domainsnapshot");
        const before = children(child(child(root, "domain"), "devices"), "disk");
        for (const taken of children(child(root, "disks"), "disk")) {
            const overlay = fileOf(taken);
            const below = before.find((disk) => targetOf(disk) === taken.attrs.name);
            if (taken.attrs.snapshot !== "external" || overlay === undefined || below === undefined) continue;
            const layers = byTarget.get(taken.attrs.name!) ?? new Map<string, XElement>();
            layers.set(overlay, below);
            byTarget.set(taken.attrs.name!, layers);
        }
    }
    return byTarget;
}

/** The chain below `file` through the recorded layers, nested as libvirt nests `<backingStore>`. */
function chainThrough(file: string, layers: Map<string, XElement> | undefined): XElement | undefined {
    const seen = new Set([file]);
    let top: XElement | undefined;
    let last: XElement | undefined;
    for (let layer = layers?.get(file); layer !== undefined; ) {
        const store = storeFrom(layer);
        if (last === undefined) top = store;
        else last.children.push(store);
        last = store;
        // A layer that is no file (a pool volume, a block device) ends the walk; so would a loop.
        const below = fileOf(layer);
        if (below === undefined || seen.has(below)) break;
        seen.add(below);
        layer = layers?.get(below);
    }
    return top;
}

/** The live disk's chain, without the live-only `index` attributes and the terminator. */
function liveChain(disk: XElement): XElement | undefined {
    const store = child(disk, "backingStore");
    if (store === undefined || store.attrs.type === undefined) return undefined;
    const copy = (element: XElement): XElement => ({
        ...element,
        attrs: Object.fromEntries(Object.entries(element.attrs).filter(([key]) => key !== "index")),
        children: element.children
            .filter((c) => !(isElement(c) && c.name === "backingStore" && c.attrs.type === undefined))
            .map((c) => (isElement(c) ? copy(c) : c)),
    });
    const lent = copy(store);
    lent.attrs[LENT] = "1";
    return lent;
}

/** Where the chains come from: the running guest's live XML, or (shut off) its snapshots' descriptions. */
export type ChainSource = { live: string | DomainDocument } | { snapshotXmls: readonly string[] };

/**
 * Lends the chains the definition does not list to `document` (edited in place) from `source`.
 * Returns whether any was lent.
 */
export function lendChains(document: DomainDocument, declared: Domain, source: ChainSource): boolean {
    const disks = chainless(treeOf(document), declared);
    if (disks.length === 0) return false;
    const live = "live" in source ? children(child(treeOf(source.live), "devices"), "disk") : [];
    const layers = "snapshotXmls" in source ? snapshotLayers(source.snapshotXmls) : undefined;
    let lent = false;
    for (const disk of disks) {
        const twin = live.find((d) => targetOf(d) === targetOf(disk) && fileOf(d) === fileOf(disk));
        const chain = twin ? liveChain(twin) : chainThrough(fileOf(disk)!, layers?.get(targetOf(disk) ?? ""));
        if (chain === undefined) continue;
        disk.children.push(chain);
        lent = true;
    }
    return lent;
}

/** Removes the lent chains from a tree about to be written (libvirt finds them itself). */
export function removeLentChains(root: XElement): void {
    for (const disk of children(child(root, "devices"), "disk")) {
        disk.children = disk.children.filter((c) => !(isElement(c) && c.attrs[LENT] !== undefined));
    }
}
