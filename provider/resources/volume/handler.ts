/**
 * The Volume resource: a storage volume in a pool, created empty (with preallocation), from an
 * image (streamed upload, sha256-checked), as a clone, or as a qcow2 overlay; grown in place (and
 * the running guest's block device with it), shrunk only with `allowShrink`; deleted (optionally
 * wiped) only when no domain uses it. The id is libvirt's volume key (the path for file pools).
 * A volume has no place for an owner record: its automatic name is the record (derived from the
 * logical name, shared/check.ts). A create that finds a volume with its own automatic name made it
 * in an interrupted run (see `takeOverInterrupted`); a namesake with an explicit name is refused
 * unless `adopt` or `shared` is set.
 */
import { formatBytes } from "../../model/units";
import { LibvirtError, type LibvirtClient, type RemoteNonnullStorageVol, VirErrorNumber } from "../../rpc";
import { checkInputs, containsUnknown, isDerivedAutoName } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import { libvirtCause, partialCreateError, step } from "../shared/errors";
import type { Properties, ResourceHandler } from "../shared/handler";
import { logInfo } from "../shared/log";
import { lockKey, withLock } from "../shared/locks";
import { makeOutputs } from "../shared/outputs";
import { adoptVolume } from "./adopt";
import { parseVolumeArgs, type VolumeArgs, type VolumeComputed, volumeArgsSchema } from "./args";
import { capacityAction } from "./capacity";
import { cloneSourceProblem } from "./clone-source";
import { createVolume } from "./create";
import { uriChangeOf } from "../shared/diff";
import { warnLeftAlone } from "../shared/identity";
import { diffVolume } from "./diff";
import { assertUnused, usersOf } from "./in-use";
import { createPassphraseSecret, removePassphraseSecret } from "./passphrase";
import {
    deleteVolume,
    findVolume,
    openPool,
    type PoolHandle,
    poolIfExists,
    readVolumeState,
    resizeVolume,
    type VolumeState,
    volumeByName,
} from "./libvirt";
import { rollbackOf } from "./rollback";

const KIND = "Volume";

/** The lock that orders the creates and deletes of one shared volume's declarations. */
function sharedLockKey(uri: string, pool: string, name: string): string {
    return lockKey("shared volume", uri, `${pool}/${name}`);
}

function computedOutputs(state: VolumeState): VolumeComputed {
    return {
        key: state.vol.key,
        path: state.path,
        format: state.format,
        capacityBytes: state.capacityBytes,
        allocationBytes: state.allocationBytes,
        backingStorePath: state.model.backingStore?.path,
    };
}

/**
 * The outputs: inputs echoed, what libvirt reports, and the passphrase secret's UUID, which only
 * the state remembers (libvirt forgets it once it probes the image again).
 */
