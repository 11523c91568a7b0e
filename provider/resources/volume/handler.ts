/**
 * The Volume resource: a storage volume in a pool, created empty (with preallocation), from an
 * image (streamed upload, sha256-checked), as a clone, or as a qcow2 overlay; grown in place (and
 * the running guest's block device with it), shrunk only with `allowShrink`; deleted (optionally
 * wiped) only when no domain uses it. The id is libvirt's volume key (the path for file pools).
 * A volume has no place for an owner record: its automatic name is the record (derived from the
 * logical name, shared/check.ts). A create that finds a volume with its own automatic name made it
 * in an interrupted run (see `takeOverInterrupted`); a namesake with an explicit name is refused
 * unless `adopt` or `shared` is set.
 *
 * Here: check, diff, read, update, delete; create in create-or-adopt.ts (making a volume in
 * create.ts, taking one over in adopt.ts), the libvirt calls in libvirt.ts.
 */
import { formatBytes } from "../../model/units";
import { LibvirtError, type LibvirtClient, type RemoteNonnullStorageVol } from "../../rpc";
import { checkInputs, containsUnknown } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import { step } from "../shared/errors";
import type { Properties, ResourceHandler } from "../shared/handler";
import { logInfo } from "../shared/log";
import { withLock } from "../shared/locks";
import { parseVolumeArgs, volumeArgsSchema } from "./args";
import { capacityAction } from "./capacity";
import { cloneSourceProblem } from "./clone-source";
import { createOrAdoptVolume, sharedLockKey } from "./create-or-adopt";
import { uriChangeOf } from "../shared/diff";
import { warnLeftAlone } from "../shared/identity";
import { diffVolume } from "./diff";
import { assertUnused, usersOf } from "./in-use";
import { removePassphraseSecret } from "./passphrase";
import {
    deleteVolume,
    findVolume,
    openPool,
    type PoolHandle,
    poolIfExists,
    readIfPresent,
    readVolumeState,
    resizeVolume,
    type VolumeState,
    volumeByName,
} from "./libvirt";
import { outputs } from "./outputs";

const KIND = "Volume";

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

    create: createOrAdoptVolume,

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
