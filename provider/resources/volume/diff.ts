/**
 * `diff` for Volume: the shared classifier for every field but capacity, whose meaning depends on
 * the volume's actual size and on `allowShrink` (see capacity.ts).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { ClassifiedChange } from "../../model/change-policy";
import { formatBytes } from "../../model/units";
import { containsUnknown } from "../shared/check";
import { diffResource, keepsExplicitName, type UriChange } from "../shared/diff";
import type { Properties } from "../shared/handler";
import { logInfo } from "../shared/log";
import { parseVolumeArgs, VOLUME_SECRET_PATHS } from "./args";
import { capacityAction } from "./capacity";

/** Inputs outside the model and how a change to each applies. */
const RESOURCE_FIELDS = {
    cloneFrom: "replace",
    // LUKS keys cannot be changed through libvirt: a new passphrase means a new volume.
    passphrase: "replace",
    // No libvirt call, but the new value must reach the outputs that delete and update read.
    allowShrink: "live",
    wipeOnDelete: "live",
    shared: "live",
} as const;

/** The model fields the classifier compares; capacity is judged separately. */
function classifiedModel(props: Properties): Record<string, unknown> {
    const args = parseVolumeArgs(props);
    return {
        name: args.name,
        pool: args.pool,
        type: args.type,
        allocation: args.allocation,
        preallocation: args.preallocation,
        target: args.target,
        backingStore: args.backingStore,
        sourceImage: args.sourceImage,
        extra: args.extra,
    };
}

function bytesOf(value: unknown): number | undefined {
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The capacity change between old outputs (declared and actual) and new inputs, if any. */
export function capacityChange(olds: Properties, news: Properties): ClassifiedChange | undefined {
    const next = parseVolumeArgs(news);
    const previous = parseVolumeArgs(olds);
    const action = capacityAction(
        next.capacity,
        previous.capacity,
        bytesOf(olds.capacityBytes),
        next.allowShrink === true,
    );
    const shown = (bytes: number) => formatBytes(bytes);
    switch (action.kind) {
        case "none":
            return undefined;
        case "grow":
        case "shrink":
            return {
                path: "capacity",
                class: "live",
                oldValue: shown(action.actual),
                newValue: shown(action.bytes),
                why:
                    action.kind === "grow"
                        ? "volume resize grows the volume in place"
                        : "allowShrink: shrinks in place; data past the new end is lost",
            };
        case "replace":
            return {
                path: "capacity",
                class: "replace",
                oldValue: shown(action.actual),
                newValue: shown(action.bytes),
                why: "shrinking would lose data; set allowShrink: true to shrink in place instead",
            };
        case "keepLarger":
            logInfo(
                "Volume",
                news.name,
                `is ${shown(action.actual)}, larger than the declared ${shown(action.bytes)} (grown outside Pulumi or by its image); keeping it. Raise capacity to match, or set allowShrink: true to shrink it`,
            );
            return undefined;
    }
}

/** Pulumi's diff for a Volume; prints what each change will do. */
export function diffVolume(olds: Properties, news: Properties, uriChange?: UriChange): dynamic.DiffResult {
    return diffResource({
        kind: "Volume",
        policyKind: "volume",
        olds,
        news,
        toModel: classifiedModel,
        resourceFields: RESOURCE_FIELDS,
        moreChanges: (before, after) => {
            const capacity = containsUnknown(after) ? undefined : capacityChange(before, after);
            return capacity ? [capacity] : [];
        },
        // Same explicit name in the same pool: libvirt refuses a second one, so the old goes first
        // (whatever the URI says: two URIs can reach one daemon).
        collides: (before, after) => keepsExplicitName("name", before, after) && after.pool === before.pool,
        secretKeys: VOLUME_SECRET_PATHS,
        uriChange,
    }).result;
}
