/** `<controller>`: the buses disks, USB devices, serial channels and PCI devices hang off. */
import { z } from "zod";
import { nonNegativeInt, positiveInt } from "./domain-field-types";

/** The controller `type`s the model manages; other types (fdc, ccid, xenbus, isa) are kept as libvirt has them. */
export const controllerTypes = ["usb", "scsi", "virtio-serial", "pci", "sata", "ide"] as const;

/** The `model` values libvirt 9.0 takes for each controller type (domaincommon.rng). */
export const controllerModels = {
    usb: [
        "piix3-uhci",
        "piix4-uhci",
        "ehci",
        "ich9-ehci1",
        "ich9-uhci1",
        "ich9-uhci2",
        "ich9-uhci3",
        "vt82c686b-uhci",
        "pci-ohci",
        "nec-xhci",
        "qusb1",
        "qusb2",
        "qemu-xhci",
        "none",
    ],
    scsi: [
        "auto",
        "buslogic",
        "lsilogic",
        "lsisas1068",
        "vmpvscsi",
        "ibmvscsi",
        "virtio-scsi",
        "lsisas1078",
        "virtio-transitional",
        "virtio-non-transitional",
        "ncr53c90",
        "am53c974",
        "dc390",
    ],
    "virtio-serial": ["virtio", "virtio-transitional", "virtio-non-transitional"],
    pci: [
        "pci-root",
        "pcie-root",
        "pci-bridge",
        "dmi-to-pci-bridge",
        "pcie-to-pci-bridge",
        "pcie-root-port",
        "pcie-switch-upstream-port",
        "pcie-switch-downstream-port",
        "pci-expander-bus",
        "pcie-expander-bus",
    ],
    sata: [],
    ide: ["piix3", "piix4", "ich6"],
} as const satisfies Record<(typeof controllerTypes)[number], readonly string[]>;

/** Every model of every type, in one list (which model fits which type is checked with the domain). */
export const allControllerModels = [...new Set(Object.values(controllerModels).flat())] as [string, ...string[]];

/** `<driver>` of a controller: queues and the I/O thread of virtio-scsi. */
export const controllerDriverSchema = z.strictObject({
    /** The `queues` of `<driver>`: virtio-scsi request queues (at most the vCPU count is useful). */
    queues: positiveInt.optional(),
    /** The `iothread` of `<driver>`: the `<iothreads>` thread (from 1) that serves a virtio-scsi controller. */
    iothread: positiveInt.optional(),
});

/**
 * One `<controller>`. Left out, libvirt adds the controllers a guest needs by itself (a USB
 * controller, the PCI root, IDE or SATA, virtio-serial for channels, an lsilogic SCSI controller for
 * a SCSI disk); a declared list keeps those and manages only the ones it names.
 */
export const domainControllerSchema = z.strictObject({
    /** The `type` of `<controller>`: usb, scsi, virtio-serial, pci, sata or ide. */
    type: z.enum(controllerTypes),
    /**
     * The `index` of `<controller>`: its number among controllers of its type (a disk's
     * `<address controller>` refers to it). Left out, libvirt gives the first free one.
     */
    index: nonNegativeInt.optional(),
    /** The `model` of `<controller>`, as libvirt spells it: virtio-scsi, qemu-xhci, pcie-root-port... (sata has none). */
    model: z.enum(allControllerModels).optional(),
    /** `<driver>`: queues and I/O thread (virtio-scsi). */
    driver: controllerDriverSchema.optional(),
});

export type DomainController = z.output<typeof domainControllerSchema>;
