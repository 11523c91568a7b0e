/**
 * Volume create: a new volume (empty, from an image, a clone or an overlay; encrypted with a
 * passphrase secret made first), or, when adopt or shared says so, an existing one taken over. A
 * volume with this resource's automatic name that an interrupted create made is finished: taken
 * over when in use, made again when not (`takeOverInterrupted`).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { uuidText } from "../../model/uuid";
import { type RemoteNonnullStorageVol, VirErrorNumber } from "../../rpc";
import { isDerivedAutoName } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import { libvirtCause, partialCreateError, step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { lockKey, withLock } from "../shared/locks";
import { logInfo } from "../shared/log";
import { adoptVolume } from "./adopt";
import { parseVolumeArgs, type VolumeArgs } from "./args";
import { cloneSourceProblem } from "./clone-source";
import { createVolume } from "./create";
import { usersOf } from "./in-use";
import {
    deleteVolume,
    findVolume,
    openPool,
    type PoolHandle,
    poolRefusal,
    readVolumeState,
    reopenPool,
    type VolumeState,
} from "./libvirt";
import { outputs } from "./outputs";
import { createPassphraseSecret, removePassphraseSecret } from "./passphrase";
import { rollbackOf } from "./rollback";

const KIND = "Volume";

/** The lock that orders the creates and deletes of one shared volume's declarations. */
export function sharedLockKey(uri: string, pool: string, name: string): string {
    return lockKey("shared volume", uri, `${pool}/${name}`);
}

/** What every step of one create works on: the open pool, the inputs as given and parsed, the name, the URI. */
interface VolumeCreate {
    readonly handle: PoolHandle;
    readonly inputs: Properties;
    readonly args: VolumeArgs;
    readonly name: string;
    readonly uri: string;
}

/**
 * Creates the volume; with a passphrase, first the secret that holds it, which is removed again
 * when the volume cannot be made. Returns the state and the secret's UUID.
 */
async function createEncryptedOrPlain(
    handle: PoolHandle,
    args: VolumeArgs,
    name: string,
): Promise<{ state: VolumeState; encryptionSecret?: string }> {
    if (args.passphrase === undefined) return { state: await createVolume(handle, args, name, reporter(name)) };
    const passphrase = args.passphrase;
    const secret = await createPassphraseSecret(handle.client, args.pool, name, passphrase);
    const encrypted: VolumeArgs = {
        ...args,
        target: { ...args.target, encryption: { ...args.target?.encryption, format: "luks", secret } },
    };
    try {
        return { state: await createVolume(handle, encrypted, name, reporter(name)), encryptionSecret: secret };
    } catch (error) {
        const left = rollbackOf(error) !== undefined;
        // A volume left behind still needs its key: keep the secret with it (the partial state records it).
        if (!left) await removePassphraseSecret(handle.client, secret).catch(() => undefined);
        throw Object.assign(error as Error, { encryptionSecret: left ? secret : undefined });
    }
}

function reporter(name: string) {
    return (line: string) => logInfo(KIND, name, line);
}

/**
 * A volume an interrupted create of this resource made (it has this resource's automatic name).
 * In use by a domain, it was complete (a Domain is created only after its volumes' creates
 * returned): it is taken over as with adopt. Unused, its content may be half uploaded or cloned:
 * it is deleted and the create runs again. An encrypted one in use cannot be taken over (its
 * passphrase secret is recorded nowhere but in the state that was lost) and is refused.
 */
async function takeOverInterrupted(
    { handle, args, name, uri }: VolumeCreate,
    existing: RemoteNonnullStorageVol,
): Promise<VolumeState | undefined> {
    const found = await step(KIND, name, "read", () => readVolumeState(handle.client, existing));
    const users = await step(KIND, name, "find its users", () => usersOf(handle, found));
    const how =
        "found the volume that an interrupted create of this resource made (it has this resource's automatic name)";
    if (users.length === 0) {
        reporter(name)(`${how}; it is unused, so it is made again (its content may be incomplete)`);
        await step(KIND, name, "delete the interrupted create's volume", () => deleteVolume(handle, existing, false));
        return undefined;
    }
    if (args.passphrase !== undefined) {
        throw new Error(
            `Volume '${name}': ${how} in pool '${args.pool}' on ${uri}, but it is encrypted and in use (${users.join("; ")}): ` +
                "its passphrase secret is not known any more. Remove the domain(s) and the volume (virsh vol-delete), then run again.",
        );
    }
    reporter(name)(`${how}; it is in use (${users.join("; ")}), so it was complete: taking it over`);
    return step(KIND, name, "take over", () => adoptVolume(handle, existing, args, reporter(name)));
}

/** Makes a new volume (no namesake was found, or libvirt is left to refuse one). */
async function createFresh({
    handle,
    inputs,
    args,
    name,
    uri,
}: VolumeCreate): Promise<{ id: string; outs: Properties }> {
    const problem = await step(KIND, name, "check the clone's source", () =>
        cloneSourceProblem(handle.client, uri, args),
    );
    if (problem !== undefined) throw new Error(`Volume '${name}': ${problem}. Nothing was created.`);
    try {
        const { state, encryptionSecret } = await step(KIND, name, "create", () =>
            createEncryptedOrPlain(handle, args, name),
        );
        return { id: state.vol.key, outs: outputs(inputs, state, encryptionSecret) };
    } catch (error) {
        const cause = rollbackOf(error);
        if (cause !== undefined) {
            // The half-made volume could not be removed: record it so the next run can update or delete it.
            const secret = (cause as { encryptionSecret?: string }).encryptionSecret;
            const recorded = { ...inputs, key: cause.vol.key, ...(secret ? { encryptionSecret: secret } : {}) };
            throw partialCreateError(KIND, name, cause.vol.key, recorded, cause);
        }
        throw error;
    }
}

