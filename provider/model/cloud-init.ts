/**
 * The CloudInit model: the documents of a cloud-init NoCloud seed (user-data, meta-data,
 * network-config, vendor-data), which provider/cloudinit writes into an ISO 9660 image labelled
 * `cidata`. The resource-level fields (uri, pool, the volume name's prefix) are in the resource's
 * arguments (provider/resources/cloud-init/args.ts).
 *
 * user-data and vendor-data are secrets (they often hold passwords or tokens): the SDK marks them,
 * check never quotes them, and the state holds them encrypted.
 */
import { z } from "zod";
import { secret } from "./secret";

/**
 * A document given as text (written unchanged) or as an object (written as YAML). A fresh schema
 * per field: `secret()` marks a schema object, and only some documents are secret.
 */
function documentSchema() {
    return z.union([z.string(), z.record(z.string(), z.unknown())]);
}

/** meta-data: the instance-id and the host name, plus any other key, passed through to the guest. */
export const cloudInitMetaDataSchema = z.looseObject({
    /** `instance-id`: cloud-init runs its per-instance modules once per id; default `iid-` and 16 hex digits of a hash of the documents. */
    "instance-id": z.string().optional(),
    /** `local-hostname`: the guest's host name (RFC 1123; a fully qualified name is accepted). */
    "local-hostname": z.string().optional(),
});

/** The seed's documents; any change gives a new image, uploaded as a new volume (a replacement). */
export const cloudInitSchema = z.strictObject({
    /** user-data: text as cloud-init reads it (`#cloud-config`, a `#!` script, MIME...), or an object written as `#cloud-config` YAML. Secret. */
    userData: secret(documentSchema()),
    /** meta-data: `instance-id` (default: a hash of the content), `local-hostname`, and any other key, written as YAML. */
    metaData: cloudInitMetaDataSchema.optional(),
    /** network-config, version 1 or 2: YAML text or an object (bare or under a top-level `network:` key). */
    networkConfig: documentSchema().optional(),
    /** vendor-data: like userData (cloud-init merges it under user-data). Secret. */
    vendorData: secret(documentSchema()).optional(),
});

export type CloudInitDocuments = z.output<typeof cloudInitSchema>;
