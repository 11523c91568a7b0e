/**
 * The CloudInit resource's arguments: the seed's documents (provider/model/cloud-init.ts) plus
 * where the seed volume goes (uri, pool) and the prefix of its name.
 */
import { z } from "zod";
import { cloudInitSchema } from "../../model/cloud-init";
import { libvirtNameSchema } from "../../model/common";
import { secretPathsOf } from "../../model/secret";
import { HIDDEN_INPUT_KEYS, parseInputs, resourceFields } from "../shared/check";
import type { Properties } from "../shared/handler";

/** `-` + 8 hex digits of the image's sha256 + `.iso`: what the volume name adds to the prefix. */
export const NAME_SUFFIX_LENGTH = 1 + 8 + ".iso".length;

/** Room left for the suffix in libvirt's 255-byte file names. */
const MAX_PREFIX_BYTES = 200;

export const cloudInitArgsSchema = z.strictObject({
    /** Connection URI of the libvirt daemon; default: stack config `libvirt:uri`, then LIBVIRT_DEFAULT_URI, then qemu:///system. */
    uri: resourceFields.uri,
    /** Set by the SDK to the resource's logical name: the default prefix of the volume name. */
    namePrefix: resourceFields.namePrefix,
    nameScope: resourceFields.nameScope,
    /**
     * Prefix of the seed volume's name (default: the logical name). The volume is named
     * `<prefix>-<first 8 hex digits of the image's sha256>.iso`, so new content is a new volume.
     */
    name: libvirtNameSchema
        .refine((name) => Buffer.byteLength(name, "utf8") <= MAX_PREFIX_BYTES, {
            message: `the prefix is longer than ${MAX_PREFIX_BYTES} bytes (the volume name adds "-<8 hex>.iso")`,
        })
        .optional(),
    /** The storage pool (running) that receives the seed volume. */
    pool: libvirtNameSchema,
    ...cloudInitSchema.shape,
});

/** The arguments as users write them. */
export type CloudInitArgsInput = z.input<typeof cloudInitArgsSchema>;
/** The arguments as the provider holds them. */
export type CloudInitArgs = z.output<typeof cloudInitArgsSchema>;

/** Output-only properties the handler adds next to the echoed inputs (`name` replaces the prefix). */
export interface CloudInitComputed {
    /** The seed volume's name: `<prefix>-<8 hex of the image's sha256>.iso`. */
    name: string;
    /** Where the volume lives on the host: a cdrom's source file. */
    path: string;
    /** libvirt's key of the volume (its path in file pools; also the resource id). */
    key: string;
    /** The pool holding the volume. */
    pool: string;
    /** sha256 of the seed image, hex. */
    sha256: string;
    /** The instance-id written into meta-data (given, or the content hash). */
    instanceId: string;
    /** The image's size in bytes. */
    size: number;
}

/** Names of the output-only properties (`name` and `pool` are inputs too). */
export const CLOUD_INIT_COMPUTED_KEYS = ["path", "key", "sha256", "instanceId", "size"] as const;

/** Inputs that are not part of the seed's documents (for the schema generator). */
export const CLOUD_INIT_RESOURCE_FIELDS = ["uri", ...HIDDEN_INPUT_KEYS, "name", "pool"] as const;

/** Inputs whose change replaces the seed volume (besides `uri`); the documents replace it through the policy table. */
export const CLOUD_INIT_REPLACE_FIELDS = ["name", "pool"] as const;

/** Inputs that hold secrets (declared with `secret()` in the model): userData and vendorData. */
export const CLOUD_INIT_SECRET_PATHS = secretPathsOf(cloudInitArgsSchema);

/** Parses stored inputs or old outputs (computed keys are dropped). */
export function parseCloudInitArgs(props: Properties): CloudInitArgs {
    return parseInputs("CloudInit", cloudInitArgsSchema, props);
}
