/**
 * Whether a volume may be deleted: not while a defined domain has it as a disk, and not while
 * another volume uses it as its backing image (deleting a base breaks every overlay on it).
 *
 * Pulumi deletes dependents first when the program links them (an overlay naming `base.name`),
 * but a program that spells the names out as plain strings gives no such order, and the engine
 * then deletes both at once. So a volume still in use is given a bounded time to be released
 * before the delete is refused with the users named.
 */
import {
    type LibvirtClient,
    LibvirtError,
    type RemoteNonnullStorageVol,
    sharedRead,
    VirConnectListAllStoragePoolsFlags,
} from "../../rpc";
import { volumeFromXml } from "../../xml/volume";
import { domainsHoldingVolume } from "./domain-disks";
import { identityOf, type PoolHandle, type VolumeState } from "./libvirt";

/** How long a delete waits for users of the volume to go away (a guest's graceful shutdown takes a while). */
export const DEFAULT_IN_USE_WAIT_MS = 60_000;
const POLL_MS = 1_000;

/** Module state: tests of the refusal shorten the wait. */
let inUseWaitMs = DEFAULT_IN_USE_WAIT_MS;

/** Sets how long deletes wait for a volume to be released; returns the previous value. */
export function setInUseWaitMs(ms: number): number {
    const previous = inUseWaitMs;
    inUseWaitMs = ms;
    return previous;
}

function isGone(error: unknown): boolean {
    return LibvirtError.isInstance(error) && (error.isNoStorageVol() || error.isNoStoragePool());
}

/**
 * How long the backing image read from a volume's XML keeps answering for that volume (same pool,
 * name and key). The pools and their volumes are listed afresh by every scan, so a volume created
 * or deleted outside this process is seen at once; only a volume re-created under the same name
 * (or rebased) outside this process within this time goes unseen. Deletes that run one after
 * another (the engine emulator, a destroy of dependent volumes) thus read each volume's XML once
 * instead of every volume's XML each (N deletes cost N x volumes documents before).
 */
export const BACKING_KEEP_MS = 10_000;

/**
 * A volume's backing image path (undefined when it has none), kept BACKING_KEEP_MS. Dropped by any
 * change this process makes that can add or change a backing image (every volume call but a
 * delete touches `backing-images`, rpc/shared-reads.ts) and by the delete of that volume.
 */
function backingOf(client: LibvirtClient, vol: RemoteNonnullStorageVol): Promise<string | undefined> {
    const tags = ["backing-images", `volume:${vol.pool}/${vol.name}`];
    return sharedRead(
        client,
        `backing image of ${vol.pool}/${vol.name} ${vol.key}`,
        { tags, keepMs: BACKING_KEEP_MS },
        async () => {
            const { xml } = await client.storageVolGetXmlDesc({ vol, flags: 0 });
            return volumeFromXml(xml).backingStore?.path;
        },
    );
}

/** Every volume of every running pool by its backing image's path, as `'pool/name'`. */
async function scanBackingImages(client: LibvirtClient): Promise<Map<string, string[]>> {
    const { pools } = await client.connectListAllStoragePools({
        need_results: 1,
        flags: VirConnectListAllStoragePoolsFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
    });
    const byBacking = new Map<string, string[]>();
    await Promise.all(
        pools.map(async (pool) => {
            const vols = await client
                .storagePoolListAllVolumes({ pool, need_results: 1, flags: 0 })
                .then((r) => r.vols)
                .catch((error) => {
                    if (isGone(error) || (LibvirtError.isInstance(error) && error.isOperationInvalid())) return [];
                    throw error;
                });
            await Promise.all(
                vols.map(async (vol) => {
                    try {
                        const backing = await backingOf(client, vol);
                        if (backing === undefined) return;
                        const overlays = byBacking.get(backing) ?? [];
                        overlays.push(`'${pool.name}/${vol.name}'`);
                        byBacking.set(backing, overlays);
                    } catch (error) {
                        // Its pool stopped since the listing (another client's teardown): nothing there backs anything now.
                        if (!isGone(error) && !(LibvirtError.isInstance(error) && error.isOperationInvalid()))
                            throw error;
                    }
                }),
            );
        }),
    );
    return byBacking;
}

/**
 * Module state: the scan in flight per connection. Single-flight, like the domain scan in
 * domain-disks.ts: the deletes Pulumi runs together share one listing of the host's volumes; a
 * later caller starts a new one (which reads only the volumes it has not read lately).
 */
const scans = new WeakMap<LibvirtClient, Promise<Map<string, string[]>>>();

/** Volumes in any running pool whose backing image is `path`, as `'pool/name'`. */
export async function overlaysOf(client: LibvirtClient, path: string): Promise<string[]> {
    let scan = scans.get(client);
    if (scan === undefined) {
        scan = scanBackingImages(client).finally(() => scans.delete(client));
        scans.set(client, scan);
    }
    return [...((await scan).get(path) ?? [])].sort();
}

/** Who uses the volume right now, one phrase per kind of user; empty when nobody does. */
export async function usersOf(handle: PoolHandle, state: VolumeState): Promise<string[]> {
    const [domains, overlays] = await Promise.all([
        domainsHoldingVolume(handle.client, identityOf(state)),
        overlaysOf(handle.client, state.path),
    ]);
    const phrases: string[] = [];
    if (domains.length > 0) {
        phrases.push(`it is a disk of domain(s) ${domains.map((d) => `'${d.domain}' (${d.target})`).join(", ")}`);
    }
    if (overlays.length > 0) phrases.push(`it is the backing image of volume(s) ${overlays.join(", ")}`);
    return phrases;
}

/** Waits (bounded) until nothing uses the volume; then refuses, naming the users and the fix. */
export async function assertUnused(handle: PoolHandle, state: VolumeState): Promise<void> {
    const deadline = Date.now() + inUseWaitMs;
    for (;;) {
        const users = await usersOf(handle, state);
        if (users.length === 0) return;
        if (Date.now() + POLL_MS > deadline) {
            throw new Error(
                `refusing to delete volume '${state.vol.name}' (${state.path}): ${users.join("; ")}; ` +
                    "delete or detach those first (in a program, reference this volume's outputs so Pulumi orders the deletes)",
            );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
}
