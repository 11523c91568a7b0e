/**
 * Bringing an existing pool to its declaration (update, adopt, and a create that finds its own
 * interrupted pool): redefine, restart or start, autostart; refusing what only a new pool can change.
 */
import type { ClassifiedChange } from "../../model/change-policy";
import type { StoragePool } from "../../model/storage-pool";
import type { LibvirtClient } from "../../rpc";
import type { RemoteNonnullStoragePool } from "../../rpc/generated";
import { mergeStoragePool } from "../../xml/storage-pool";
import { step } from "../shared/errors";
import { logWarning } from "../shared/log";
import { mayBuild, type StoragePoolArgs } from "./args";
import { buildFlags, type PoolState, startPool } from "./libvirt";

const KIND = "StoragePool";

/** Build settings for startPool: the type when building is allowed, else undefined. */
export function buildOf(args: StoragePoolArgs, model: StoragePool): { type: string } | undefined {
    return mayBuild(args) ? { type: model.type } : undefined;
}

function definitionChanges(changes: readonly ClassifiedChange[]): ClassifiedChange[] {
    return changes.filter((change) => change.path !== "autostart");
}

/**
 * Brings an existing pool to the declared model: redefines it when its definition differs,
 * restarts a running dir pool so the new definition takes effect (other types are left running,
 * with a warning, since stopping them unmounts or deactivates storage guests may use), starts it
 * when inactive, and sets autostart.
 */
export async function converge(
    client: LibvirtClient,
    pool: RemoteNonnullStoragePool,
    current: PoolState,
    model: StoragePool,
    args: StoragePoolArgs,
    changes: readonly ClassifiedChange[],
): Promise<{ built: boolean }> {
    const name = model.name;
    let built = false;
    const redefine = definitionChanges(changes).length > 0;
    if (redefine) {
        const xml = mergeStoragePool(current.inactiveXml, model);
        await step(KIND, name, "redefine", () => client.storagePoolDefineXml({ xml, flags: 0 }));
    }
    // A dir pool applies permissions to its directory only when built; building an existing
    // directory only sets its mode and owner.
    const rebuild =
        model.type === "dir" && mayBuild(args) && changes.some((c) => c.path.startsWith("target.permissions"));
    if (current.active && redefine) {
        if (model.type === "dir") {
            await step(KIND, name, "stop (to apply the new definition)", () => client.storagePoolDestroy({ pool }));
            if (rebuild)
                await step(KIND, name, "build", () => client.storagePoolBuild({ pool, flags: buildFlags(model.type) }));
            built = (await step(KIND, name, "start", () => startPool(client, pool, buildOf(args, model)))).built;
        } else {
            logWarning(KIND, name, `the new definition applies when the ${model.type} pool is next started`);
        }
    } else if (!current.active) {
        if (rebuild)
            await step(KIND, name, "build", () => client.storagePoolBuild({ pool, flags: buildFlags(model.type) }));
        built = (await step(KIND, name, "start", () => startPool(client, pool, buildOf(args, model)))).built;
    }
    const autostart = model.autostart ?? true;
    if (current.autostart !== autostart) {
        await step(KIND, name, "set autostart", () =>
            client.storagePoolSetAutostart({ pool, autostart: autostart ? 1 : 0 }),
        );
    }
    return { built };
}

export function refuseReplacements(action: string, name: string, changes: readonly ClassifiedChange[]): void {
    const replaced = changes.filter((change) => change.class === "replace");
    if (replaced.length === 0) return;
    const list = replaced
        .map((c) => `${c.path} (is ${JSON.stringify(c.oldValue)}, declared ${JSON.stringify(c.newValue)})`)
        .join(", ");
    throw new Error(
        `${KIND} '${name}': cannot ${action}: ${list} cannot change without a new pool; declare the values the pool has, or use another name`,
    );
}

/** The error, with what its cleanup could not undo appended. */
export function withProblems(error: unknown, problems: readonly string[]): Error {
    const base = error instanceof Error ? error : new Error(String(error));
    if (problems.length > 0) base.message += `; cleaning up also failed: ${problems.join("; ")}`;
    return base;
}
