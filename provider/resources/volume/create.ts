/**
 * Creating a volume, in one of four ways: empty (with preallocation), filled from an image (local
 * file or http(s) URL, streamed), cloned from another volume, or as a qcow2 overlay on a backing
 * image. Creation is transactional: once the volume exists, any later failure (upload, checksum,
 * format check, resize) deletes it again before the error is thrown.
 */
import type { Volume, VolumeFormat } from "../../model/volume";
import { LibvirtError, type RemoteNonnullStorageVol, VirErrorNumber, VirStorageVolCreateFlags } from "../../rpc";
import { formatBytes } from "../../model/units";
import { describeError } from "../shared/errors";
import { redoneChange } from "../shared/lost-reply";
import { compact } from "../../xml/values";
import { volumeToXml } from "../../xml/volume";
import type { VolumeArgs } from "./args";
import { type OpenedImage, openImage } from "./image-source";
import {
    changePool,
    deleteVolume,
    findVolume,
    openPool,
    type PoolHandle,
    readVolumeState,
    resizeVolume,
    type VolumeState,
} from "./libvirt";
import { deleteOnFailure } from "./rollback";
import { uploadImage } from "./upload";

/** Where progress and notes go (the handler prefixes them with the volume's name). */
export type Report = (line: string) => void;

/** The XML-level model of the new volume: the arguments' model fields, with `name` resolved. */
function volumeModel(args: VolumeArgs, name: string, overrides: Partial<Volume> = {}): Volume {
    return compact({
        name,
        type: args.type,
        capacity: args.capacity,
        allocation: args.allocation,
        target: args.target,
        extra: args.extra,
        ...overrides,
    }) as Volume;
}

/**
 * The qcow2 compatibility level of a new image. libvirt asks qemu-img for compat 0.10 when the XML
 * names none (the format of QEMU before 1.1, without lazy refcounts, zero clusters or extended L2),
 * also for clones of 1.1 images; every QEMU a lab runs reads 1.1, so that is the default here. A
 * declared `target.compat` is kept as written.
 */
export const DEFAULT_QCOW2_COMPAT = "1.1";

function withDefaultCompat(target: Volume["target"], format: string | undefined): Volume["target"] {
    if (format !== "qcow2" || target?.compat !== undefined) return target;
    return { ...target, compat: DEFAULT_QCOW2_COMPAT };
}

/**
 * Space reserved at creation. libvirt reserves the whole capacity when `<allocation>` is missing, so
 * "off" (the default) says 0 explicitly; "full" reserves everything.
 */
function allocationFor(args: VolumeArgs, capacity: number | undefined): number | undefined {
    if (args.allocation !== undefined) return args.allocation;
    if (args.preallocation === "full") return capacity;
    return 0;
}

/** Create flags: qcow2 preallocation goes through qemu-img (metadata, or falloc when fully allocated). */
function createFlags(args: VolumeArgs, format: string | undefined): number {
    const qcow2Prealloc = format === "qcow2" && (args.preallocation === "metadata" || args.preallocation === "full");
    return qcow2Prealloc ? VirStorageVolCreateFlags.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA : 0;
}

/**
 * qemu-img times LUKS key derivation with its thread's CPU clock, and where that clock is coarse
 * (a loaded virtual machine) the timing fails now and then; libvirt reports it only as an
 * internal error of the create, after removing the half-made file. An encrypted create is
 * therefore tried a few times; other volumes fail at the first error.
 *
 * qemu-img's refusal of a size the pool's filesystem cannot hold (ext4 stops at 16 TiB) is the
 * same internal error, which no retry fixes. The code cannot tell the two apart, so after the first
 * failure the pool is asked directly: a sparse raw volume of that size, made by libvirt itself
 * (no qemu-img, no key derivation) and removed again. If that fails too, the size is the problem
 * and the create fails at once, saying so.
 */
const ENCRYPTED_CREATE_ATTEMPTS = 4;
const ENCRYPTED_RETRY_FIRST_DELAY_MS = 100;

/** Why the pool cannot hold a volume of `capacity` bytes at all, or undefined when it can. */
async function sizeRefusal(handle: PoolHandle, name: string, capacity: number): Promise<unknown> {
    const probe = volumeToXml({ name: `${name}.size-probe`, capacity, allocation: 0, target: { format: "raw" } });
    let made: RemoteNonnullStorageVol;
    try {
        ({ vol: made } = await changePool(handle, () =>
            handle.client.storageVolCreateXml({ pool: handle.pool, xml: probe, flags: 0 }),
        ));
    } catch (error) {
        // A leftover probe of that name says nothing about the size: keep retrying as before.
        if (LibvirtError.isInstance(error) && error.code === VirErrorNumber.VIR_ERR_STORAGE_VOL_EXIST) return undefined;
        return error;
    }
    await deleteVolume(handle, made, false);
    return undefined;
}

