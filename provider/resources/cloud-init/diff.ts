/**
 * `diff` for CloudInit. The question is whether the image changes: the new arguments are built
 * into an image (cheap: a few documents) and its volume name and sha256 compared with the old
 * outputs'. A new image is a replacement under a new name, created before the old volume is
 * deleted (no collision). The same image with differently written arguments (an object that
 * becomes the same text) is an update of the outputs only. During preview, documents not known
 * yet are reported as a possible replacement.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { ClassifiedChange } from "../../model/change-policy";
import { containsUnknown, isUnknown } from "../shared/check";
import { diffOfChanges, KNOWN_AFTER_APPLY, newUri, oldUri } from "../shared/diff";
import type { Properties } from "../shared/handler";
import { CLOUD_INIT_SECRET_PATHS, NAME_SUFFIX_LENGTH, parseCloudInitArgs } from "./args";
import { buildSeed, volumePrefix } from "./seed";

const KIND = "CloudInit";
const DOCUMENT_KEYS = ["userData", "metaData", "networkConfig", "vendorData"] as const;
const NEW_IMAGE = "a new seed image, uploaded as a new volume (its name carries the image's hash)";

function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The prefix an old volume name was made from (`<prefix>-<8 hex>.iso`). */
export function prefixOfVolumeName(name: unknown): string | undefined {
    return typeof name === "string" && name.length > NAME_SUFFIX_LENGTH
        ? name.slice(0, -NAME_SUFFIX_LENGTH)
        : undefined;
}

function change(
    path: string,
    oldValue: unknown,
    newValue: unknown,
    why: string,
    cls: ClassifiedChange["class"] = "replace",
) {
    return { path, class: cls, oldValue, newValue, why } satisfies ClassifiedChange;
}

/** Every change from the old outputs to the new inputs, each with how it applies. */
export function cloudInitChanges(olds: Properties, news: Properties): ClassifiedChange[] {
    const changes: ClassifiedChange[] = [];
    if (isUnknown(news.uri) || oldUri(olds) !== newUri(news)) {
        const shown = isUnknown(news.uri) ? KNOWN_AFTER_APPLY : newUri(news);
        changes.push(change("uri", oldUri(olds), shown, "the volume would live on another libvirt host"));
    }
    if (isUnknown(news.pool) || olds.pool !== news.pool) {
        const shown = isUnknown(news.pool) ? KNOWN_AFTER_APPLY : news.pool;
        changes.push(change("pool", olds.pool, shown, "the volume lives in another pool"));
    }
    const oldPrefix = prefixOfVolumeName(olds.name);
    if (isUnknown(news.name) || isUnknown(news.namePrefix)) {
        changes.push(change("name", oldPrefix, KNOWN_AFTER_APPLY, "the volume name's prefix: a new volume"));
    } else {
        const prefix = volumePrefix({
            name: news.name as string | undefined,
            namePrefix: news.namePrefix as string | undefined,
        });
        if (prefix !== oldPrefix)
            changes.push(change("name", oldPrefix, prefix, "the volume name's prefix: a new volume"));
    }
    const documentsChanged = DOCUMENT_KEYS.filter((key) => !sameJson(olds[key], news[key]));
    if (DOCUMENT_KEYS.some((key) => containsUnknown(news[key]))) {
        for (const key of documentsChanged) {
            const shown = containsUnknown(news[key]) ? KNOWN_AFTER_APPLY : news[key];
            changes.push(change(key, olds[key], shown, NEW_IMAGE));
        }
        return changes;
    }
    const seed = buildSeed(parseCloudInitArgs(news));
    const sameImage = seed.sha256 === olds.sha256;
    for (const key of documentsChanged) {
        changes.push(
            sameImage
                ? change(key, olds[key], news[key], "written differently, the same image: the outputs only", "live")
                : change(key, olds[key], news[key], NEW_IMAGE),
        );
    }
    if (!sameImage && documentsChanged.length === 0) {
        // Same arguments, another image: the volume was altered (refresh read its hash), or another
        // version of the seed writer writes these documents differently.
        changes.push(
            change(
                "sha256",
                olds.sha256,
                seed.sha256,
                "the volume does not hold the image these documents make (altered outside Pulumi, or written by another version)",
            ),
        );
    }
    return changes;
}

/** Pulumi's diff for a CloudInit: these changes through the shared end of every kind's diff. */
export function diffCloudInit(olds: Properties, news: Properties): dynamic.DiffResult {
    return diffOfChanges(
        {
            kind: KIND,
            olds,
            news,
            logName: olds.name,
            secretKeys: CLOUD_INIT_SECRET_PATHS,
            // The new volume's name differs from the old one unless only the pool's content was
            // altered (same documents, same name): then the old volume must go first.
            collides: (before, after) =>
                !containsUnknown(after) &&
                oldUri(before) === newUri(after) &&
                before.pool === after.pool &&
                buildSeed(parseCloudInitArgs(after)).volumeName === before.name,
        },
        cloudInitChanges(olds, news),
    ).result;
}
