/**
 * The StoragePool resource: define + start (building a dir pool's directory when missing) +
 * autostart; transactional create; adopt an existing pool; read from the inactive XML plus the
 * running and autostart state; update per the change classifier; delete refuses a pool that still
 * holds volumes. A pool this resource defines gets the owner's UUID (shared/owner.ts) unless one
 * is declared: a create that finds a pool of its name with that UUID (an earlier create was
 * interrupted before the state was written) takes it over and finishes the job; any other is
 * refused unless `adopt` is set.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { type ClassifiedChange, classifyChanges } from "../../model/change-policy";
import type { StoragePool } from "../../model/storage-pool";
import type { LibvirtClient } from "../../rpc";
import type { RemoteNonnullStoragePool } from "../../rpc/generated";
import { mergeStoragePool, storagePoolToXml } from "../../xml/storage-pool";
import { checkInputs, parseInputs } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import { diffResource, oldUri, summarizeChanges, uriChangeOf } from "../shared/diff";
import { describeError, rollback, step } from "../shared/errors";
import type { Properties, ResourceHandler } from "../shared/handler";
import { warnLeftAlone } from "../shared/identity";
import { lockKey, withLock } from "../shared/locks";
import { logInfo, logWarning } from "../shared/log";
import { makeOutputs } from "../shared/outputs";
import { ownsUuid, uuidToDefine } from "../shared/owner";
import {
    mayBuild,
    STORAGE_POOL_RESOURCE_FIELDS,
    type StoragePoolArgs,
    storagePoolArgFailures,
    storagePoolArgsSchema,
    storagePoolModel,
} from "./args";
import {
    buildFlags,
    lookupPool,
    poolHandleOf,
    type PoolState,
    readPoolState,
    unlessPoolGone,
    type StartProgress,
    startPool,
    uuidText,
    volumeNames,
} from "./libvirt";

const KIND = "StoragePool";

/** The lock serialising changes to one pool; Volume uses the same key for its pool. */
export function poolLockKey(uri: string, poolName: string): string {
    return lockKey("pool", uri, poolName);
}

function parseArgs(props: Properties): StoragePoolArgs {
    return parseInputs(KIND, storagePoolArgsSchema, props);
}

/** Build settings for startPool: the type when building is allowed, else undefined. */
function buildOf(args: StoragePoolArgs, model: StoragePool): { type: string } | undefined {
    return mayBuild(args) ? { type: model.type } : undefined;
}

function modelOf(props: Properties): StoragePool {
    return storagePoolModel(parseArgs(props));
}

/** Outputs: the inputs echoed plus what libvirt reports. */
function outputsOf(inputs: Properties, uri: string, state: PoolState, built: boolean): Properties {
    return makeOutputs(inputs, {
        uri,
        name: state.model.name,
        type: state.model.type,
        uuid: state.model.uuid,
        autostart: state.autostart,
        active: state.active,
        capacityBytes: state.capacityBytes,
        allocationBytes: state.allocationBytes,
        availableBytes: state.availableBytes,
        built,
    });
}

