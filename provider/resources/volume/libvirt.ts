/**
 * The libvirt calls behind the Volume resource: finding pools and volumes, reading a volume's
 * state, and the calls that change a pool (create, clone, resize, delete), each serialised per
 * host and pool and retried while libvirt reports the pool busy.
 */
import type { Volume } from "../../model/volume";
import {
    type LibvirtClient,
    LibvirtError,
    type RemoteNonnullStoragePool,
    type RemoteNonnullStorageVol,
    VirDomainBlockResizeFlags,
    VirConnectListAllStoragePoolsFlags,
    VirErrorDomain,
    VirStorageVolResizeFlags,
    forgetSharedRead,
    sharedRead,
} from "../../rpc";
import { volumeFromXml } from "../../xml/volume";
import { libvirtCause } from "../shared/errors";
import { retryWhile, withLock, withSharedLock } from "../shared/locks";
import { poolLockKey } from "../storage-pool/libvirt";
import { isPoolBusy } from "./busy";
import { domainsUsingVolume, type VolumeIdentity } from "./domain-disks";

/** Attempts for a busy pool: with delays capped at 2 s, about two minutes (a large clone holds a pool that long). */
export const BUSY_ATTEMPTS = 64;

/** Where a volume lives: the connection, the URI it was opened with, and the pool. */
export interface PoolHandle {
    readonly client: LibvirtClient;
    readonly uri: string;
    readonly pool: RemoteNonnullStoragePool;
}

/** A volume as libvirt reports it. */
export interface VolumeState {
    readonly vol: RemoteNonnullStorageVol;
    /** The volume's XML, read into the model (sizes in bytes). */
    readonly model: Volume;
    readonly path: string;
    readonly format: string;
    readonly capacityBytes: number;
    readonly allocationBytes: number;
}

/**
 * Runs a call that changes `pool`: one at a time per host and pool, retried while the pool is busy.
 * With `beside: true`, beside other such calls but never beside an exclusive one: for creating a new
 * volume, which libvirt runs side by side with other creates in the pool (it drops the pool's lock
 * while qemu-img builds the file; 50 qcow2 creates in one pool took 0.48-0.77 s with 8 in flight
 * against 1.08-1.66 s one after another, python3-libvirt, 2026-12-07, load 8.4-8.8), and which
 * makes the pool refuse a refresh or destroy only while it runs (those stay exclusive here).
 */
export function changePool<T>(
    handle: PoolHandle,
    fn: () => Promise<T>,
    options: { beside?: boolean } = {},
): Promise<T> {
    const lock = options.beside ? withSharedLock : withLock;
    return lock(poolLockKey(handle.uri, handle.pool.name), () =>
        retryWhile(isPoolBusy, fn, { attempts: BUSY_ATTEMPTS }),
    );
}

/** Retries a call while the pool is busy, without taking the pool's lock (long transfers, wipes). */
export function retryBusy<T>(fn: () => Promise<T>): Promise<T> {
    return retryWhile(isPoolBusy, fn, { attempts: BUSY_ATTEMPTS });
}

/** The shared listing of the running pools: while in flight only, or kept (see `openPool`). */
const RUNNING_POOLS = "running pools";
const RUNNING_POOLS_KEPT = "running pools, kept for volume creates";

/**
 * How long the kept listing answers the creates of new volumes: the creates of a burst (an `up`
 * of 200 volumes spreads them over seconds) then share one listing instead of one per wave. A
 * pool changed by hand in that time is caught by libvirt's refusal of the create (`poolRefusal`).
 */
const RUNNING_POOLS_KEPT_MS = 5_000;

/** The running pools, and when libvirt's answer arrived (ms since the epoch). */
function listRunningPools(
    client: LibvirtClient,
    key: string,
    keepMs: number,
): Promise<{ pools: RemoteNonnullStoragePool[]; listedAt: number }> {
    // Any change this process makes to a pool (define, start, stop, undefine, refresh, autostart:
    // every STORAGE_POOL_ call that is not a read) touches `pool:<name>` or `pool:*` and drops it.
    return sharedRead(client, key, { tags: ["pool:*"], keepMs }, async () => {
        const { pools } = await client.connectListAllStoragePools({
            need_results: 1,
            flags: VirConnectListAllStoragePoolsFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
        });
        return { pools, listedAt: Date.now() };
    });
}

/**
 * The pool, which must exist and be running; the error says how to fix it otherwise. One listing
 * of the running pools answers every volume of the host created or changed at the same time
 * (rpc/shared-reads.ts; any change this process makes to a pool drops it); only a pool missing
 * from it is looked up, to say why.
 *
 * With `kept`, a listing up to RUNNING_POOLS_KEPT_MS old answers (a pool missing from an older
 * one, perhaps started by hand since, is listed afresh as above). Its handle may name a pool
 * stopped or re-created by hand since, so only callers that catch libvirt's refusal of their call
 * for it (`poolRefusal`, then `reopenPool`) before anything else uses the handle may ask for it:
 * the create of a plain new volume. Others (a lookup in the pool answers "no such volume" for a
 * stale handle, `findVolume`) list while in flight only.
 */
