/**
 * The StoragePool model: libvirt's `<pool>` document (formatstorage). Type dir is the main case;
 * fs, netfs and logical are modelled where cheap, other types read and kept through `extra`.
 */
import { z } from "zod";
import {
    absolutePathSchema,
    extraSchema,
    libvirtNameSchema,
    permissionsSchema,
    sizeSchema,
    uuidSchema,
} from "./common";

/** Pool types libvirt 9.0 knows. */
export const poolTypes = [
    "dir",
    "fs",
    "netfs",
    "logical",
    "disk",
    "iscsi",
    "iscsi-direct",
    "scsi",
    "mpath",
    "rbd",
    "sheepdog",
    "gluster",
    "zfs",
    "vstorage",
] as const;

/** `<host>` under a pool's `<source>`: a remote server. */
export const poolSourceHostSchema = z.strictObject({
    /** `name` attribute: host name or address of the server. */
    name: z.string().min(1),
    /** `port` attribute: the server's port, when not the protocol's default. */
    port: z.number().int().min(1).max(65535).optional(),
    /** Attributes and children of `<host>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** `<source>` of a pool: where its storage comes from. */
export const poolSourceSchema = z.strictObject({
    /** `<host>` children: servers of a network pool (netfs, iscsi, gluster...). */
    hosts: z.array(poolSourceHostSchema).optional(),
    /** `<device>` children: block devices backing the pool (fs, logical, disk). */
    devices: z
        .array(
            z.strictObject({
                /** `path` attribute: the block device, e.g. /dev/sdb1. */
                path: z.string().startsWith("/", { message: "a device path must be absolute" }),
                /** Attributes and children of `<device>` this model does not describe (freeExtent...). */
                extra: extraSchema.optional(),
            }),
        )
        .optional(),
    /** `<dir path>`: exported directory of a netfs pool. */
    dir: absolutePathSchema.optional(),
    /** `<name>`: source name, e.g. the volume group of a logical pool. */
    name: z.string().min(1).optional(),
    /** `<format type>`: file system or label type (ext4, nfs, lvm2, gpt...). */
    format: z.string().min(1).optional(),
    /** Attributes and children of `<source>` this model does not describe (adapter, auth, protocol...). */
    extra: extraSchema.optional(),
});

/** `<target>` of a pool: where its volumes appear on the host. */
export const poolTargetSchema = z.strictObject({
    /** `<path>`: the directory (or device directory) holding the volumes. */
    path: absolutePathSchema.optional(),
    /** `<permissions>`: mode, owner, group and label libvirt applies when it builds the pool. */
    permissions: permissionsSchema.optional(),
    /** Attributes and children of `<target>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** The StoragePool resource: a libvirt storage pool. */
export const storagePoolSchema = z.strictObject({
    /** `<name>`: the pool's unique name. */
    name: libvirtNameSchema,
    /** `type` attribute of `<pool>`: the backend (dir, fs, netfs, logical, ...). */
    type: z.enum(poolTypes),
    /** `<uuid>`: the pool's UUID; libvirt generates one when unset. */
    uuid: uuidSchema.optional(),
    /** `<capacity>`: total size as libvirt reports it (read only; bytes underneath). */
    capacity: sizeSchema.optional(),
    /** `<allocation>`: space in use as libvirt reports it (read only; bytes underneath). */
    allocation: sizeSchema.optional(),
    /** `<available>`: free space as libvirt reports it (read only; bytes underneath). */
    available: sizeSchema.optional(),
    /** `<source>`: where the storage comes from (not used by dir pools). */
    source: poolSourceSchema.optional(),
    /** `<target>`: where volumes appear on the host. */
    target: poolTargetSchema.optional(),
    /** Start the pool when libvirtd starts (not part of the XML; set through the API). */
    autostart: z.boolean().optional(),
    /** Attributes and children of `<pool>` this model does not describe (namespaced options...). */
    extra: extraSchema.optional(),
});

/** A StoragePool as the provider holds it. */
export type StoragePool = z.infer<typeof storagePoolSchema>;
/** A StoragePool as users may write it. */
export type StoragePoolInput = z.input<typeof storagePoolSchema>;
