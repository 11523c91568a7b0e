/**
 * Hot plug on a running guest: disks and NICs present in the new definition but not in the
 * running guest are attached, the reverse detached, DIMMs added to the definition plugged in,
 * cdrom/floppy media swapped, NIC link states set. The device XML comes from the definition libvirt just accepted, so a NIC keeps the MAC and
 * a device the PCI address that the definition gave it. Only the running guest is touched here
 * (AFFECT_LIVE): the definition was already written by the redefine. Console passwords are set
 * with LIVE|CONFIG, as libvirt's API for them is documented.
 */
import { isDeepStrictEqual } from "node:util";
import type { LibvirtClient } from "../../rpc";
import { VirDomainDeviceModifyFlags } from "../../rpc/generated";
import { type XElement, child, children, parseTree, serializeTree } from "../../xml/tree";
import type { Dom } from "./libvirt";

/** Buses QEMU can plug a disk into while the guest runs (as in the Domain change policy). */
const HOT_PLUG_BUSES = new Set(["virtio", "scsi", "usb"]);

/** One change to make to the running guest, described for messages. */
export interface DeviceOperation {
    what: string;
    run: () => Promise<void>;
}

function devicesOf(xml: string, tag: string): XElement[] {
    return children(child(parseTree(xml, "domain"), "devices"), tag);
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
 * The operations that bring the running guest's disks and NICs to the new definition. Devices that
 * cannot change live are left for a restart (the change policy reports them).
 */
export function deviceOperations(client: LibvirtClient, dom: Dom, liveXml: string, newXml: string): DeviceOperation[] {
    const live = VirDomainDeviceModifyFlags.VIR_DOMAIN_DEVICE_MODIFY_LIVE;
    const attach = (element: XElement) => () =>
        client.domainAttachDeviceFlags({ dom, xml: serializeTree(element), flags: live });
    const detach = (element: XElement) => () =>
        client.domainDetachDeviceFlags({ dom, xml: serializeTree(element), flags: live });
    const update = (element: XElement) => () =>
        client.domainUpdateDeviceFlags({ dom, xml: serializeTree(element), flags: live });
    const operations: DeviceOperation[] = [];

    const liveDisks = devicesOf(liveXml, "disk");
    const newDisks = devicesOf(newXml, "disk");
    for (const disk of newDisks) {
        const running = liveDisks.find((d) => diskKey(d) === diskKey(disk));
        if (!running) {
            if (hotPluggable(disk)) operations.push({ what: `attach disk ${diskKey(disk)}`, run: attach(disk) });
        } else if (isRemovable(disk) && !isDeepStrictEqual(sourceOf(running), sourceOf(disk))) {
            operations.push({ what: `change the medium in ${diskKey(disk)}`, run: update(disk) });
        }
    }
    for (const disk of liveDisks) {
        if (!newDisks.some((d) => diskKey(d) === diskKey(disk)) && hotPluggable(disk)) {
            operations.push({ what: `detach disk ${diskKey(disk)}`, run: detach(disk) });
        }
    }

    const liveNics = devicesOf(liveXml, "interface");
    const newNics = devicesOf(newXml, "interface");
    for (const nic of newNics) {
        const running = liveNics.find((n) => nicKey(n) === nicKey(nic));
        if (!running) operations.push({ what: `attach interface ${nicKey(nic)}`, run: attach(nic) });
        else if (linkOf(running) !== linkOf(nic)) {
            operations.push({ what: `set the link of ${nicKey(nic)} ${linkOf(nic)}`, run: update(nic) });
        }
    }
    for (const nic of liveNics) {
        if (!newNics.some((n) => nicKey(n) === nicKey(nic))) {
            operations.push({ what: `detach interface ${nicKey(nic)}`, run: detach(nic) });
        }
    }
    // DIMMs have no key: the running guest's are the first of the definition's, and the ones after
    // them were added (the change policy says live only for appended DIMMs). Unplugging one needs
    // the guest's ACPI cooperation and is left for a restart.
    const liveDimms = devicesOf(liveXml, "memory");
    for (const dimm of devicesOf(newXml, "memory").slice(liveDimms.length)) {
        operations.push({ what: "plug in a memory DIMM", run: attach(dimm) });
    }
    operations.push(...graphicsPasswordOperations(client, dom, liveXml, newXml));
    return operations;
}

/**
 * A console password changed on a running guest: QEMU takes the new one at once (libvirt's
 * virDomainUpdateDeviceFlags on the `<graphics>` device), no restart. Only a change from one
 * password to another: adding or removing one changes how QEMU was started, which the change
 * policy leaves for a restart. Graphics devices have no key; the n-th of each type is the same
 * device in both XMLs. The messages name the device, never the password.
 */
function graphicsPasswordOperations(
    client: LibvirtClient,
    dom: Dom,
    liveXml: string,
    newXml: string,
): DeviceOperation[] {
    // LIVE|CONFIG, as libvirt documents it for a password change: the definition (already
    // redefined with it) and the running guest agree afterwards.
    const flags =
        VirDomainDeviceModifyFlags.VIR_DOMAIN_DEVICE_MODIFY_LIVE |
        VirDomainDeviceModifyFlags.VIR_DOMAIN_DEVICE_MODIFY_CONFIG;
    const liveGraphics = devicesOf(liveXml, "graphics");
    const operations: DeviceOperation[] = [];
    const seen = new Map<string, number>();
    for (const graphics of devicesOf(newXml, "graphics")) {
        const type = graphics.attrs.type ?? "";
        const nth = seen.get(type) ?? 0;
        seen.set(type, nth + 1);
        const running = liveGraphics.filter((g) => g.attrs.type === type)[nth];
        const before = running?.attrs.passwd;
        const after = graphics.attrs.passwd;
        if (before === undefined || after === undefined || before === after) continue;
        operations.push({
            what: `set the password of the ${type} console${nth > 0 ? ` ${nth + 1}` : ""}`,
            run: async () => {
                await client.domainUpdateDeviceFlags({ dom, xml: serializeTree(graphics), flags });
            },
        });
    }
    return operations;
}
