/**
 * Adopting an existing volume (`adopt: true`): Pulumi's `import` cannot reach dynamic providers, so
 * create takes over a volume of the declared name instead. What differs is reported; a larger
 * declared capacity is applied in place; a difference that only a new volume could satisfy (format,
 * backing image...) fails the adoption and leaves the volume untouched: an existing disk is never
 * destroyed because a declaration disagrees with it.
 */
import { classifyChanges } from "../../model/change-policy";
import { formatBytes } from "../../model/units";
import type { Volume, VolumeFormat } from "../../model/volume";
import type { RemoteNonnullStorageVol } from "../../rpc";
import { compact } from "../../xml/values";
import { summarizeChanges } from "../shared/diff";
import { VOLUME_SECRET_PATHS, type VolumeArgs } from "./args";
import { capacityAction } from "./capacity";
import { type Report, resolveBacking } from "./create";
import { type PoolHandle, readVolumeState, resizeVolume, type VolumeState } from "./libvirt";

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The declaration completed with the current value wherever it leaves something unset. */
function fillUnset(current: unknown, desired: unknown): unknown {
    if (desired === undefined) return current;
    if (!isPlainObject(current) || !isPlainObject(desired)) return desired;
    const result: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(desired)) result[key] = fillUnset(current[key], value);
    return result;
}

/** Takes over `vol` as the declared volume; returns its state after any in-place change. */
export async function adoptVolume(
    handle: PoolHandle,
    vol: RemoteNonnullStorageVol,
    args: VolumeArgs,
    report: Report,
): Promise<VolumeState> {
    let state = await readVolumeState(handle.client, vol);
    const backing = args.backingStore && (await resolveBacking(handle, args));
    const desired = compact({
        name: vol.name,
        pool: args.pool,
        type: args.type,
        target: args.target,
        backingStore: backing && compact({ path: backing.path, format: backing.format as VolumeFormat | undefined }),
        extra: args.extra,
    }) as Volume;
    const current: Volume = { ...state.model, capacity: undefined, allocation: undefined, physical: undefined };
    const changes = classifyChanges("volume", current, fillUnset(current, desired));
    const blocking = changes.filter((change) => change.class === "replace");
    if (blocking.length > 0) {
        throw new Error(
            `cannot adopt volume '${vol.name}' in pool '${args.pool}': it differs from the declaration in ways only a new volume could satisfy:\n` +
                `${summarizeChanges(blocking, VOLUME_SECRET_PATHS).join("\n")}\n` +
                "change the declaration to match the volume, or remove the volume (or adopt) to get a new one",
        );
    }
    const action = capacityAction(args.capacity, undefined, state.capacityBytes, args.allowShrink === true);
    if (action.kind === "grow" || action.kind === "shrink") {
        report(`adopting: capacity ${formatBytes(action.actual)} -> ${formatBytes(action.bytes)}`);
        report(await resizeVolume(handle, state, action.bytes));
        state = await readVolumeState(handle.client, vol);
    } else if (action.kind === "replace" || action.kind === "keepLarger") {
        report(
            `adopting: the volume is ${formatBytes(action.actual)}, larger than the declared ${formatBytes(action.bytes)}; keeping it (set allowShrink: true to shrink it)`,
        );
    }
    report(`adopted existing volume ${state.path}`);
    return state;
}
