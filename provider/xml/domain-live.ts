/**
 * What differs between a running guest (its live XML) and the definition libvirt just accepted,
 * for the changes that can reach the guest live: title and description, and devices (disks and
 * NICs plugged or unplugged, cdrom/floppy media, NIC link states, appended DIMMs, console
 * passwords). The device XML is the definition's, so a NIC keeps the MAC and a device the PCI
 * address that the definition gave it. Both documents are parsed once (`DomainDocument`); the
 * resource turns each change into its libvirt call.
 */
import { isDeepStrictEqual } from "node:util";
import { type DomainDocument, treeOf } from "./domain-document";
import { child, children, childText, serializeTree, type XElement } from "./tree";

/** Buses QEMU can plug a disk into while the guest runs (as in the Domain change policy). */
const HOT_PLUG_BUSES = new Set(["virtio", "scsi", "usb"]);

/** A title or description to set on the running guest (undefined removes it). */
export interface LiveMetadataChange {
    field: "title" | "description";
    value: string | undefined;
}

/** Title and description where the running guest differs from the definition. */
export function liveMetadataChanges(
    live: string | DomainDocument,
    definition: string | DomainDocument,
): LiveMetadataChange[] {
    const liveRoot = treeOf(live);
    const newRoot = treeOf(definition);
    const changes: LiveMetadataChange[] = [];
    for (const field of ["title", "description"] as const) {
        const desired = childText(newRoot, field);
        if (childText(liveRoot, field) !== desired) changes.push({ field, value: desired });
    }
    return changes;
}

/**
 * One device change for the running guest: `attach`, `detach` or `update` the device whose XML is
 * given. `alsoDefinition` asks for the change in the definition too (a console password, as
 * libvirt documents it). `what` describes it for messages, never with a password.
 */
export interface LiveDeviceChange {
    action: "attach" | "detach" | "update";
    what: string;
    xml: string;
    alsoDefinition?: boolean;
}

const diskKey = (disk: XElement) => child(disk, "target")?.attrs.dev;
const nicKey = (nic: XElement) => child(nic, "mac")?.attrs.address?.toLowerCase();
const isRemovable = (disk: XElement) => disk.attrs.device === "cdrom" || disk.attrs.device === "floppy";
/** Where a disk's data is; the live XML adds attributes of its own (index), which do not count. */
const sourceOf = (disk: XElement) => {
    const { file, dev, pool, volume, name } = child(disk, "source")?.attrs ?? {};
    return { file, dev, pool, volume, name };
};
const linkOf = (nic: XElement) => child(nic, "link")?.attrs.state ?? "up";

/** Disks that may be plugged or unplugged live: on a hot-pluggable bus, not a cdrom or floppy drive. */
function hotPluggable(disk: XElement): boolean {
    const bus = child(disk, "target")?.attrs.bus ?? "virtio";
    return HOT_PLUG_BUSES.has(bus) && !isRemovable(disk);
}

/**
 * The changes that bring the running guest's devices to the definition. Devices that cannot
 * change live are left for a restart (the change policy reports them).
 */
export function liveDeviceChanges(
    live: string | DomainDocument,
    definition: string | DomainDocument,
): LiveDeviceChange[] {
    const liveDevices = child(treeOf(live), "devices");
    const newDevices = child(treeOf(definition), "devices");
    const change = (action: LiveDeviceChange["action"], what: string, element: XElement): LiveDeviceChange => ({
        action,
        what,
        xml: serializeTree(element),
    });
    const changes: LiveDeviceChange[] = [];

    const liveDisks = children(liveDevices, "disk");
    const newDisks = children(newDevices, "disk");
    for (const disk of newDisks) {
        const running = liveDisks.find((d) => diskKey(d) === diskKey(disk));
        if (!running) {
            if (hotPluggable(disk)) changes.push(change("attach", `attach disk ${diskKey(disk)}`, disk));
        } else if (isRemovable(disk) && !isDeepStrictEqual(sourceOf(running), sourceOf(disk))) {
            changes.push(change("update", `change the medium in ${diskKey(disk)}`, disk));
        }
    }
    for (const disk of liveDisks) {
        if (!newDisks.some((d) => diskKey(d) === diskKey(disk)) && hotPluggable(disk)) {
            changes.push(change("detach", `detach disk ${diskKey(disk)}`, disk));
        }
    }

    const liveNics = children(liveDevices, "interface");
    const newNics = children(newDevices, "interface");
    for (const nic of newNics) {
        const running = liveNics.find((n) => nicKey(n) === nicKey(nic));
        if (!running) changes.push(change("attach", `attach interface ${nicKey(nic)}`, nic));
        else if (linkOf(running) !== linkOf(nic)) {
            changes.push(change("update", `set the link of ${nicKey(nic)} ${linkOf(nic)}`, nic));
        }
    }
    for (const nic of liveNics) {
        if (!newNics.some((n) => nicKey(n) === nicKey(nic))) {
            changes.push(change("detach", `detach interface ${nicKey(nic)}`, nic));
        }
    }
    // DIMMs have no key: the running guest's are the first of the definition's, and the ones after
    // them were added (the change policy says live only for appended DIMMs). Unplugging one needs
    // the guest's ACPI cooperation and is left for a restart.
    const liveDimms = children(liveDevices, "memory");
    for (const dimm of children(newDevices, "memory").slice(liveDimms.length)) {
        changes.push(change("attach", "plug in a memory DIMM", dimm));
    }
    changes.push(...graphicsPasswordChanges(liveDevices, newDevices));
    return changes;
}

/**
 * A console password changed on a running guest: QEMU takes the new one at once (libvirt's
 * virDomainUpdateDeviceFlags on the `<graphics>` device), no restart. Only a change from one
 * password to another: adding or removing one changes how QEMU was started, which the change
 * policy leaves for a restart. Graphics devices have no key; the n-th of each type is the same
 * device in both documents.
 */
function graphicsPasswordChanges(
    liveDevices: XElement | undefined,
    newDevices: XElement | undefined,
): LiveDeviceChange[] {
    const liveGraphics = children(liveDevices, "graphics");
    const changes: LiveDeviceChange[] = [];
    const seen = new Map<string, number>();
    for (const graphics of children(newDevices, "graphics")) {
        const type = graphics.attrs.type ?? "";
        const nth = seen.get(type) ?? 0;
        seen.set(type, nth + 1);
        const running = liveGraphics.filter((g) => g.attrs.type === type)[nth];
        const before = running?.attrs.passwd;
        const after = graphics.attrs.passwd;
        if (before === undefined || after === undefined || before === after) continue;
        changes.push({
            action: "update",
            what: `set the password of the ${type} console${nth > 0 ? ` ${nth + 1}` : ""}`,
            xml: serializeTree(graphics),
            alsoDefinition: true,
        });
    }
    return changes;
}
