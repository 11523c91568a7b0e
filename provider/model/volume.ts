/**
 * The Volume model: libvirt's `<volume>` document (formatstorage, formatstorageencryption), plus
 * the resource-level choices that are not XML (pool, preallocation, a source image to upload).
 */
import { z } from "zod";
import { extraSchema, libvirtNameSchema, permissionsSchema, sizeSchema, uuidSchema } from "./common";

/** Image formats libvirt 9.0 accepts for a volume's `<format type>`. */
export const volumeFormats = [
    "raw",
    "qcow2",
    "vmdk",
    "vdi",
    "vpc",
    "vhd",
    "qed",
    "qcow",
    "cow",
    "iso",
    "dir",
    "bochs",
    "cloop",
    "dmg",
    "fat",
    "ploop",
] as const;

/** Partition formats of volumes in disk pools (read back from libvirt; rarely written by users). */
export const partitionFormats = [
    "none",
    "linux",
    "fat16",
    "fat32",
    "linux-swap",
    "linux-lvm",
    "linux-raid",
    "extended",
] as const;

/** Every value `<format type>` may take on a volume. */
export type VolumeFormat = (typeof volumeFormats)[number] | (typeof partitionFormats)[number];

/** True for a format name libvirt accepts on a volume. */
export function isVolumeFormat(format: string): format is VolumeFormat {
    return (
        (volumeFormats as readonly string[]).includes(format) ||
        (partitionFormats as readonly string[]).includes(format)
    );
}

/** `type` attribute values of `<volume>`. */
export const volumeTypes = ["file", "block", "dir", "network", "netdir", "ploop"] as const;

/** Encryption formats libvirt knows for `<encryption format>`. */
export const encryptionFormats = ["luks", "luks2", "qcow", "default"] as const;

/** How space is reserved when the volume is created. */
export const preallocationModes = ["off", "metadata", "full"] as const;

const formatSchema = z.string().transform((format, ctx) => {
    if (isVolumeFormat(format)) return format;
    const hint =
        format === "vhdx"
            ? "libvirt 9.0 cannot create vhdx volumes; use vpc (VHD) or convert the image to qcow2"
            : format === "luks"
              ? 'libvirt 9.0 refuses luks as a volume format; a LUKS volume is format raw with encryption { format: "luks", secret }'
              : `use one of ${volumeFormats.join(", ")}`;
    ctx.addIssue({ code: "custom", message: `unknown volume format '${format}'; ${hint}` });
    return z.NEVER;
});

/** `<encryption>` of a volume: LUKS with a passphrase kept in a libvirt secret. */
export const encryptionSchema = z.strictObject({
    /** `format` attribute: the encryption format; luks is what qemu creates. */
    format: z.enum(encryptionFormats),
    /** `<secret type='passphrase' uuid>`: UUID of the libvirt secret holding the passphrase. */
    secret: uuidSchema.optional(),
    /** Attributes and children of `<encryption>` this model does not describe (cipher, ivgen...). */
    extra: extraSchema.optional(),
});

/** `<backingStore>` of a copy-on-write volume: the image it reads unwritten blocks from. */
export const backingStoreSchema = z
    .strictObject({
        /** `<path>`: absolute path of the backing image. */
        path: z.string().startsWith("/", { message: "a backing store path must be absolute" }).optional(),
        /** Another libvirt volume as backing image; the provider resolves it into `path`. */
        volume: z
            .strictObject({
                /** Pool of the backing volume; the new volume's pool when unset. */
                pool: libvirtNameSchema.optional(),
                /** Name of the backing volume in that pool. */
                name: libvirtNameSchema,
            })
            .optional(),
        /** `<format type>`: format of the backing image (qemu probes nothing; state it). */
        format: formatSchema.optional(),
        /** `<permissions>` of the backing image, as libvirt reports them. */
        permissions: permissionsSchema.optional(),
        /** Attributes and children of `<backingStore>` this model does not describe. */
        extra: extraSchema.optional(),
    })
    .refine((backing) => (backing.path === undefined) !== (backing.volume === undefined), {
        message: "give the backing store either a path or a volume, not both or neither",
    });

