/** `<disk>`: block devices of the guest, backed by a pool volume, a file or a host block device. */
import { z } from "zod";
import { positiveInt } from "./domain-field-types";

/** `<source pool volume>` (disk type 'volume'): a volume of a libvirt storage pool. */
export const diskVolumeSourceSchema = z.strictObject({
    /** The `pool` attribute of `<source>`: the storage pool's name. */
    pool: z.string().min(1),
    /** The `volume` attribute of `<source>`: the volume's name inside the pool. */
    volume: z.string().min(1),
});

/** `<source file>` (disk type 'file'): an image file on the host. */
export const diskFileSourceSchema = z.strictObject({
    /** The `file` attribute of `<source>`: the image path on the host. */
    file: z.string().min(1),
});

/** `<source dev>` (disk type 'block'): a block device on the host. */
export const diskBlockSourceSchema = z.strictObject({
    /** The `dev` attribute of `<source>`: the host block device path. */
    block: z.string().min(1),
});

type DiskSourceOutput =
    | z.output<typeof diskVolumeSourceSchema>
    | z.output<typeof diskFileSourceSchema>
    | z.output<typeof diskBlockSourceSchema>;

/**
 * The disk's `<source>`; which keys are given decides the disk's `type` attribute (volume, file or
 * block). Checked as one object rather than a union so that a mistake gets a precise message.
 */
export const diskSourceSchema = z
    .strictObject({
        ...diskVolumeSourceSchema.partial().shape,
        ...diskFileSourceSchema.partial().shape,
        ...diskBlockSourceSchema.partial().shape,
    })
    .transform((source, ctx): DiskSourceOutput => {
        const kinds = [
            source.file !== undefined ? "file" : undefined,
            source.block !== undefined ? "block" : undefined,
            source.pool !== undefined || source.volume !== undefined ? "volume" : undefined,
        ].filter((k) => k !== undefined);
        if (kinds.length !== 1) {
            ctx.addIssue({
                code: "custom",
                message: `give exactly one source: { file }, { block } or { pool, volume } (got ${kinds.join(" and ") || "none"})`,
            });
            return z.NEVER;
        }
        if (source.file !== undefined) return { file: source.file };
        if (source.block !== undefined) return { block: source.block };
        if (source.pool === undefined || source.volume === undefined) {
            const missing = source.pool === undefined ? "pool" : "volume";
            ctx.addIssue({ code: "custom", path: [missing], message: `a volume source needs both pool and volume` });
            return z.NEVER;
        }
        return { pool: source.pool, volume: source.volume };
    });

export const diskBuses = ["virtio", "sata", "scsi", "ide", "usb", "fdc"] as const;

/** `<target>`: how the disk appears in the guest. */
export const diskTargetSchema = z.strictObject({
    /** The `dev` of `<target>` ("vda", "sda"): a hint for the guest's name and the key for matching disks. */
    dev: z
        .string()
        .regex(/^(vd|sd|hd|xvd|ubd|fd)[a-z]+$/, "expected a name like vda, sda, hda or fda (prefix, then letters)"),
    /** The `bus` of `<target>`: virtio, sata, scsi, ide, usb or fdc. */
    bus: z.enum(diskBuses).optional(),
});

/** `<driver>`: how QEMU opens and caches the image. */
export const diskDriverSchema = z.strictObject({
    /** The `type` of `<driver>`: the image format (raw, qcow2, vmdk...). */
    type: z.enum(["raw", "qcow2", "qcow", "vmdk", "vdi", "vpc", "qed", "iso", "bochs", "cloop", "dmg"]).optional(),
    /** The `cache` of `<driver>`: default, none, writethrough, writeback, directsync or unsafe. */
    cache: z.enum(["default", "none", "writethrough", "writeback", "directsync", "unsafe"]).optional(),
    /** The `io` of `<driver>`: threads, native or io_uring. */
    io: z.enum(["threads", "native", "io_uring"]).optional(),
    /** The `discard` of `<driver>`: pass TRIM to the image (unmap) or drop it (ignore). */
    discard: z.enum(["unmap", "ignore"]).optional(),
    /** The `queues` of `<driver>`: virtio-blk queue count. */
    queues: positiveInt.optional(),
    /** The `iothread` of `<driver>`: the `<iothreads>` thread (from 1) that serves this virtio disk. */
    iothread: positiveInt.optional(),
});

/** One `<disk>` device. */
export const domainDiskSchema = z.strictObject({
    /** The `device` of `<disk>`: a disk, a cdrom, a floppy or a SCSI lun. */
    device: z.enum(["disk", "cdrom", "floppy", "lun"]).default("disk"),
    /** `<source>`: where the data is; a cdrom without a source is an empty drive. */
    source: diskSourceSchema.optional(),
    /** `<target>`: the guest-side name and bus. */
    target: diskTargetSchema,
    /** `<driver name='qemu'>`: format, cache mode, I/O mode, discard and queues. */
    driver: diskDriverSchema.optional(),
    /** `<readonly/>`: the guest cannot write (implied for cdroms by libvirt). */
    readonly: z.boolean().optional(),
    /** `<shareable/>`: several guests may use the disk at once. */
    shareable: z.boolean().optional(),
    /** The `order` of `<boot>`: this disk's place in the per-device boot order. */
    boot: positiveInt.optional(),
    /** `<serial>`: the serial number the guest reads from the disk. */
    serial: z
        .string()
        .regex(/^[A-Za-z0-9_ .+-]+$/, "libvirt accepts letters, digits, space and '_ . + -' in a disk serial")
        .optional(),
});

export type DomainDisk = z.output<typeof domainDiskSchema>;
export type DiskSource = z.output<typeof diskSourceSchema>;