/** An encrypted create, retried only while the failure can be qemu-img's passing timing failure. */
async function createEncrypted<T>(
    handle: PoolHandle,
    name: string,
    capacity: number | undefined,
    create: () => Promise<T>,
) {
    let delay = ENCRYPTED_RETRY_FIRST_DELAY_MS;
    for (let attempt = 1; ; attempt++) {
        try {
            return await create();
        } catch (error) {
            if (attempt >= ENCRYPTED_CREATE_ATTEMPTS || !isInternalCreateError(error)) throw error;
            if (attempt === 1 && capacity !== undefined) {
                const refusal = await sizeRefusal(handle, name, capacity);
                if (refusal !== undefined) {
                    throw new UnfixableCreateError(
                        `${describeError(error)}; not retried: the pool cannot hold a ${formatBytes(capacity)} volume even without encryption (${describeError(refusal)}). ` +
                            "Lower capacity, or use a pool on a filesystem that takes files this large",
                        error,
                    );
                }
            }
            await new Promise((resolve) => setTimeout(resolve, delay));
            delay *= 2;
        }
    }
}

/** A create failure that no retry can fix; keeps libvirt's error as its cause. */
export class UnfixableCreateError extends Error {
    constructor(
        message: string,
        override readonly cause: unknown,
    ) {
        super(message);
        this.name = "UnfixableCreateError";
    }
}

function isInternalCreateError(error: unknown): boolean {
    return (
        LibvirtError.isInstance(error) &&
        error.code === VirErrorNumber.VIR_ERR_INTERNAL_ERROR &&
        error.procedure === "STORAGE_VOL_CREATE_XML"
    );
}

/**
 * Creates volume `name` in the pool. A create whose reply was lost is not sent again blindly (a
 * second one would fail "already exists"): the name was free just before and is the volume's only
 * owner record, so a volume of that name in the pool now is the one the lost call made. Its content
 * is not trusted: libvirtd may have died while it allocated, cloned or formatted it. So it is
 * deleted (nothing uses it: this resource's dependents are created after it) and the create runs
 * again.
 */
export function createChecked(
    handle: PoolHandle,
    name: string,
    create: () => Promise<{ vol: RemoteNonnullStorageVol }>,
    /** `beside`: a new volume, created beside the pool's other creates (see changePool). */
    options: { beside?: boolean } = {},
): Promise<{ vol: RemoteNonnullStorageVol }> {
    return redoneChange(
        { kind: "Volume", name, operation: "create" },
        () => changePool(handle, create, options),
        async () => {
            const made = await findVolume(handle, name);
            if (made === undefined) return false;
            await deleteVolume(handle, made, false);
            return true;
        },
    );
}

async function createEmpty(handle: PoolHandle, args: VolumeArgs, name: string): Promise<RemoteNonnullStorageVol> {
    const capacity = args.capacity;
    const xml = volumeToXml(
        volumeModel(args, name, {
            allocation: allocationFor(args, capacity),
            target: withDefaultCompat(args.target, args.target?.format),
        }),
    );
    const flags = createFlags(args, args.target?.format);
    const create = () =>
        createChecked(handle, name, () => handle.client.storageVolCreateXml({ pool: handle.pool, xml, flags }), {
            beside: true,
        });
    if (args.target?.encryption === undefined) return (await create()).vol;
    return (await createEncrypted(handle, name, capacity, create)).vol;
}

/** The backing image of an overlay: its path and format, and its capacity for an overlay without one. */
export async function resolveBacking(
    handle: PoolHandle,
    args: VolumeArgs,
): Promise<{ path: string; format: string | undefined; capacity: number | undefined }> {
    const backing = args.backingStore!;
    if (backing.volume !== undefined) {
        const poolName = backing.volume.pool ?? args.pool;
        const pool = poolName === args.pool ? handle : await openPool(handle.client, handle.uri, poolName);
        const vol = await findVolume(pool, backing.volume.name);
        if (vol === undefined) {
            throw new Error(`the backing volume '${backing.volume.name}' does not exist in pool '${poolName}'`);
        }
        const state = await readVolumeState(handle.client, vol);
        return { path: state.path, format: backing.format ?? state.format, capacity: state.capacityBytes };
    }
    // A path may still be a volume libvirt knows, which tells its size and format.
    const known = await handle.client.storageVolLookupByPath({ path: backing.path! }).catch(() => undefined);
    const state = known && (await readVolumeState(handle.client, known.vol));
    return { path: backing.path!, format: backing.format ?? state?.format, capacity: state?.capacityBytes };
}

