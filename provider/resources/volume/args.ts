/**
 * The Volume resource's arguments: the Volume model's fields in friendly form (sizes as MiB or
 * "10GiB") plus what only the resource knows: the connection, adoption, cloning, and the explicit
 * opt-ins for shrinking and wiping. Parsing turns sizes into bytes; parse user input once.
 */
import { z } from "zod";
import { libvirtNameSchema } from "../../model/common";
import { secret, secretPathsOf } from "../../model/secret";
import { volumeSchema } from "../../model/volume";
import { HIDDEN_INPUT_KEYS, parseInputs, resourceFields } from "../shared/check";
import type { Properties } from "../shared/handler";

const model = volumeSchema.shape;

/** A volume named by pool and name; the pool defaults to the new volume's pool. */
export const volumeRefSchema = z.strictObject({
    /** Pool holding the volume; the resource's own pool when unset. */
    pool: libvirtNameSchema.optional(),
    /** Name of the volume in that pool. */
    name: libvirtNameSchema,
});

export const volumeArgsSchema = z
    .strictObject({
        /** uri, adopt (take over an existing volume of this name in this pool), hidden namePrefix. */
        ...resourceFields,
        /** The volume's name (the file name in a dir pool); `<logical name>-<7 hex>` when unset. */
        name: model.name.optional(),
        /** The storage pool holding the volume. */
        pool: libvirtNameSchema,
        /** Virtual size: a number of MiB or a string such as "20GiB". Grows in place; shrinks only with allowShrink. */
        capacity: model.capacity,
        /** Space to reserve at creation (libvirt reports the space in use afterwards). */
        allocation: model.allocation,
        /** off (sparse, the default), metadata (qcow2 metadata only) or full (every byte reserved). */
        preallocation: model.preallocation,
        /** `type` attribute of `<volume>`; libvirt derives it from the pool. */
        type: model.type,
        /** Path, format (raw, qcow2...), permissions, encryption, qcow2 options. */
        target: model.target,
        /** Make a copy-on-write overlay on this image (qcow2). */
        backingStore: model.backingStore,
        /** Fill the new volume from a local file or an http(s) URL, optionally checked against a sha256. */
        sourceImage: model.sourceImage,
        /** Make the new volume a copy of this existing volume (libvirt clones it; formats may differ). */
        cloneFrom: volumeRefSchema.optional(),
        /** Allow lowering `capacity` in place (data beyond the new end is lost); otherwise lowering it replaces. */
        allowShrink: z.boolean().optional(),
        /** Overwrite the volume with zeros before deleting it. */
        wipeOnDelete: z.boolean().optional(),
        /**
         * A volume several declarations share (the base image of every VirtualMachine in one pool
         * with one image): create takes the volume over when it exists (as `adopt` does), and
         * delete leaves it in place, with an info line, while another volume is backed by it or a
         * domain has it as a disk; the delete that finds it unused removes it.
         */
        shared: z.boolean().optional(),
        /**
         * Encrypt the new volume with LUKS under this passphrase (a secret output). The provider
         * keeps it in a libvirt secret of its own (UUID in `encryptionSecret`), removed with the
         * volume; a new passphrase replaces the volume, since LUKS keys cannot be changed here.
         */
        passphrase: secret(z.string().min(1, { message: "an empty passphrase protects nothing" })).optional(),
        /** Attributes and children of `<volume>` the model does not describe, kept verbatim. */
        extra: model.extra,
    })
    .superRefine((args, ctx) => {
        const fail = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, message });
        const sources = [
            args.sourceImage && "sourceImage",
            args.cloneFrom && "cloneFrom",
            args.backingStore && "backingStore",
        ].filter((s): s is string => Boolean(s));
        if (sources.length > 1) {
            fail([sources[1]!], `give only one of sourceImage, cloneFrom and backingStore (got ${sources.join(", ")})`);
        }
        if (args.capacity === undefined && sources.length === 0) {
            fail(
                ["capacity"],
                'a capacity is required (e.g. "10GiB") unless the volume comes from an image, a clone or a backing store',
            );
        }
        if (args.backingStore !== undefined && args.target?.format !== undefined && args.target.format !== "qcow2") {
            fail(
                ["target", "format"],
                `a copy-on-write overlay must be qcow2, not ${args.target.format}; set target.format to "qcow2" or leave it unset`,
            );
        }
        if (args.preallocation === "metadata" && args.target?.format !== "qcow2") {
            fail(
                ["preallocation"],
                'metadata preallocation exists only for qcow2; set target.format to "qcow2" or use "full"',
            );
        }
        if (args.preallocation !== undefined && (args.sourceImage !== undefined || args.cloneFrom !== undefined)) {
            fail(
                ["preallocation"],
                "preallocation applies to empty volumes; remove it when uploading an image or cloning",
            );
        }
        if (args.passphrase !== undefined) {
            const encryption = args.target?.encryption;
            if (encryption?.secret !== undefined) {
                fail(
                    ["passphrase"],
                    "give either passphrase (the provider makes the secret) or target.encryption.secret (a secret you made), not both",
                );
            }
            if (encryption !== undefined && encryption.format !== "luks") {
                fail(
                    ["target", "encryption", "format"],
                    `a passphrase encrypts with luks, not ${encryption.format}; set format "luks"`,
                );
            }
            if (sources.length > 0) {
                fail(
                    ["passphrase"],
                    `a passphrase encrypts a new empty volume; ${sources[0]} writes its content unencrypted. Drop one of them`,
                );
            }
            if (args.adopt === true || args.shared === true) {
                fail(
                    ["passphrase"],
                    `${args.adopt === true ? "adopt" : "shared"} takes over an existing volume, whose key a new passphrase cannot open; name its secret in target.encryption.secret instead`,
                );
            }
        }
        if (args.capacity !== undefined && args.allocation !== undefined && args.allocation > args.capacity) {
            fail(["allocation"], "the allocation exceeds the capacity; lower allocation or raise capacity");
        }
    });