function outputs(inputs: Properties, state: VolumeState, encryptionSecret?: string): Properties {
    const computed: VolumeComputed = { ...computedOutputs(state), encryptionSecret };
    return makeOutputs(inputs, computed as unknown as Properties);
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

function text(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** Finds the volume of stored properties: by pool and name, else (a `get` with only an id) by key. */
async function locate(
    id: string,
    props: Properties,
): Promise<{ client: LibvirtClient; uri: string; handle: PoolHandle; vol: RemoteNonnullStorageVol } | undefined> {
    const uri = resolveUri(text(props.uri));
    const client = await clientFor(text(props.uri));
    const poolName = text(props.pool);
    const name = text(props.name);
    if (poolName !== undefined && name !== undefined) {
        // No lookup of the volume: the caller's read of it by pool and name fails as a lookup would.
        const handle = await poolIfExists(client, uri, poolName);
        return handle && { client, uri, handle, vol: volumeByName(poolName, name) };
    }
    let vol: RemoteNonnullStorageVol;
    try {
        ({ vol } = await client.storageVolLookupByKey({ key: id }));
    } catch (error) {
        if (LibvirtError.isInstance(error) && error.isNoStorageVol()) return undefined;
        throw error;
    }
    const handle = await poolIfExists(client, uri, vol.pool);
    return handle && { client, uri, handle, vol };
}

/**
 * The volume's state, or undefined when its file is gone: libvirt answers NO_STORAGE_VOL once it
 * finds the file removed behind its back (and forgets the volume).
 */
async function readIfPresent(client: LibvirtClient, vol: RemoteNonnullStorageVol): Promise<VolumeState | undefined> {
    try {
        return await readVolumeState(client, vol);
    } catch (error) {
        // The pool gone (since a kept lookup of it) takes its volumes with it.
        if (LibvirtError.isInstance(error) && (error.isNoStorageVol() || error.isNoStoragePool())) return undefined;
        throw error;
    }
}

/**
 * A volume an interrupted create of this resource made (it has this resource's automatic name).
 * In use by a domain, it was complete (a Domain is created only after its volumes' creates
 * returned): it is taken over as with adopt. Unused, its content may be half uploaded or cloned:
 * it is deleted and the create runs again. An encrypted one in use cannot be taken over (its
 * passphrase secret is recorded nowhere but in the state that was lost) and is refused.
 */
async function takeOverInterrupted(
    handle: PoolHandle,
    existing: RemoteNonnullStorageVol,
    args: VolumeArgs,
    name: string,
    uri: string,
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

/**
 * The state of the volume stored properties name, or undefined when it is gone. A refresh knows
 * the pool and the name and reads the volume in one call (`volumeByName`); a pool or volume that is
 * gone fails that read as it would fail the lookups. A `get` with only an id looks the key up.
 */
async function readRecorded(id: string, props: Properties): Promise<VolumeState | undefined> {
    const poolName = text(props.pool);
    const name = text(props.name);
    if (poolName === undefined || name === undefined) {
        const found = await locate(id, props);
        return found && readIfPresent(found.client, found.vol);
    }
    const client = await clientFor(text(props.uri));
    try {
        return await readVolumeState(client, volumeByName(poolName, name));
    } catch (error) {
        if (LibvirtError.isInstance(error) && (error.isNoStorageVol() || error.isNoStoragePool())) return undefined;
        throw error;
    }
}

/** Makes a new volume (no namesake was found, or libvirt is left to refuse one). */
async function createFresh(
    handle: PoolHandle,
    inputs: Properties,
    args: VolumeArgs,
    name: string,
    uri: string,
): Promise<{ id: string; outs: Properties }> {
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
async function createOrAdopt(
    handle: PoolHandle,
    inputs: Properties,
    args: VolumeArgs,
    name: string,
    uri: string,
): Promise<{ id: string; outs: Properties }> {
    // Without adopt, shared, a clone or a passphrase (whose secret would be made first), the create
    // goes first: libvirt refuses a taken name itself (VIR_ERR_STORAGE_VOL_EXIST, checked against the
    // same list a lookup reads), and only then is the namesake looked up and handled as below. That
    // spares every other create its lookup.
    if (!args.adopt && !args.shared && args.cloneFrom === undefined && args.passphrase === undefined) {
        try {
            return await createFresh(handle, inputs, args, name, uri);
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
        state = await takeOverInterrupted(handle, existing, args, name, uri);
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
    if (state === undefined) return createFresh(handle, inputs, args, name, uri);
    return { id: state.vol.key, outs: outputs(inputs, state) };
}

export const volumeHandler: ResourceHandler = {
    async check(olds, news) {
        const result = checkInputs(volumeArgsSchema, olds, news, { nameKey: "name" });
        const inputs = result.inputs ?? {};
        if (result.failures?.length || inputs.cloneFrom === undefined || containsUnknown(inputs)) return result;
        // Only a new volume (or a replacement, which the engine checks with empty olds) is cloned.
        const sameVolume =
            olds?.name === inputs.name && JSON.stringify(olds?.cloneFrom) === JSON.stringify(inputs.cloneFrom);
        if (sameVolume) return result;
        let problem: string | undefined;
        try {
            const args = parseVolumeArgs(inputs);
            problem = await cloneSourceProblem(await clientFor(args.uri), resolveUri(args.uri), args);
        } catch {
            // The host or the pool cannot be asked yet (preview of a program that makes them): create will.
            return result;
        }
        return problem === undefined ? result : { ...result, failures: [{ property: "cloneFrom", reason: problem }] };
    },

    async diff(_id, olds, news) {
        return diffVolume(olds, news, await uriChangeOf(olds, news));
    },

    async create(inputs) {
        const args = parseVolumeArgs(inputs);
        const name = args.name!;
        const uri = resolveUri(args.uri);
        const client = await step(KIND, name, "connect", () => clientFor(args.uri));
        const handle = await step(KIND, name, "open pool", () => openPool(client, uri, args.pool));
        // A shared volume is looked up and made under one lock, so that declarations of it created
        // at once (two VirtualMachines of one image) make it once and the others take it over.
        if (args.shared === true) {
            return withLock(sharedLockKey(uri, args.pool, name), () => createOrAdopt(handle, inputs, args, name, uri));
        }
        return createOrAdopt(handle, inputs, args, name, uri);
    },

    async read(id, props = {}) {
        const state = await step(KIND, props.name ?? id, "read", () => readRecorded(id, props));
        if (state === undefined) return { id: "" };
        // A refresh: the state holds this handler's outputs (with the computed key); inputs stay as declared.
        if (props.key !== undefined) {
            return { id: state.vol.key, props: outputs(props, state, text(props.encryptionSecret)) };
        }
        // A `get`: only the id (and what the caller passed); the declaration is rebuilt from libvirt.
        const inputs: Properties = {
            ...(text(props.uri) ? { uri: props.uri } : {}),
            name: state.vol.name,
            pool: state.vol.pool,
            capacity: formatBytes(state.capacityBytes),
            target: { format: state.format },
        };
        return { id: state.vol.key, props: outputs({ ...props, ...inputs }, state), inputs };
    },

    async update(_id, olds, news) {
        const args = parseVolumeArgs(news);
        const previous = parseVolumeArgs(olds);
        const name = args.name!;
        const client = await step(KIND, name, "connect", () => clientFor(args.uri));
        const handle = await step(KIND, name, "open pool", () => openPool(client, resolveUri(args.uri), args.pool));
        const vol = await step(KIND, name, "look up", () => findVolume(handle, name));
        if (vol === undefined) {
            throw new Error(
                `Volume '${name}' no longer exists in pool '${args.pool}'; run \`pulumi refresh\` to recreate it`,
            );
        }
        let state = await step(KIND, name, "read", () => readVolumeState(client, vol));
        const action = capacityAction(args.capacity, previous.capacity, state.capacityBytes, args.allowShrink === true);
        if (action.kind === "grow" || action.kind === "shrink") {
            const current = state;
            const done = await step(KIND, name, `resize to ${formatBytes(action.bytes)}`, () =>
                resizeVolume(handle, current, action.bytes),
            );
            logInfo(KIND, name, `${done}: ${formatBytes(action.actual)} -> ${formatBytes(action.bytes)}`);
            state = await step(KIND, name, "read", () => readVolumeState(client, vol));
        }
        return { outs: outputs(news, state, text(olds.encryptionSecret)) };
    },

    async delete(id, props) {
        const name = text(props.name) ?? id;
        const located = await step(KIND, name, "look up", () => locate(id, props));
        // Read by pool and name (the read gives the key: no lookup first); deleted only when it still
        // has the key this resource recorded (its ID). Then the passphrase secret stays too: it may
        // serve the volume now there.
        const read = located && (await step(KIND, name, "read", () => readIfPresent(located.client, located.vol)));
        if (read !== undefined && read.vol.key !== id) {
            warnLeftAlone(KIND, name, "key", read.vol.key, id);
            return;
        }
        const found = located && read && { ...located, vol: read.vol };
        const state = read;
        const secret = text(props.encryptionSecret);
        if (found !== undefined && state !== undefined) {
            if (props.shared === true) {
                const left = await step(KIND, name, "delete", () =>
                    withLock(sharedLockKey(found.uri, found.vol.pool, found.vol.name), async () => {
                        const users = await usersOf(found.handle, state);
                        if (users.length === 0)
                            await deleteVolume(found.handle, found.vol, props.wipeOnDelete === true);
                        return users;
                    }),
                );
                if (left.length > 0) {
                    logInfo(KIND, name, `shared: left in place, still used (${left.join("; ")})`);
                }
            } else {
                await step(KIND, name, "delete", async () => {
                    await assertUnused(found.handle, state);
                    await deleteVolume(found.handle, found.vol, props.wipeOnDelete === true);
                });
            }
        }
        // The passphrase's secret goes with the volume (also when the volume was removed outside Pulumi).
        if (secret !== undefined) {
            const client = found?.client ?? (await clientFor(text(props.uri)));
            await step(KIND, name, "remove the passphrase secret", () => removePassphraseSecret(client, secret));
        }
    },
};
