/**
 * `Volume`: a storage volume in a libvirt pool: empty (sparse or preallocated), filled from a
 * local image or an http(s) URL (streamed, sha256-checked), cloned from another volume, or a qcow2
 * overlay on a backing image. Growing `capacity` happens in place (the running guest's disk too);
 * lowering it replaces the volume unless `allowShrink` is set.
 */
import * as pulumi from "@pulumi/pulumi";
import type { VolumeArgs } from "./generated/inputs";
import type { VolumeOutputs } from "./generated/outputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

export type { VolumeArgs };

/** Properties of an existing Volume, for `Volume.get`. */
export type VolumeState = Partial<VolumeArgs>;

const VOLUME_TYPE = "pulumi-nodejs:dynamic/libvirt:Volume";

/**
 * Every declared property, passed as `undefined` unless given: Pulumi makes Outputs only of the
 * keys it is handed, and the name (automatic), the computed values and unset inputs still exist.
 */
const PLACEHOLDERS = {
    name: undefined,
    pool: undefined,
    uri: undefined,
    capacity: undefined,
    allocation: undefined,
    preallocation: undefined,
    type: undefined,
    target: undefined,
    backingStore: undefined,
    sourceImage: undefined,
    cloneFrom: undefined,
    allowShrink: undefined,
    wipeOnDelete: undefined,
    shared: undefined,
    passphrase: undefined,
    adopt: undefined,
    extra: undefined,
    key: undefined,
    path: undefined,
    format: undefined,
    capacityBytes: undefined,
    allocationBytes: undefined,
    backingStorePath: undefined,
    encryptionSecret: undefined,
};

export class Volume extends pulumi.dynamic.Resource {
    /** Brand checked by `isInstance`; reliable across duplicate copies of this package. */
    public readonly __pulumiType = VOLUME_TYPE;

    /** The volume's name in its pool (the file name in a dir pool). */
    declare public readonly name: pulumi.Output<VolumeOutputs["name"]>;
    /** The pool holding the volume. */
    declare public readonly pool: pulumi.Output<VolumeOutputs["pool"]>;
    /** libvirt URI the volume lives on, as given (unset means the default). */
    declare public readonly uri: pulumi.Output<VolumeOutputs["uri"]>;
    /** Declared capacity, as given (a number of MiB or a string with a unit). */
    declare public readonly capacity: pulumi.Output<VolumeOutputs["capacity"]>;
    declare public readonly allocation: pulumi.Output<VolumeOutputs["allocation"]>;
    declare public readonly preallocation: pulumi.Output<VolumeOutputs["preallocation"]>;
    declare public readonly type: pulumi.Output<VolumeOutputs["type"]>;
    declare public readonly target: pulumi.Output<VolumeOutputs["target"]>;
    declare public readonly backingStore: pulumi.Output<VolumeOutputs["backingStore"]>;
    declare public readonly sourceImage: pulumi.Output<VolumeOutputs["sourceImage"]>;
    declare public readonly cloneFrom: pulumi.Output<VolumeOutputs["cloneFrom"]>;
    declare public readonly allowShrink: pulumi.Output<VolumeOutputs["allowShrink"]>;
    declare public readonly wipeOnDelete: pulumi.Output<VolumeOutputs["wipeOnDelete"]>;
    /** Shared by several declarations: adopted when it exists, left in place by a delete while still used. */
    declare public readonly shared: pulumi.Output<VolumeOutputs["shared"]>;
    /** The LUKS passphrase, as given. Secret. */
    declare public readonly passphrase: pulumi.Output<VolumeOutputs["passphrase"]>;
    declare public readonly adopt: pulumi.Output<VolumeOutputs["adopt"]>;
    declare public readonly extra: pulumi.Output<VolumeOutputs["extra"]>;

    /** libvirt's key of the volume (its path for file-based pools); also the resource id. */
    declare public readonly key: pulumi.Output<VolumeOutputs["key"]>;
    /** Where the volume lives on the host: use it as a disk's source file. */
    declare public readonly path: pulumi.Output<VolumeOutputs["path"]>;
    /** The image format libvirt reports (raw, qcow2...). */
    declare public readonly format: pulumi.Output<VolumeOutputs["format"]>;
    /** The virtual size in bytes, as libvirt reports it. */
    declare public readonly capacityBytes: pulumi.Output<VolumeOutputs["capacityBytes"]>;
    /** The space the volume takes on the host, in bytes. */
    declare public readonly allocationBytes: pulumi.Output<VolumeOutputs["allocationBytes"]>;
    /** The backing image of a copy-on-write overlay. */
    declare public readonly backingStorePath: pulumi.Output<VolumeOutputs["backingStorePath"]>;
    /** UUID of the libvirt secret that holds `passphrase` (made and removed by the provider). */
    declare public readonly encryptionSecret: pulumi.Output<VolumeOutputs["encryptionSecret"]>;

    constructor(name: string, args: VolumeArgs, opts?: pulumi.CustomResourceOptions) {
        // `get` (opts.id) reads an existing volume and needs no declaration.
        if (opts?.id === undefined && args?.pool === undefined) throw new Error("Missing required property 'pool'");
        // A fresh object each time: the dynamic Resource writes __provider into the object it is given.
        super(
            providerStub("volume"),
            name,
            // The passphrase is secret even when the program passed it as a plain string.
            withSecretInputs("volume", { ...PLACEHOLDERS, ...args, ...hiddenInputs(name) }),
            withSecretOutputs("volume", opts),
            "libvirt",
            "Volume",
        );
    }

    /** Looks up an existing volume by id (its key, e.g. its path); `state` may give uri, pool and name. */
    static get(
        name: string,
        id: pulumi.Input<pulumi.ID>,
        state?: VolumeState,
        opts?: pulumi.CustomResourceOptions,
    ): Volume {
        return new Volume(name, { ...state } as VolumeArgs, { ...opts, id });
    }

    /** True when `obj` is a Volume, even one from another copy of this package. */
    static override isInstance(obj: unknown): obj is Volume {
        return (
            typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === VOLUME_TYPE
        );
    }
}