/** Creates the volume, or takes over an existing one when adopt or shared says so. */
async function createOrAdopt(create: VolumeCreate): Promise<{ id: string; outs: Properties }> {
    const { handle, inputs, args, name, uri } = create;
    // Without adopt, shared, a clone or a passphrase (whose secret would be made first), the create
    // goes first: libvirt refuses a taken name itself (VIR_ERR_STORAGE_VOL_EXIST, checked against the
    // same list a lookup reads), and only then is the namesake looked up and handled as below. That
    // spares every other create its lookup.
    if (!args.adopt && !args.shared && args.cloneFrom === undefined && args.passphrase === undefined) {
        try {
            return await createFresh(create);
        } catch (error) {
            if (libvirtCause(error)?.code !== VirErrorNumber.VIR_ERR_STORAGE_VOL_EXIST) throw error;
        }
    }
    const existing = await step(KIND, name, "look up", () => findVolume(handle, name));
    let state: VolumeState | undefined;
    if (
        existing !== undefined &&
        !args.adopt &&
        !args.shared &&
        isDerivedAutoName(name, inputs.namePrefix, inputs.nameScope)
    ) {
        state = await takeOverInterrupted(create, existing);
    } else if (existing !== undefined) {
        if (!args.adopt && !args.shared) {
            throw new Error(
                `Volume '${name}': a volume of that name already exists in pool '${args.pool}' on ${uri}, and this resource did not make it (its name is not this resource's automatic name); ` +
                    "set adopt: true to take it over, or choose another name",
            );
        }
        if (args.shared) reporter(name)("shared: the volume exists; taking it over");
        state = await step(KIND, name, "adopt", () => adoptVolume(handle, existing, args, reporter(name)));
    }
    // Nothing there (any more), or the interrupted create's volume was removed: make it.
    if (state === undefined) return createFresh(create);
    return { id: state.vol.key, outs: outputs(inputs, state) };
}

/**
 * A create whose first call with the pool's handle is libvirt's create of the volume: no adopt or
 * shared (a lookup first), no clone (its source is looked up in the pool, and a refusal of the
 * clone for a stopped pool reads as "busy"), no backing volume (looked up in the pool), no
 * passphrase (its secret is made first). Only these may take the pool from a kept listing: a
 * stale handle is then refused by that create before it did anything (`createOnKeptPool`).
 */
function createsFirst(args: VolumeArgs): boolean {
    return (
        !args.adopt &&
        !args.shared &&
        args.cloneFrom === undefined &&
        args.passphrase === undefined &&
        args.backingStore?.volume === undefined
    );
}

/**
 * The create on a pool handle from a kept listing. When libvirt refuses it for the pool, the pool
 * is opened again without the listing: gone or stopped, that fails with openPool's clear error; a
 * pool re-created by hand under the name (a new UUID: the handle named none) gets the create once
 * more on its new handle; a pool that runs under the handle's UUID means the refusal was about the
 * volume (a file of its name in a dir pool), and that error stands.
 */
async function createOnKeptPool(create: VolumeCreate): Promise<{ id: string; outs: Properties }> {
    try {
        return await createOrAdopt(create);
    } catch (error) {
        const refusal = poolRefusal(error);
        if (refusal === undefined) throw error;
        const { client, pool } = create.handle;
        const fresh = await step(KIND, create.name, "open pool", () =>
            reopenPool(client, create.uri, create.args.pool),
        );
        if (refusal === "stopped") throw error;
        reporter(create.name)(
            `pool '${pool.name}' was not there under the UUID it was listed with (${uuidText(pool.uuid)}) and is now (${uuidText(fresh.pool.uuid)}): made again by hand; creating the volume in it`,
        );
        return createOrAdopt({ ...create, handle: fresh });
    }
}

/** The create method: the pool opened, then the volume made or taken over (under a lock when shared). */
export async function createOrAdoptVolume(inputs: Properties): Promise<dynamic.CreateResult> {
    const args = parseVolumeArgs(inputs);
    const name = args.name!;
    const uri = resolveUri(args.uri);
    const client = await step(KIND, name, "connect", () => clientFor(args.uri));
    const kept = createsFirst(args);
    const handle = await step(KIND, name, "open pool", () => openPool(client, uri, args.pool, { kept }));
    const create: VolumeCreate = { handle, inputs, args, name, uri };
    // A shared volume is looked up and made under one lock, so that declarations of it created
    // at once (two VirtualMachines of one image) make it once and the others take it over.
    if (args.shared === true) {
        return withLock(sharedLockKey(uri, args.pool, name), () => createOrAdopt(create));
    }
    return kept ? createOnKeptPool(create) : createOrAdopt(create);
}
