/**
 * Arguments of the StoragePool resource: the pool model's configurable fields (libvirt's `<pool>`)
 * plus resource-level settings. Read-only facts (capacity, allocation, available) are outputs only.
 */
import { z } from "zod";
import { extraSchema, libvirtNameSchema, uuidSchema } from "../../model/common";
import { poolSourceSchema, poolTargetSchema, poolTypes, type StoragePool } from "../../model/storage-pool";
import { HIDDEN_INPUT_KEYS, parseInputs, resourceFields } from "../shared/check";
import type { Properties } from "../shared/handler";

/** Pool types whose volumes live in a directory named by `target.path`. */
export const POOL_TYPES_WITH_TARGET_DIRECTORY: readonly string[] = ["dir", "fs", "netfs"];

export const storagePoolArgsSchema = z.strictObject({
    /** The pool's libvirt name; default: the resource name plus a random suffix. Changing it replaces the pool. */
    name: libvirtNameSchema.optional(),
    /** Backend: dir (default), fs, netfs, logical, ... Changing it replaces the pool. */
    type: z.enum(poolTypes).optional(),
    /** The pool's UUID; libvirt generates one when unset. */
    uuid: uuidSchema.optional(),
    /** Where the storage comes from (fs, netfs, logical...; not used by dir pools). */
    source: poolSourceSchema.optional(),
    /** Where volumes appear on the host: `path` (required for dir, fs and netfs) and `permissions`. */
    target: poolTargetSchema.optional(),
    /** Start the pool when libvirtd starts (default true). Changes apply live. */
    autostart: z.boolean().optional(),
    /** Unmodelled `<pool>` content, kept as read. */
    extra: extraSchema.optional(),
    /**
     * Build the pool when it cannot start (dir: create the directory). Default: true for dir, false
     * for other types, whose build formats devices; a build never overwrites existing data.
     */
    build: z.boolean().optional(),
    ...resourceFields,
});

/** StoragePool arguments as parsed. */
export type StoragePoolArgs = z.output<typeof storagePoolArgsSchema>;
/** StoragePool arguments as users write them. */
export type StoragePoolArgsInput = z.input<typeof storagePoolArgsSchema>;

/** Inputs that are not part of the libvirt model. */
export const STORAGE_POOL_RESOURCE_FIELDS = ["build", "uri", "adopt", ...HIDDEN_INPUT_KEYS] as const;

/** Defaults applied to parsed arguments. */
export const STORAGE_POOL_DEFAULTS = { type: "dir", autostart: true } as const;

/** The pool model from parsed arguments (after check, so the name is set). */
export function storagePoolModel(args: StoragePoolArgs): StoragePool {
    if (args.name === undefined) throw new Error("StoragePool: no name (check sets one)");
    const model: StoragePool = {
        name: args.name,
        type: args.type ?? STORAGE_POOL_DEFAULTS.type,
        uuid: args.uuid,
        source: args.source,
        target: args.target,
        autostart: args.autostart ?? STORAGE_POOL_DEFAULTS.autostart,
        extra: args.extra,
    };
    for (const key of Object.keys(model) as (keyof StoragePool)[]) if (model[key] === undefined) delete model[key];
    return model;
}

/** Whether a missing pool may be built: the input, else true for dir pools only. */
export function mayBuild(args: StoragePoolArgs): boolean {
    return args.build ?? (args.type ?? STORAGE_POOL_DEFAULTS.type) === "dir";
}

/** Cross-field rules zod cannot express per field. */
export function storagePoolArgFailures(args: StoragePoolArgs): { property: string; reason: string }[] {
    const type = args.type ?? STORAGE_POOL_DEFAULTS.type;
    if (POOL_TYPES_WITH_TARGET_DIRECTORY.includes(type) && args.target?.path === undefined) {
        return [
            {
                property: "target.path",
                reason: `a ${type} pool needs a directory for its volumes; set target.path, e.g. "/var/lib/libvirt/images/${args.name ?? "pool"}"`,
            },
        ];
    }
    return [];
}

/** Parses checked inputs or old outputs (computed keys are dropped). */
export function parseStoragePoolArgs(props: Properties): StoragePoolArgs {
    return parseInputs("StoragePool", storagePoolArgsSchema, props);
}