export async function openPool(
    client: LibvirtClient,
    uri: string,
    name: string,
    options: { kept?: boolean } = {},
): Promise<PoolHandle> {
    if (options.kept) {
        const asked = Date.now();
        const kept = await listRunningPools(client, RUNNING_POOLS_KEPT, RUNNING_POOLS_KEPT_MS);
        const pool = kept.pools.find((p) => p.name === name);
        if (pool !== undefined) return { client, uri, pool };
        // Not running when listed: ask again, unless the listing is as new as this call.
        if (kept.listedAt >= asked) return openPoolOnce(client, uri, name);
    }
    const running = await listRunningPools(client, RUNNING_POOLS, 0);
    const pool = running.pools.find((p) => p.name === name);
    if (pool === undefined) return openPoolOnce(client, uri, name);
    // Started since the kept listing (by hand): the creates after this one list it again.
    if (options.kept) forgetSharedRead(client, RUNNING_POOLS_KEPT);
    return { client, uri, pool };
}

/**
 * Why libvirt refused a volume create for the pool's handle, or undefined when it did not: "gone"
 * when the handle's UUID names no pool (VIR_ERR_NO_STORAGE_POOL: undefined, or re-created by hand
 * with a new UUID), "stopped" when the pool is not running (VIR_ERR_OPERATION_INVALID from the
 * storage driver). Both measured on libvirt 9.0 with a handle listed before `virsh pool-destroy`,
 * `pool-undefine` and a new `pool-define-as`. OPERATION_INVALID has other causes too (a file of
 * the volume's name in a dir pool): `reopenPool` tells them apart.
 */
export function poolRefusal(error: unknown): "gone" | "stopped" | undefined {
    const cause = libvirtCause(error);
    if (cause?.procedure !== "STORAGE_VOL_CREATE_XML" || cause.domain !== VirErrorDomain.VIR_FROM_STORAGE)
        return undefined;
    if (cause.isNoStoragePool()) return "gone";
    if (cause.isOperationInvalid()) return "stopped";
    return undefined;
}

/**
 * The pool as it is now, after libvirt refused a call for a handle from a kept listing: the kept
 * listing is dropped, and the pool looked up and asked whether it runs, unshared, so the error is
 * the clear one of `openPool` ("does not exist", "is not running; start it").
 */
export function reopenPool(client: LibvirtClient, uri: string, name: string): Promise<PoolHandle> {
    forgetSharedRead(client, RUNNING_POOLS_KEPT);
    return openPoolOnce(client, uri, name);
}

/** The pool looked up by name, then asked whether it runs. */
async function openPoolOnce(client: LibvirtClient, uri: string, name: string): Promise<PoolHandle> {
    let pool: RemoteNonnullStoragePool;
    try {
        ({ pool } = await client.storagePoolLookupByName({ name }));
    } catch (error) {
        if (LibvirtError.isInstance(error) && error.isNoStoragePool()) {
            throw new Error(
                `storage pool '${name}' does not exist on ${uri}; create it first (a StoragePool resource)`,
            );
        }
        throw error;
    }
    const { active } = await client.storagePoolIsActive({ pool });
    if (!active)
        throw new Error(`storage pool '${name}' on ${uri} is not running; start it (virsh pool-start ${name})`);
    return { client, uri, pool };
}

/**
 * The pool named in stored properties, or undefined when the pool itself is gone (and its volumes
 * with it). The volumes of one pool deleted or read at the same time share the lookup.
 */
export async function poolIfExists(client: LibvirtClient, uri: string, name: string): Promise<PoolHandle | undefined> {
    // Kept a short while: deletes one after another share it (a pool gone since then fails the
    // volume's read with NO_STORAGE_POOL, which callers take as gone too).
    const keep = { tags: [`pool:${name}`], keepMs: 2_000 };
    const pool = await sharedRead(client, `pool lookup ${name}`, keep, async () => {
        try {
            return (await client.storagePoolLookupByName({ name })).pool;
        } catch (error) {
            if (LibvirtError.isInstance(error) && error.isNoStoragePool()) return undefined;
            throw error;
        }
    });
    return pool && { client, uri, pool };
}

/** The volume of that name in the pool, or undefined when there is none. */
export async function findVolume(handle: PoolHandle, name: string): Promise<RemoteNonnullStorageVol | undefined> {
    try {
        return (await handle.client.storageVolLookupByName({ pool: handle.pool, name })).vol;
    } catch (error) {
        // A pool gone since its (kept) lookup has no volumes.
        if (LibvirtError.isInstance(error) && (error.isNoStorageVol() || error.isNoStoragePool())) return undefined;
        throw error;
    }
}