/** A file or URL to fill the new volume with. */
export const sourceImageSchema = z
    .strictObject({
        /** A local file (absolute path) or an http(s) URL to upload into the volume. */
        url: z.string().min(1),
        /** Expected SHA-256 of the image, hex; the upload fails when it differs. */
        sha256: z
            .string()
            .regex(/^[0-9a-fA-F]{64}$/, { message: "a sha256 is 64 hex digits" })
            .transform((hash) => hash.toLowerCase())
            .optional(),
    })
    .refine((image) => image.url.startsWith("/") || /^https?:\/\//.test(image.url), {
        message: "the source image is an absolute path or an http(s) URL",
        path: ["url"],
    });

/** `<target>` of a volume: its path, format, permissions and format features. */
export const volumeTargetSchema = z.strictObject({
    /** `<path>`: where the volume lives; libvirt derives it from the pool when unset. */
    path: z.string().min(1).optional(),
    /** `<format type>`: the image format (raw, qcow2, vmdk, vdi...). */
    format: formatSchema.optional(),
    /** `<permissions>`: mode, owner, group and label of the volume's file. */
    permissions: permissionsSchema.optional(),
    /** `<encryption>`: LUKS encryption with a passphrase secret. */
    encryption: encryptionSchema.optional(),
    /** `<compat>`: qcow2 compatibility level, "0.10" or "1.1"; new qcow2 volumes, overlays and clones are "1.1" unless set. */
    compat: z
        .string()
        .regex(/^\d+\.\d+$/)
        .optional(),
    /** `<nocow/>`: turn copy-on-write off for the file (btrfs). */
    nocow: z.boolean().optional(),
    /** `<clusterSize>`: qcow2 cluster size (sizes as elsewhere; bytes underneath). */
    clusterSize: sizeSchema.optional(),
    /** `<features>`: qcow2 format features. */
    features: z
        .strictObject({
            /** `<lazy_refcounts/>`: qcow2 lazy reference counts (needs compat 1.1). */
            lazyRefcounts: z.boolean().optional(),
            /** `<extended_l2/>`: qcow2 extended L2 entries (subclusters). */
            extendedL2: z.boolean().optional(),
            /** Children of `<features>` this model does not describe. */
            extra: extraSchema.optional(),
        })
        .optional(),
    /** Attributes and children of `<target>` this model does not describe (timestamps...). */
    extra: extraSchema.optional(),
});