/** The arguments as users write them. */
export type VolumeArgsInput = z.input<typeof volumeArgsSchema>;
/** The arguments as the provider holds them (sizes in bytes). */
export type VolumeArgs = z.output<typeof volumeArgsSchema>;

/** Output-only properties the handler adds next to the echoed inputs. */
export interface VolumeComputed {
    /** libvirt's key of the volume (its path for file-based pools). */
    key: string;
    /** Where the volume lives on the host. */
    path: string;
    /** The image format libvirt reports (raw, qcow2...). */
    format: string;
    /** The virtual size in bytes, as libvirt reports it. */
    capacityBytes: number;
    /** The space the volume uses on the host, in bytes. */
    allocationBytes: number;
    /** The path of the image a copy-on-write volume is layered on. */
    backingStorePath?: string;
    /** UUID of the libvirt secret the provider made for `passphrase`. */
    encryptionSecret?: string;
}

/** Inputs that are not part of the `<volume>` model (for the schema generator). */
export const VOLUME_RESOURCE_FIELDS = [
    "uri",
    "adopt",
    ...HIDDEN_INPUT_KEYS,
    "cloneFrom",
    "allowShrink",
    "wipeOnDelete",
    "shared",
    "passphrase",
] as const satisfies readonly (keyof VolumeArgsInput)[];

/** Resource-level inputs whose change replaces the volume (besides `uri`). */
export const VOLUME_REPLACE_FIELDS = ["cloneFrom", "passphrase"] as const;

/** Inputs that hold secrets (declared with `secret()` above): marked secret by the SDK and never printed. */
export const VOLUME_SECRET_PATHS = secretPathsOf(volumeArgsSchema);

/** Parses stored inputs or old outputs (computed keys are dropped by parseInputs). */
export function parseVolumeArgs(props: Properties): VolumeArgs {
    return parseInputs("Volume", volumeArgsSchema, props);
}
