/**
 * The libvirt calls the StoragePool handler is made of: look a pool up, read its state, start it
 * (building it first when allowed and needed), list what it holds.
 */
import { type LibvirtClient, LibvirtError } from "../../rpc";
import {
    type RemoteNonnullStoragePool,
    VirStoragePoolBuildFlags,
    VirStoragePoolState,
    VirStorageXMLFlags,
} from "../../rpc/generated";
import type { StoragePool } from "../../model/storage-pool";
import { storagePoolFromXml } from "../../xml/storage-pool";
import { UUID_PATTERN, uuidBytes } from "../../model/uuid";
import { lockKey } from "../shared/locks";
import { unlessGone } from "../shared/unless-gone";

/** The lock serialising changes to one pool; Volume uses the same key for its pool. */
export function poolLockKey(uri: string, poolName: string): string {
    return lockKey("pool", uri, poolName);
}

/**
 * The pool a resource id names: ids are UUIDs (what create returns); a name is accepted too, for
 * `StoragePool.get(name, "images")`. Undefined when no such pool exists.
 */
export function lookupPool(client: LibvirtClient, id: string): Promise<RemoteNonnullStoragePool | undefined> {
    return unlessPoolGone(async () => {
        if (UUID_PATTERN.test(id)) return (await client.storagePoolLookupByUuid({ uuid: uuidBytes(id) })).pool;
        return (await client.storagePoolLookupByName({ name: id })).pool;
    });
}

/** The handle of a pool whose UUID (the resource id) and name are known, without a lookup; undefined for an id that is not a UUID. */
export function poolHandleOf(id: string, name: string): RemoteNonnullStoragePool | undefined {
    return UUID_PATTERN.test(id) ? { name, uuid: uuidBytes(id) } : undefined;
}

/** Runs a read of a pool and turns libvirt's "no such pool" into undefined. */
export function unlessPoolGone<T>(read: () => Promise<T>): Promise<T | undefined> {
    return unlessGone(read, (error) => error.isNoStoragePool());
}

/** A pool's configuration and state as libvirt reports them. */
export interface PoolState {
    /** From the inactive (persistent) XML: what the pool becomes on its next start. */
    model: StoragePool;
    /** The inactive XML itself, for merging on redefine. */
    inactiveXml: string;
    active: boolean;
    autostart: boolean;
    /** Sizes in bytes; zero while the pool is inactive. */
    capacityBytes: number;
    allocationBytes: number;
    availableBytes: number;
}

/** Reads a pool's definition, autostart flag and sizes; whether it runs is in GetInfo's state (libvirt sets it from the same flag IsActive reads). */
export async function readPoolState(client: LibvirtClient, pool: RemoteNonnullStoragePool): Promise<PoolState> {
    const [{ xml }, { autostart }, info] = await Promise.all([
        client.storagePoolGetXmlDesc({ pool, flags: VirStorageXMLFlags.VIR_STORAGE_XML_INACTIVE }),
        client.storagePoolGetAutostart({ pool }),
        client.storagePoolGetInfo({ pool }),
    ]);
    const model = storagePoolFromXml(xml);
    model.autostart = autostart !== 0;
    return {
        model,
        inactiveXml: xml,
        active: info.state !== VirStoragePoolState.VIR_STORAGE_POOL_INACTIVE,
        autostart: autostart !== 0,
        capacityBytes: Number(info.capacity),
        allocationBytes: Number(info.allocation),
        availableBytes: Number(info.available),
    };
}

/** What starting a pool did; filled in as it goes, so a caller rolling back after a failure knows. */
export interface StartProgress {
    built: boolean;
    started: boolean;
}

/**
 * Build flags per type. A dir pool's build only makes its directory, and asking it not to
 * overwrite makes libvirt try to format a source device, so it gets none; every other type's build
 * formats storage and must never overwrite what is there.
 */
export function buildFlags(type: string): number {
    return type === "dir"
        ? VirStoragePoolBuildFlags.VIR_STORAGE_POOL_BUILD_NEW
        : VirStoragePoolBuildFlags.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE;
}

/**
 * Starts an inactive pool. When starting fails and building is allowed (`build` gives the pool
 * type), builds it and starts again. `progress.built` is set as soon as a build succeeded.
 */
export async function startPool(
    client: LibvirtClient,
    pool: RemoteNonnullStoragePool,
    build: { type: string } | undefined,
    progress: StartProgress = { built: false, started: false },
): Promise<StartProgress> {
    try {
        await client.storagePoolCreate({ pool, flags: 0 });
        progress.started = true;
        return progress;
    } catch (error) {
        // Whatever the reason (typically a missing directory), a build may fix it; if it cannot,
        // the build's or the second start's error is the one reported.
        if (build === undefined || !LibvirtError.isInstance(error) || !error.reportedByDaemon) throw error;
    }
    await client.storagePoolBuild({ pool, flags: buildFlags(build.type) });
    progress.built = true;
    await client.storagePoolCreate({ pool, flags: 0 });
    progress.started = true;
    return progress;
}

/** Names of the volumes a pool holds (refreshing it first, so out-of-band files count). */
export async function volumeNames(client: LibvirtClient, pool: RemoteNonnullStoragePool): Promise<string[]> {
    await client.storagePoolRefresh({ pool, flags: 0 });
    const { vols } = await client.storagePoolListAllVolumes({ pool, need_results: 1, flags: 0 });
    return vols.map((vol) => vol.name).sort();
}