async function createOverlay(handle: PoolHandle, args: VolumeArgs, name: string): Promise<RemoteNonnullStorageVol> {
    const backing = await resolveBacking(handle, args);
    const capacity = args.capacity ?? backing.capacity;
    if (capacity === undefined) {
        throw new Error(`the size of the backing image ${backing.path} is unknown to libvirt; set capacity`);
    }
    const model = volumeModel(args, name, {
        capacity,
        allocation: 0,
        target: withDefaultCompat({ ...args.target, format: "qcow2" }, "qcow2"),
        backingStore: compact({ path: backing.path, format: backing.format as VolumeFormat | undefined }),
    });
    const xml = volumeToXml(model);
    return (
        await createChecked(
            handle,
            name,
            () => handle.client.storageVolCreateXml({ pool: handle.pool, xml, flags: 0 }),
            { beside: true },
        )
    ).vol;
}

async function createClone(handle: PoolHandle, args: VolumeArgs, name: string): Promise<RemoteNonnullStorageVol> {
    const ref = args.cloneFrom!;
    const poolName = ref.pool ?? args.pool;
    const sourcePool = poolName === args.pool ? handle : await openPool(handle.client, handle.uri, poolName);
    const source = await findVolume(sourcePool, ref.name);
    if (source === undefined)
        throw new Error(`the volume to clone, '${ref.name}', does not exist in pool '${poolName}'`);
    const sourceState = await readVolumeState(handle.client, source);
    // Without a format libvirt would write the clone as raw; keep the source's unless told otherwise.
    const format = args.target?.format ?? (sourceState.format as VolumeFormat);
    // The clone takes the source's capacity; a larger declared capacity is applied by a resize afterwards.
    const xml = volumeToXml(
        volumeModel(args, name, {
            capacity: undefined,
            allocation: undefined,
            target: withDefaultCompat({ ...args.target, format }, format),
        }),
    );
    return (
        await createChecked(handle, name, () =>
            handle.client.storageVolCreateXmlFrom({ pool: handle.pool, xml, clonevol: source, flags: 0 }),
        )
    ).vol;
}

async function createFromImage(
    handle: PoolHandle,
    args: VolumeArgs,
    name: string,
    report: Report,
): Promise<{ vol: RemoteNonnullStorageVol; upload: () => Promise<void> }> {
    const url = args.sourceImage!.url;
    const image: OpenedImage = await openImage(url);
    try {
        if (image.size === undefined && args.capacity === undefined) {
            throw new Error(`the server did not say how large ${url} is (no Content-Length); set capacity`);
        }
        // The volume must hold the whole image; a larger declared capacity is applied after the upload.
        const capacity = image.size ?? args.capacity!;
        const xml = volumeToXml(volumeModel(args, name, { capacity, allocation: 0 }));
        const { vol } = await createChecked(handle, name, () =>
            handle.client.storageVolCreateXml({ pool: handle.pool, xml, flags: 0 }),
        );
        return {
            vol,
            upload: async () => {
                await uploadImage(handle.client, vol, image, url, { sha256: args.sourceImage!.sha256, report });
            },
        };
    } catch (error) {
        image.close();
        throw error;
    }
}

/** After an upload, libvirt probes the image: a declared format must match what arrived. */
function assertFormat(args: VolumeArgs, state: VolumeState): void {
    const declared = args.target?.format;
    if (declared !== undefined && declared !== state.format) {
        throw new Error(
            `the source image ${args.sourceImage!.url} is ${state.format}, but target.format says ${declared}; ` +
                `set target.format to "${state.format}" or leave it unset`,
        );
    }
}

/**
 * Creates the volume `name` in the pool as the arguments describe and returns its state. On failure
 * after creation the volume is deleted; when even that fails, a RollbackError says so (./rollback).
 */
export async function createVolume(
    handle: PoolHandle,
    args: VolumeArgs,
    name: string,
    report: Report,
): Promise<VolumeState> {
    let vol: RemoteNonnullStorageVol;
    let fill: (() => Promise<void>) | undefined;
    if (args.sourceImage !== undefined) ({ vol, upload: fill } = await createFromImage(handle, args, name, report));
    else if (args.cloneFrom !== undefined) vol = await createClone(handle, args, name);
    else if (args.backingStore !== undefined) vol = await createOverlay(handle, args, name);
    else vol = await createEmpty(handle, args, name);

    return deleteOnFailure(handle, vol, async () => {
        if (fill !== undefined) {
            await fill();
            // libvirt re-probes an uploaded volume (format, virtual size) in a pool refresh it starts in the
            // background; reading before that finishes sees the old values, so refresh and wait here.
            await changePool(handle, () => handle.client.storagePoolRefresh({ pool: handle.pool, flags: 0 }));
        }
        let state = await readVolumeState(handle.client, vol);
        if (args.sourceImage !== undefined) assertFormat(args, state);
        if (args.capacity !== undefined && args.capacity > state.capacityBytes) {
            report(await resizeVolume(handle, state, args.capacity));
            state = await readVolumeState(handle.client, vol);
        }
        return state;
    });
}
