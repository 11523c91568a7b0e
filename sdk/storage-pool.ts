/**
 * `StoragePool`: a libvirt storage pool (dir by default) that is defined, built when its directory
 * is missing, started and set to autostart. Changing `autostart` applies live; changing the name,
 * type, source or `target.path` replaces the pool; other definition changes restart a dir pool.
 * Deleting refuses while the pool holds volumes.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StoragePoolArgs } from "./generated/inputs";
import type { StoragePoolOutputs } from "./generated/outputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

const STORAGE_POOL_TYPE = "pulumi-nodejs:dynamic/libvirt:StoragePool";

/** The one provider stub of this kind (Pulumi's serialization cache keys on the object). */
const provider = providerStub("storagePool");

export type { StoragePoolArgs };

/**
 * Every declared output, as an `undefined` placeholder: Pulumi makes an Output only for keys present
 * in the props, and drops undefined values before sending inputs, so these cost nothing.
 */
const OUTPUT_PLACEHOLDERS = {
    name: undefined,
    type: undefined,
    uuid: undefined,
    source: undefined,
    target: undefined,
    autostart: undefined,
    extra: undefined,
    build: undefined,
    adopt: undefined,
    uri: undefined,
    active: undefined,
    capacityBytes: undefined,
    allocationBytes: undefined,
    availableBytes: undefined,
    built: undefined,
};

export class StoragePool extends pulumi.dynamic.Resource {
    /** The pool's libvirt name. */
    declare public readonly name: pulumi.Output<StoragePoolOutputs["name"]>;
    /** The backend type (dir, fs, netfs, logical, ...). */
    declare public readonly type: pulumi.Output<StoragePoolOutputs["type"]>;
    /** The pool's UUID (also the resource id). */
    declare public readonly uuid: pulumi.Output<StoragePoolOutputs["uuid"]>;
    /** Where the storage comes from, as declared or refreshed. */
    declare public readonly source: pulumi.Output<StoragePoolOutputs["source"]>;
    /** Where volumes appear on the host (`path`, `permissions`). */
    declare public readonly target: pulumi.Output<StoragePoolOutputs["target"]>;
    /** Whether the pool starts with libvirtd. */
    declare public readonly autostart: pulumi.Output<StoragePoolOutputs["autostart"]>;
    /** Unmodelled `<pool>` content, kept as read. */
    declare public readonly extra: pulumi.Output<StoragePoolOutputs["extra"]>;
    /** The build setting as declared. */
    declare public readonly build: pulumi.Output<StoragePoolOutputs["build"]>;
    /** Whether adoption was allowed. */
    declare public readonly adopt: pulumi.Output<StoragePoolOutputs["adopt"]>;
    /** The libvirt URI the pool lives on (resolved from the input, stack config or environment). */
    declare public readonly uri: pulumi.Output<StoragePoolOutputs["uri"]>;
    /** Whether the pool is running. */
    declare public readonly active: pulumi.Output<StoragePoolOutputs["active"]>;
    /** Total size in bytes (0 while inactive). */
    declare public readonly capacityBytes: pulumi.Output<StoragePoolOutputs["capacityBytes"]>;
    /** Bytes in use. */
    declare public readonly allocationBytes: pulumi.Output<StoragePoolOutputs["allocationBytes"]>;
    /** Bytes free. */
    declare public readonly availableBytes: pulumi.Output<StoragePoolOutputs["availableBytes"]>;
    /** Whether this resource built the pool (then deleting it also removes its empty directory). */
    declare public readonly built: pulumi.Output<StoragePoolOutputs["built"]>;

    /**
     * @param name The logical name; also the stem of the automatic libvirt name.
     * @param args Pool settings; a dir pool needs `target.path`.
     * @param opts Resource options.
     */
    constructor(name: string, args: StoragePoolArgs = {}, opts?: pulumi.CustomResourceOptions) {
        // A fresh object: the dynamic Resource writes `__provider` into the props it is given.
        super(
            provider,
            name,
            withSecretInputs("storagePool", { ...OUTPUT_PLACEHOLDERS, ...args, ...hiddenInputs(name) }),
            withSecretOutputs("storagePool", opts),
            "libvirt",
            "StoragePool",
        );
    }

    /**
     * An existing pool, read-only: `id` is its UUID or name; `state` may give `uri` (default: stack
     * config, LIBVIRT_DEFAULT_URI, qemu:///system).
     */
    static get(
        name: string,
        id: pulumi.Input<pulumi.ID>,
        state?: StoragePoolArgs,
        opts?: pulumi.CustomResourceOptions,
    ): StoragePool {
        return new StoragePool(name, { ...state }, { ...opts, id });
    }

    /** True when `obj` is a StoragePool, even one from another copy of this package. */
    static override isInstance(obj: unknown): obj is StoragePool {
        return (
            typeof obj === "object" &&
            obj !== null &&
            (obj as { __pulumiType?: unknown }).__pulumiType === STORAGE_POOL_TYPE
        );
    }
}
