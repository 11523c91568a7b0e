/**
 * The DomainSnapshot model: libvirt's `<domainsnapshot>` document (formatsnapshot), values as
 * libvirt spells them. What libvirt records about the domain at snapshot time (`<domain>`,
 * `<inactiveDomain>`, `<cookie>`, `<active>`) is not modelled: it is kept verbatim in `extra`, so a
 * document read and written back (a redefine that changes the description) loses nothing.
 */
import { z } from "zod";
import { absolutePathSchema, extraSchema, libvirtNameSchema } from "./common";

/** How a snapshot covers a disk or the memory (`snapshot` attribute). */
export const snapshotModes = ["no", "internal", "external", "manual"] as const;

/** The domain's state when the snapshot was taken (`<state>`); `disk-snapshot` is a disk-only one. */
export const snapshotStates = [
    "running",
    "blocked",
    "paused",
    "shutdown",
    "shutoff",
    "crashed",
    "disk-snapshot",
] as const;

/** One `<disk>` of `<disks>`: how the snapshot covers that disk of the domain. */
export const snapshotDiskSchema = z.strictObject({
    /** `name` attribute: the disk's target (vda, sdb) or its source path. */
    name: z.string().min(1, { message: "a disk is named by its target, e.g. vda" }),
    /** `snapshot` attribute: no (left out), internal (inside its qcow2 image), external (a new overlay file), manual. */
    snapshot: z.enum(snapshotModes).optional(),
    /** `type` attribute of an external disk: file or block. */
    type: z.enum(["file", "block"]).optional(),
    /** `<driver type>` of an external disk's overlay: its image format (qcow2). */
    driverType: z.string().min(1).optional(),
    /** `<source file>` (or `dev` for a block disk): the overlay an external snapshot writes to from then on. */
    source: absolutePathSchema.optional(),
    /** Attributes and children of `<disk>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** A disk of a snapshot. */
export type SnapshotDisk = z.infer<typeof snapshotDiskSchema>;

/** `<memory>`: whether and where the guest's memory is saved. */
export const snapshotMemorySchema = z.strictObject({
    /** `snapshot` attribute: no (disk-only or a shut-off guest), internal (inside the qcow2 image), external (a file). */
    snapshot: z.enum(["no", "internal", "external"]).optional(),
    /** `file` attribute: where an external snapshot saves the memory. */
    file: absolutePathSchema.optional(),
});

/** A snapshot's memory settings. */
export type SnapshotMemory = z.infer<typeof snapshotMemorySchema>;

/** A libvirt domain snapshot (`<domainsnapshot>`). */
export const domainSnapshotSchema = z.strictObject({
    /** `<name>`: the snapshot's name, unique within its domain. */
    name: libvirtNameSchema,
    /** `<description>`: free text for humans; the only part libvirt lets change afterwards. */
    description: z.string().optional(),
    /** `<state>`: the domain's state when the snapshot was taken (read only). */
    state: z.enum(snapshotStates).optional(),
    /** `<creationTime>`: when the snapshot was taken, in seconds since the epoch (read only). */
    creationTime: z.number().int().optional(),
    /** `<parent><name>`: the snapshot this one was taken on top of (read only). */
    parent: z.string().optional(),
    /** `<memory>`: whether and where the memory was saved. */
    memory: snapshotMemorySchema.optional(),
    /** `<disks>`: how each disk is covered; libvirt fills in every disk of the domain. */
    disks: z.array(snapshotDiskSchema).optional(),
    /** Children of `<domainsnapshot>` this model does not describe (the recorded domain, cookie...), kept verbatim. */
    extra: extraSchema.optional(),
});

/** A domain snapshot document. */
export type DomainSnapshotDocument = z.infer<typeof domainSnapshotSchema>;

/** internal: inside each disk's qcow2 image (with the memory of a running guest); external: new overlay files. */
export const snapshotKinds = ["internal", "external"] as const;
export type SnapshotKind = (typeof snapshotKinds)[number];

/** How one disk of the domain takes part in the snapshot. */
export const snapshotDiskArgsSchema = z.strictObject({
    /** The disk's target device in the domain (vda, sdb). */
    target: z.string().min(1, { message: "a disk is named by its target device, e.g. vda" }),
    /** External snapshots: the overlay file to create; default: libvirt's name (the image's name with the snapshot's as suffix). */
    overlay: absolutePathSchema.optional(),
    /** Leave this disk out of an external snapshot (a raw scratch disk); an internal one covers every writable disk, and libvirt leaves read-only ones (a seed cdrom) out itself. */
    exclude: z.boolean().optional(),
});

/**
 * The DomainSnapshot resource: a snapshot of an existing domain, taken when the resource is
 * created and deleted with it (external overlays merged back by libvirt).
 */
export const domainSnapshotResourceSchema = z.strictObject({
    /** Name of the domain to snapshot (pass a Domain's `name` so Pulumi orders them). Changing it takes a new snapshot. */
    domain: libvirtNameSchema,
    /** The snapshot's name, unique within its domain; default: the resource name plus a random suffix. */
    name: libvirtNameSchema.optional(),
    /** Free text for humans; changes apply in place (libvirt redefines the snapshot's description). */
    description: z.string().optional(),
    /** internal (default): stored inside the qcow2 disks, with the memory when the guest runs; external: overlay files. */
    kind: z.enum(snapshotKinds).optional(),
    /** External snapshots of a running guest: save its memory too (default false: disk-only). */
    memory: z.boolean().optional(),
    /** External snapshots with memory: the file for the memory state; default: `<domain>-<snapshot>.mem` in the folder of the first disk's image. */
    memoryFile: absolutePathSchema.optional(),
    /** Per-disk settings: overlay paths of an external snapshot, disks to leave out. Unlisted disks take part with defaults. */
    disks: z.array(snapshotDiskArgsSchema).optional(),
    /** Freeze the guest's file systems while the snapshot is taken (needs the QEMU guest agent; external disk-only only). */
    quiesce: z.boolean().optional(),
    /** A string, number or boolean; when it changes, the next update reverts the domain to this snapshot (a date, a counter). */
    revertTrigger: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