/** The model's configurable fields in argument form, for refreshed outputs. */
function argsFromModel(model: StoragePool): Properties {
    const { capacity: _c, allocation: _a, available: _v, ...config } = model;
    return config;
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
async function converge(
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

function refuseReplacements(action: string, name: string, changes: readonly ClassifiedChange[]): void {
    const replaced = changes.filter((change) => change.class === "replace");
    if (replaced.length === 0) return;
    const list = replaced
        .map((c) => `${c.path} (is ${JSON.stringify(c.oldValue)}, declared ${JSON.stringify(c.newValue)})`)
        .join(", ");
    throw new Error(
        `${KIND} '${name}': cannot ${action}: ${list} cannot change without a new pool; declare the values the pool has, or use another name`,
    );
}

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

function withProblems(error: unknown, problems: readonly string[]): Error {
    const base = error instanceof Error ? error : new Error(String(error));
    if (problems.length > 0) base.message += `; cleaning up also failed: ${problems.join("; ")}`;
    return base;
}

async function create(inputs: Properties): Promise<dynamic.CreateResult> {
    const args = parseArgs(inputs);
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

async function read(id: string, props: Properties = {}): Promise<dynamic.ReadResult> {
    const uri = oldUri(props);
    const name = typeof props.name === "string" ? props.name : id;
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    // A refresh knows the UUID and the name: the pool is read directly (libvirt's storage driver
    // finds a pool by its UUID, and a gone pool fails the read as it fails a lookup). A `get` by name looks up.
    const known = typeof props.name === "string" ? poolHandleOf(id, props.name) : undefined;
    const pool = known ?? (await step(KIND, name, "look up", () => lookupPool(client, id)));
    if (pool === undefined) return { id: "" };
    const state = await step(KIND, pool.name, "read", () => unlessPoolGone(() => readPoolState(client, pool)));
    if (state === undefined) return { id: "" };
    const kept: Properties = {};
    for (const key of [...STORAGE_POOL_RESOURCE_FIELDS, "__provider"]) if (key in props) kept[key] = props[key];
    const outs = outputsOf({ ...kept, ...argsFromModel(state.model) }, uri, state, props.built === true);
    return { id, props: outs };
}

async function update(id: string, olds: Properties, news: Properties): Promise<dynamic.UpdateResult> {
    const args = parseArgs(news);
    const model = storagePoolModel(args);
    const uri = oldUri(olds);
    const client = await step(KIND, model.name, `connect to ${uri}`, () => clientFor(uri));
    return withLock(poolLockKey(uri, model.name), async () => {
        const pool = await step(KIND, model.name, "look up", () => lookupPool(client, id));
        if (pool === undefined) {
            throw new Error(
                `${KIND} '${model.name}' no longer exists on ${uri} (removed outside Pulumi); run a refresh, then up again to recreate it`,
            );
        }
        const current = await step(KIND, model.name, "read", () => readPoolState(client, pool));
        // Converge from what libvirt has now, so out-of-band edits are corrected too.
        const changes = classifyChanges("storagePool", current.model, model);
        refuseReplacements("update in place", model.name, changes);
        const { built } = await converge(client, pool, current, model, args, changes);
        const state = await step(KIND, model.name, "read", () => readPoolState(client, pool));
        return { outs: outputsOf(news, uri, state, built || olds.built === true) };
    });
}

async function remove(id: string, props: Properties): Promise<void> {
    const uri = oldUri(props);
    const name = typeof props.name === "string" ? props.name : id;
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    await withLock(poolLockKey(uri, name), async () => {
        // By the recorded UUID (the ID): a pool that now has the name is not necessarily ours.
        const pool = await step(KIND, name, "look up", () => lookupPool(client, id));
        if (pool === undefined) {
            const namesake = name !== id ? await lookupPool(client, name) : undefined;
            if (namesake !== undefined) warnLeftAlone(KIND, name, "UUID", uuidText(namesake.uuid), id);
            return; // ours is already gone: nothing to do
        }
        const state = await step(KIND, name, "read", () => readPoolState(client, pool));
        let active = state.active;
        if (!active) {
            // Volumes can only be listed while the pool runs; one that cannot start holds none we can see.
            active = await startPool(client, pool, undefined).then(
                () => true,
                () => false,
            );
        }
        if (active) {
            const volumes = await step(KIND, name, "list volumes", () => volumeNames(client, pool));
            if (volumes.length > 0) {
                if (!state.active) await client.storagePoolDestroy({ pool }).catch(() => undefined);
                throw new Error(
                    `${KIND} '${name}' still holds ${volumes.length} volume(s): ${volumes.join(", ")}; delete them first (remove their Volume resources, or virsh vol-delete), then run again. Nothing was removed.`,
                );
            }
            await step(KIND, name, "stop", () => client.storagePoolDestroy({ pool }));
        }
        // The directory goes only when this resource built it (it is empty now: no volumes).
        if (props.built === true && state.model.type === "dir") {
            await client.storagePoolDelete({ pool, flags: 0 }).catch((error: unknown) => {
                logWarning(KIND, name, `left its directory in place: ${describeError(error)}`);
            });
        }
        await step(KIND, name, "undefine", () => client.storagePoolUndefine({ pool }));
    });
}

export const storagePoolHandler: ResourceHandler = {
    async check(olds, news) {
        return checkInputs(storagePoolArgsSchema, olds, news, {
            nameKey: "name",
            refine: (args: StoragePoolArgs) => storagePoolArgFailures(args),
        });
    },

    async diff(_id, olds, news) {
        const { result } = diffResource({
            kind: KIND,
            policyKind: "storagePool",
            olds,
            news,
            toModel: modelOf,
            resourceFields: { build: "ignore" },
            uriChange: await uriChangeOf(olds, news),
        });
        // A pool stopped outside Pulumi (seen by refresh) is started again by an update.
        if (olds.active === false && !result.changes) {
            logInfo(KIND, news.name, "is not running; the update starts it");
            return { ...result, changes: true };
        }
        return result;
    },

    create,
    read,
    update,
    delete: remove,
};
