/**
 * The backing chain of a disk that the definition does not list. After an external snapshot of a
 * running guest, libvirt writes the chain into the definition as `<backingStore>`; after one of a
 * shut-off guest it does not (libvirt 9.0 finds the chain only when the guest starts, and then
 * only the live XML shows it). libvirt still records the chain elsewhere: the running guest's live
 * XML, and each external snapshot's description (its overlay per disk, and the domain as it was,
 * whose disk source is the file below the overlay).
 *
 * The chain found there is lent to the reading and the merge, marked, so that the rule table in
 * provider/xml/domain-xml-disk-readback.ts sees it like a chain libvirt wrote; the marked elements
 * are removed again before the definition is written: libvirt keeps finding the chain itself.
 * Only disks whose source differs from the declared one and that list no chain are looked up, so
 * a domain without snapshots costs no extra call.
 */
import type { LibvirtClient } from "../../rpc";
import { VirDomainSnapshotXMLFlags } from "../../rpc/generated";
import type { Domain } from "../../model/domain";
import { child, children, el, isElement, parseTree, serializeTree, type XElement } from "../../xml/tree";
import { type Dom, isActive, liveXml } from "./libvirt";

/** Marks a `<backingStore>` this module added: removed before the definition is written. */
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

/** Overlay file → the disk (as it was before the snapshot) it lies on, for one target, from every snapshot. */
async function snapshotLayers(client: LibvirtClient, dom: Dom): Promise<Map<string, Map<string, XElement>>> {
    const byTarget = new Map<string, Map<string, XElement>>();
    const { snapshots } = await client.domainListAllSnapshots({ dom, need_results: 1, flags: 0 });
    for (const snap of snapshots) {
        const { xml } = await client.domainSnapshotGetXmlDesc({
            snap,
            flags: VirDomainSnapshotXMLFlags.VIR_DOMAIN_SNAPSHOT_XML_SECURE,
        });
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

/**
 * The definition with the chains it does not list lent from the live XML (a running guest) or from
 * the snapshots' descriptions. Unchanged when no declared disk needs it.
 */
export async function withLentChains(client: LibvirtClient, dom: Dom, xml: string, declared: Domain): Promise<string> {
    const root = parseTree(xml, "domain");
    const disks = chainless(root, declared);
    if (disks.length === 0) return xml;
    const running = await isActive(client, dom);
    const live = running ? children(child(parseTree(await liveXml(client, dom), "domain"), "devices"), "disk") : [];
    const layers = running ? undefined : await snapshotLayers(client, dom);
    let lent = false;
    for (const disk of disks) {
        const twin = live.find((d) => targetOf(d) === targetOf(disk) && fileOf(d) === fileOf(disk));
        const chain = twin ? liveChain(twin) : chainThrough(fileOf(disk)!, layers?.get(targetOf(disk) ?? ""));
        if (chain === undefined) continue;
        disk.children.push(chain);
        lent = true;
    }
    return lent ? serializeTree(root) : xml;
}

/** The document without the chains `withLentChains` added: libvirt finds them itself. */
export function withoutLentChains(xml: string): string {
    const root = parseTree(xml, "domain");
    let removed = false;
    for (const disk of children(child(root, "devices"), "disk")) {
        const before = disk.children.length;
        disk.children = disk.children.filter((c) => !(isElement(c) && c.attrs[LENT] !== undefined));
        removed ||= disk.children.length !== before;
    }
    return removed ? serializeTree(root) : xml;
}
