/**
 * Deciding how an existing network reaches its declaration: which changed fields libvirt can
 * apply in place, which need the definition rewritten, and whether the running network must be
 * restarted for them, which only happens when the user allowed it.
 */
import { type ClassifiedChange, classifyChanges } from "../../model/change-policy";
import type { Network } from "../../model/network";
import type { NetworkState } from "./libvirt";

export interface NetworkUpdatePlan {
    /** The persistent definition must be rewritten (fields outside the in-place lists changed). */
    redefine: boolean;
    /** The running network must be stopped and started to use the new definition. */
    restart: boolean;
    /** The fields that need the restart (or would, when it was not allowed). */
    restartFields: string[];
    /** The autostart flag to set, when it differs. */
    autostart: boolean | undefined;
}

/**
 * The error for changes that need a restart of an active network when `allowRestart` is not set.
 * Shared by `diff` (so preview fails before anything changes) and `update` (which re-plans from
 * what libvirt has, in case the state was stale).
 */
export function restartNotAllowed(name: string, changes: readonly ClassifiedChange[]): Error {
    const fields = [...new Set(changes.map((change) => change.path))];
    const details = changes
        .map((change) => `${change.path}: ${JSON.stringify(change.oldValue)} -> ${JSON.stringify(change.newValue)}`)
        .join("; ");
    return new Error(
        `Network '${name}': ${fields.join(", ")} can only change by restarting the network, which disconnects every guest attached to it (${details}). ` +
            "Set `allowRestart: true` on the Network to let pulumi-libvirt restart it, or revert those fields. Nothing was changed.",
    );
}

function withoutAutostart(model: Network): Network {
    const { autostart: _autostart, ...rest } = model;
    return rest;
}

/**
 * Plans the update from what libvirt has (`state`) to `target` (the declaration; values it leaves
 * unset where the policy table keeps libvirt's are no change). Throws, before anything changes, when a field can only change
 * by replacement or by a restart that was not allowed.
 */
export function planNetworkUpdate(
    state: NetworkState,
    target: Network,
    autostart: boolean,
    allowRestart: boolean,
): NetworkUpdatePlan {
    const name = state.config.name;
    const changes = classifyChanges("network", withoutAutostart(state.config), withoutAutostart(target));
    const replaced = changes.filter((change) => change.class === "replace");
    if (replaced.length > 0) {
        const fields = replaced.map((change) => `${change.path} (${change.why})`).join(", ");
        throw new Error(
            `Network '${name}': ${fields} differ from what libvirt has and can only change by replacing the network; ` +
                "change the resource's name (or `pulumi up --replace` it) to recreate it. Nothing was changed.",
        );
    }
    const needsDefinition = changes.filter((change) => change.class !== "live");
    const restartFields = [...new Set(needsDefinition.map((change) => change.path))];
    if (needsDefinition.length > 0 && state.active && !allowRestart) throw restartNotAllowed(name, needsDefinition);
    return {
        redefine: needsDefinition.length > 0,
        restart: needsDefinition.length > 0 && state.active,
        restartFields,
        autostart: autostart === state.autostart ? undefined : autostart,
    };
}
