/**
 * StoragePool create: define + start (building a dir pool's directory when missing) + autostart,
 * rolled back on failure. A pool this resource defines gets the owner's UUID (shared/owner.ts)
 * unless one is declared: a create that finds a pool of its name with that UUID (an earlier create
 * was interrupted before the state was written) takes it over and finishes the job; any other is
 * refused unless `adopt` is set.
 */
import { uuidText } from "../../model/uuid";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { classifyChanges } from "../../model/change-policy";
import type { StoragePool } from "../../model/storage-pool";
import type { LibvirtClient } from "../../rpc";
import type { RemoteNonnullStoragePool } from "../../rpc/generated";
import { storagePoolToXml } from "../../xml/storage-pool";
import { clientFor, resolveUri } from "../shared/connection";
import { summarizeChanges } from "../shared/diff";
import { rollback, step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { withLock } from "../shared/locks";
import { logInfo } from "../shared/log";
import { ownsUuid, uuidToDefine } from "../shared/owner";
import { parseStoragePoolArgs, type StoragePoolArgs, storagePoolModel } from "./args";
import { buildOf, converge, refuseReplacements, withProblems } from "./converge";
import { lookupPool, poolLockKey, readPoolState, type StartProgress, startPool } from "./libvirt";
import { outputsOf } from "./outputs";

const KIND = "StoragePool";

/**
 * Create over an existing pool of the same name: one taken over with `adopt: true` (`ours` false),
 * or one an interrupted create of this resource defined (`ours` true).
 */
async function adopt(
    client: LibvirtClient,
    uri: string,
    pool: RemoteNonnullStoragePool,
    args: StoragePoolArgs,
    model: StoragePool,
    inputs: Properties,
    ours = false,
): Promise<dynamic.CreateResult> {
    const before = await step(KIND, model.name, "read", () => readPoolState(client, pool));
    const changes = classifyChanges("storagePool", before.model, model);
    const how = ours
        ? `found the pool that an interrupted create of this resource defined on ${uri} (it has this resource's owner UUID); finishing the job`
        : `adopting the existing pool on ${uri}`;
    logInfo(
        KIND,
        model.name,
        changes.length === 0
            ? `${how}; it matches the declaration`
            : [`${how}; updating it to the declaration:`, ...summarizeChanges(changes)].join("\n"),
    );
    refuseReplacements(ours ? "finish the interrupted create" : "adopt the existing pool", model.name, changes);
    let built: boolean;
    try {
        ({ built } = await converge(client, pool, before, model, args, changes));
    } catch (error) {
        // Put the adopted pool's definition back as it was; its running state is left as found or started.
        const problems = await rollback([() => client.storagePoolDefineXml({ xml: before.inactiveXml, flags: 0 })]);
        throw withProblems(error, problems);
    }
    const state = await step(KIND, model.name, "read", () => readPoolState(client, pool));
    // An adopted pool's directory was not ours: delete never removes it. Ours counts as built when
    // this run built it (whether the interrupted run had built it is not known: it is kept).
    return { id: uuidText(pool.uuid), outs: outputsOf(inputs, uri, state, ours && built) };
}

export async function createStoragePool(inputs: Properties): Promise<dynamic.CreateResult> {
    const args = parseStoragePoolArgs(inputs);
    const model = storagePoolModel(args);
    const uri = resolveUri(args.uri);
    const client = await step(KIND, model.name, `connect to ${uri}`, () => clientFor(uri));
    return withLock(poolLockKey(uri, model.name), async () => {
        const existing = await step(KIND, model.name, "look up", () => lookupPool(client, model.name));
        if (existing !== undefined) {
            if (args.adopt) return adopt(client, uri, existing, args, model, inputs);
            if (ownsUuid(KIND, inputs, uuidText(existing.uuid)))
                return adopt(client, uri, existing, args, model, inputs, true);
            throw new Error(
                `${KIND} '${model.name}' already exists on ${uri}, and this resource did not define it (its UUID ${uuidText(existing.uuid)} is not the owner UUID this resource gives its pools); set adopt: true to take it over, or choose another name`,
            );
        }
        const xml = storagePoolToXml({ ...model, uuid: uuidToDefine(KIND, inputs, model.uuid) });
        const { pool } = await step(KIND, model.name, "define", () => client.storagePoolDefineXml({ xml, flags: 0 }));
        const progress: StartProgress = { started: false, built: false };
        try {
            await step(KIND, model.name, "start", () => startPool(client, pool, buildOf(args, model), progress));
            await step(KIND, model.name, "set autostart", () =>
                client.storagePoolSetAutostart({ pool, autostart: model.autostart === false ? 0 : 1 }),
            );
            const state = await step(KIND, model.name, "read", () => readPoolState(client, pool));
            return { id: uuidText(pool.uuid), outs: outputsOf(inputs, uri, state, progress.built) };
        } catch (error) {
            // Leave nothing behind: stop it, remove the directory only if this create built it
            // (it is empty then), and undefine it.
            const problems = await rollback([
                async () => {
                    if ((await client.storagePoolIsActive({ pool })).active) await client.storagePoolDestroy({ pool });
                },
                async () => {
                    if (progress.built) await client.storagePoolDelete({ pool, flags: 0 });
                },
                () => client.storagePoolUndefine({ pool }),
            ]);
            throw withProblems(error, problems);
        }
    });
}