/**
 * Reads a volume's XML, sizes included: libvirt refreshes a volume from its file (the backend's
 * refreshVol) before it formats the XML, just as it does before answering GetInfo, so one call
 * gives both. The handle's key is taken from the XML (see `volumeByName`).
 */
export async function readVolumeState(client: LibvirtClient, vol: RemoteNonnullStorageVol): Promise<VolumeState> {
    const { xml } = await client.storageVolGetXmlDesc({ vol, flags: 0 });
    const model = volumeFromXml(xml, vol.pool);
    const key = model.key ?? vol.key;
    return {
        vol: { ...vol, key },
        model,
        path: model.target?.path ?? key,
        format: model.target?.format ?? "raw",
        capacityBytes: model.capacity ?? 0,
        allocationBytes: model.allocation ?? 0,
    };
}

/**
 * A handle for the volume `name` of pool `pool`, without asking libvirt: the storage driver finds
 * a volume by its pool's name and its own name (the handle's key is not used), so a read through it
 * fails with VIR_ERR_NO_STORAGE_POOL or VIR_ERR_NO_STORAGE_VOL as a lookup would. The key is
 * unknown until the volume is read (`readVolumeState` fills it in).
 */
export function volumeByName(pool: string, name: string): RemoteNonnullStorageVol {
    return { pool, name, key: "" };
}

/** How `volume` is named by domains' disks. */
export function identityOf(state: VolumeState): VolumeIdentity {
    return { path: state.path, pool: state.vol.pool, name: state.vol.name };
}

/** Domains listed as `'vm1' (vda)`, for messages. */
function listUsers(users: readonly { domain: string; target: string }[]): string {
    return users.map((user) => `'${user.domain}' (${user.target})`).join(", ");
}

/**
 * Sets a volume's capacity. A disk of a running guest is resized through the guest's block device
 * (QEMU holds the image open and locked, and the guest must see the new size); any other volume
 * through the pool. Shrinking a disk of a running guest, or resizing an image a running guest reads
 * as a backing file, is refused.
 */
export async function resizeVolume(handle: PoolHandle, state: VolumeState, bytes: number): Promise<string> {
    const shrink = bytes < state.capacityBytes;
    const users = await domainsUsingVolume(handle.client, identityOf(state));
    const live = users.filter((user) => user.live);
    const backingOnly = live.filter((user) => !user.top);
    if (backingOnly.length > 0) {
        throw new Error(
            `cannot resize volume '${state.vol.name}': running domain(s) ${listUsers(backingOnly)} read it as a backing image; resize their overlay instead`,
        );
    }
    if (live.length > 0) {
        if (shrink) {
            throw new Error(
                `refusing to shrink volume '${state.vol.name}' while running domain(s) ${listUsers(live)} use it; shut the guest down first`,
            );
        }
        const [user] = live;
        await handle.client.domainBlockResize({
            dom: user!.dom,
            disk: user!.target,
            size: BigInt(bytes),
            flags: VirDomainBlockResizeFlags.VIR_DOMAIN_BLOCK_RESIZE_BYTES,
        });
        return `grew the block device ${user!.target} of running domain '${user!.domain}'`;
    }
    await changePool(handle, () =>
        handle.client.storageVolResize({
            vol: state.vol,
            capacity: BigInt(bytes),
            flags: shrink ? VirStorageVolResizeFlags.VIR_STORAGE_VOL_RESIZE_SHRINK : 0,
        }),
    );
    return shrink ? "shrank the volume" : "grew the volume";
}

/** Deletes a volume (wiping it first when asked); a volume already gone is not an error. */
export async function deleteVolume(handle: PoolHandle, vol: RemoteNonnullStorageVol, wipe: boolean): Promise<void> {
    const ignoreGone = (error: unknown) => {
        if (LibvirtError.isInstance(error) && error.isNoStorageVol()) return;
        throw error;
    };
    if (wipe) await retryBusy(() => handle.client.storageVolWipe({ vol, flags: 0 })).catch(ignoreGone);
    await changePool(handle, () => handle.client.storageVolDelete({ vol, flags: 0 })).catch(ignoreGone);
}

/**
 * The volume's state, or undefined when its file is gone: libvirt answers NO_STORAGE_VOL once it
 * finds the file removed behind its back (and forgets the volume).
 */
export async function readIfPresent(
    client: LibvirtClient,
    vol: RemoteNonnullStorageVol,
): Promise<VolumeState | undefined> {
    try {
        return await readVolumeState(client, vol);
    } catch (error) {
        // The pool gone (since a kept lookup of it) takes its volumes with it.
        if (LibvirtError.isInstance(error) && (error.isNoStorageVol() || error.isNoStoragePool())) return undefined;
        throw error;
    }
}
