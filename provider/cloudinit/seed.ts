/**
 * A cloud-init NoCloud seed: the documents cloud-init reads (user-data, meta-data, and optionally
 * network-config and vendor-data) in an ISO 9660 image labelled `cidata`, which a guest finds
 * when the image is attached as a cdrom.
 *
 * The same input always gives the same image, byte for byte, and so the same sha256.
 *
 * instance-id: when the input names none, it is `iid-` and the first 16 hex digits of a sha256
 * of every document's content (meta-data without instance-id). cloud-init runs its per-instance
 * modules (users, keys, write_files, runcmd...) once per instance-id: with the default, a
 * changed seed is a new instance to cloud-init, so the change is applied at the next boot (and
 * the per-instance modules run again); an unchanged seed is not. Give a fixed instance-id to make
 * cloud-init treat a changed seed as the same instance (then only per-boot modules see it).
 */
import { createHash } from "node:crypto";
import { cloudConfigDocument, type PlainData, type PlainObject, yamlDocument } from "./documents";
import { type IsoFile, writeIsoImage } from "./iso9660";

/** The volume label cloud-init's NoCloud datasource looks for. */
export const SEED_VOLUME_LABEL = "cidata";

/** meta-data: instance-id and local-hostname, plus anything else a datasource user wants there. */
export type MetaDataInput = {
    "instance-id"?: string;
    "local-hostname"?: string;
} & { [key: string]: PlainData | undefined };

export interface NoCloudSeedInput {
    /** user-data: a string as cloud-init reads it, or an object written as `#cloud-config` YAML. */
    userData: string | PlainObject;
    metaData?: MetaDataInput;
    /** network-config, version 1 or 2: a YAML string or an object. */
    networkConfig?: string | PlainObject;
    /** vendor-data: like userData. */
    vendorData?: string | PlainObject;
}

export interface NoCloudSeed {
    /** The instance-id written into meta-data (given, or the content hash). */
    instanceId: string;
    /** The documents as written, by file name. */
    documents: Record<string, string>;
    /** The ISO 9660 image. */
    image: Buffer;
    /** sha256 of the image, hex. */
    sha256: string;
}

/** The content hash instance-id: the same documents always give the same id. */
export function contentInstanceId(documents: Readonly<Record<string, string>>): string {
    const hash = createHash("sha256");
    for (const name of Object.keys(documents).sort()) {
        const bytes = Buffer.from(documents[name]!, "utf8");
        // Name and length first, so that no two different sets of documents hash the same stream.
        hash.update(`${name}\0${bytes.length}\0`);
        hash.update(bytes);
    }
    return `iid-${hash.digest("hex").slice(0, 16)}`;
}

/** The seed's documents by file name; meta-data carries the instance-id (given or computed). */
export function seedDocuments(input: NoCloudSeedInput): { instanceId: string; documents: Record<string, string> } {
    const { "instance-id": givenId, ...metaRest } = input.metaData ?? {};
    const meta: PlainObject = {};
    for (const [key, value] of Object.entries(metaRest)) if (value !== undefined) meta[key] = value;
    const documents: Record<string, string> = { "user-data": cloudConfigDocument(input.userData) };
    if (input.networkConfig !== undefined) documents["network-config"] = yamlDocument(input.networkConfig);
    if (input.vendorData !== undefined) documents["vendor-data"] = cloudConfigDocument(input.vendorData);
    const instanceId = givenId ?? contentInstanceId({ ...documents, "meta-data": yamlDocument(meta) });
    documents["meta-data"] = yamlDocument({ "instance-id": instanceId, ...meta });
    return { instanceId, documents };
}

/** Builds the seed image. Check the input first with checkNoCloudSeed (seed-checks.ts). */
export function buildNoCloudSeed(input: NoCloudSeedInput): NoCloudSeed {
    const { instanceId, documents } = seedDocuments(input);
    const files: IsoFile[] = Object.entries(documents).map(([name, text]) => ({
        name,
        data: Buffer.from(text, "utf8"),
    }));
    const image = writeIsoImage({ volumeId: SEED_VOLUME_LABEL, files });
    return { instanceId, documents, image, sha256: createHash("sha256").update(image).digest("hex") };
}
