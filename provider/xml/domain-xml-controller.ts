/** Reading and writing `<controller>` devices. */
import { allControllerModels, controllerTypes, type DomainController } from "../model/domain-devices-controller";
import { type XElement, child, ensureChild, replaceChild } from "./tree";
import type { DeviceCodec } from "./domain-xml-device-list";
import { oneOf, optionalOneOf, putAttr, readInt } from "./domain-xml-support";
import { compact, compactOrUndefined } from "./values";

const controllerOrder = ["model", "target", "driver", "master", "alias", "address"];

export function readController(node: XElement): DomainController {
    const driver = child(node, "driver");
    return compact({
        type: oneOf(node.attrs.type, controllerTypes, "controller type"),
        index: readInt(node.attrs.index, "controller index"),
        model: optionalOneOf(node.attrs.model, allControllerModels, "controller model"),
        driver: driver
            ? compactOrUndefined({
                  queues: readInt(driver.attrs.queues, "controller queues"),
                  iothread: readInt(driver.attrs.iothread, "controller iothread"),
              })
            : undefined,
    });
}

export function writeController(node: XElement, desired: DomainController, previous: DomainController | undefined) {
    const typeChanged = node.attrs.type !== undefined && node.attrs.type !== desired.type;
    if (typeChanged) {
        // What libvirt filled in for another type (its model, target, address) does not apply.
        node.attrs = {};
        node.children = [];
    }
    node.attrs = { type: desired.type, ...node.attrs };
    node.attrs.type = desired.type;
    putAttr(node, "index", desired.index, previous?.index);
    if (desired.model !== undefined && node.attrs.model !== desired.model) {
        // A new model: the `<model name>` and `<target>` libvirt derived from the old one go with it.
        replaceChild(node, "model", undefined);
        replaceChild(node, "target", undefined);
    }
    putAttr(node, "model", desired.model, previous?.model);
    if (desired.driver !== undefined) {
        const driver = ensureChild(node, "driver", controllerOrder);
        putAttr(driver, "queues", desired.driver.queues, previous?.driver?.queues);
        putAttr(driver, "iothread", desired.driver.iothread, previous?.driver?.iothread);
    } else if (previous?.driver !== undefined) {
        replaceChild(node, "driver", undefined);
    }
}

/** libvirt's own order of controller types (virDomainControllerType). */
const typeRank = ["ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci", "xenbus", "isa"];

/**
 * Controllers in a canonical order (type, then index). Where libvirt puts a controller among its
 * peers depends on the order of the document it parsed (its own output, defined again, moves the
 * PCI root it had appended first), so document order means nothing and is not read as a change.
 */
export function sortControllers(controllers: DomainController[]): DomainController[] {
    const rank = (c: DomainController) => typeRank.indexOf(c.type);
    return [...controllers].sort((a, b) => rank(a) - rank(b) || (a.index ?? -1) - (b.index ?? -1));
}

const isPciRoot = (model: string | undefined) => model === "pci-root" || model === "pcie-root";

export const controllerCodec: DeviceCodec<DomainController> = {
    tag: "controller",
    read: readController,
    write: writeController,
    // Two controllers are the same when type and index agree; a declared one without an index is
    // matched with one of its type (see sameKind).
    key: (controller) => (controller.index === undefined ? undefined : `${controller.type}:${controller.index}`),
    // A PCI root is where everything else hangs: it is never turned into another controller.
    sameKind: (existing, declared) =>
        existing.type === declared.type &&
        (!isPciRoot(existing.model) || existing.model === declared.model || declared.model === undefined),
    // libvirt adds controllers on its own (PCI root and ports, USB, IDE or SATA, virtio-serial,
    // SCSI for SCSI disks) and a device may sit on any of them: a controller is only removed when
    // the previous declaration had it.
    implicit: () => true,
};