/** The Volume resource: a storage volume in a pool. */
export const volumeSchema = z
    .strictObject({
        /** `<name>`: the volume's name, unique in its pool (the file name for dir pools). */
        name: libvirtNameSchema,
        /** Name of the pool holding the volume (not part of the volume XML). */
        pool: libvirtNameSchema.optional(),
        /** `type` attribute of `<volume>`: file, block, dir... (libvirt derives it from the pool). */
        type: z.enum(volumeTypes).optional(),
        /** `<key>`: libvirt's identifier of the volume (read only; usually its path). */
        key: z.string().optional(),
        /**
         * `<capacity>`: the virtual size. A number is MiB; a string has a unit as libvirt's `unit`
         * attribute reads it: KiB, MiB, GiB, TiB (or k, M, G, T) are powers of 1024, KB, MB, GB, TB
         * powers of 1000 ("20GB" is 20000000000 bytes, "20GiB" 21474836480); bytes underneath.
         */
        capacity: sizeSchema.optional(),
        /** `<allocation>`: space to reserve at creation; libvirt reports the space in use. */
        allocation: sizeSchema.optional(),
        /** `<physical>`: size of the file on the host, as libvirt reports it (read only). */
        physical: sizeSchema.optional(),
        /** Reserve space at creation: off (sparse), metadata (qcow2 metadata only) or full. */
        preallocation: z.enum(preallocationModes).optional(),
        /** `<target>`: path, format, permissions, encryption. */
        target: volumeTargetSchema.optional(),
        /** `<backingStore>`: the image a copy-on-write volume is layered on. */
        backingStore: backingStoreSchema.optional(),
        /** Fill the new volume from a local file or URL (uploaded through libvirt; not XML). */
        sourceImage: sourceImageSchema.optional(),
        /** Attributes and children of `<volume>` this model does not describe (source extents...). */
        extra: extraSchema.optional(),
    })
    .superRefine((volume, ctx) => {
        if (volume.capacity === undefined && volume.backingStore === undefined && volume.sourceImage === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["capacity"],
                message: "a capacity is required unless the volume has a backing store or a source image",
            });
        }
        if (
            volume.capacity !== undefined &&
            volume.allocation !== undefined &&
            volume.preallocation !== undefined &&
            volume.allocation > volume.capacity
        ) {
            ctx.addIssue({ code: "custom", path: ["allocation"], message: "the allocation exceeds the capacity" });
        }
        if (volume.backingStore !== undefined && volume.target?.format === "raw") {
            ctx.addIssue({
                code: "custom",
                path: ["target", "format"],
                message: "a raw volume cannot have a backing store; use format qcow2",
            });
        }
    });

/** A Volume as the provider holds it (sizes in bytes). */
export type Volume = z.infer<typeof volumeSchema>;
/** A Volume as users may write it. */
export type VolumeInput = z.input<typeof volumeSchema>;

/** 65535 cylinders, 16 heads, 255 sectors: the largest CHS geometry a VHD footer can hold. */
const VHD_MAX_GEOMETRY = 65535 * 16 * 255;

/** qemu's CHS geometry for a sector count (block/vpc.c `calculate_geometry`). */
function vhdGeometrySectors(totalSectors: number): number {
    const total = Math.min(totalSectors, VHD_MAX_GEOMETRY);
    let sectorsPerCylinder: number;
    let heads: number;
    let cylindersTimesHeads: number;
    if (total >= 65535 * 16 * 63) {
        sectorsPerCylinder = 255;
        heads = 16;
        cylindersTimesHeads = Math.floor(total / sectorsPerCylinder);
    } else {
        sectorsPerCylinder = 17;
        cylindersTimesHeads = Math.floor(total / sectorsPerCylinder);
        // qemu keeps heads in a uint8_t.
        heads = Math.max(Math.ceil(cylindersTimesHeads / 1024) & 0xff, 4);
        if (cylindersTimesHeads >= heads * 1024 || heads > 16) {
            sectorsPerCylinder = 31;
            heads = 16;
            cylindersTimesHeads = Math.floor(total / sectorsPerCylinder);
        }
        if (cylindersTimesHeads >= heads * 1024) {
            sectorsPerCylinder = 63;
            heads = 16;
            cylindersTimesHeads = Math.floor(total / sectorsPerCylinder);
        }
    }
    return Math.floor(cylindersTimesHeads / heads) * heads * sectorsPerCylinder;
}

/**
 * The virtual size qemu gives a vpc (VHD) image created with `capacity` bytes: libvirt passes the
 * size in KiB (rounded up) and qemu grows it to the next whole CHS geometry (block/vpc.c
 * `vpc_co_create`), so libvirt reports a slightly larger capacity than was asked for.
 */
export function vpcCapacity(capacity: number): number {
    const size = Math.ceil(capacity / 1024) * 1024;
    const wanted = Math.min(VHD_MAX_GEOMETRY, Math.floor(size / 512));
    let geometry = 0;
    for (let extra = 0; wanted > geometry; extra++) geometry = vhdGeometrySectors(wanted + extra);
    return (geometry === VHD_MAX_GEOMETRY ? Math.floor(size / 512) : geometry) * 512;
}
