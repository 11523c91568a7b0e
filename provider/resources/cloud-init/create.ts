/**
 * CloudInit create: the seed image built, then uploaded as a new volume named after its hash. A
 * volume of that name holding exactly the image (an interrupted create uploaded it) is taken over;
 * one with other bytes that nothing uses (a half-done upload) is made again; one in use is refused.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { clientFor, resolveUri } from "../shared/connection";
import { partialCreateError, step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { logInfo } from "../shared/log";
import { usersOf } from "../volume/in-use";
import { deleteVolume, findVolume, openPool, readVolumeState, type VolumeState } from "../volume/libvirt";
import { rollbackOf } from "../volume/rollback";
import { type CloudInitComputed, parseCloudInitArgs } from "./args";
import { uploadSeedVolume, volumeSha256 } from "./libvirt";
import { outputs } from "./outputs";
import { buildSeed } from "./seed";

const KIND = "CloudInit";

export async function createCloudInit(inputs: Properties): Promise<dynamic.CreateResult> {
    const args = parseCloudInitArgs(inputs);
    const seed = buildSeed(args);
    const name = seed.volumeName;
    const uri = resolveUri(args.uri);
    const client = await step(KIND, name, "connect", () => clientFor(args.uri));
    const handle = await step(KIND, name, "open pool", () => openPool(client, uri, args.pool));
    const existing = await step(KIND, name, "look up", () => findVolume(handle, name));
    let state: VolumeState | undefined;
    if (existing !== undefined) {
        const found = await step(KIND, name, "read", () => readVolumeState(client, existing));
        const same =
            found.capacityBytes === seed.image.length &&
            (await step(KIND, name, "read the content", () => volumeSha256(handle, existing, seed.image.length))) ===
                seed.sha256;
        if (same) {
            logInfo(
                KIND,
                name,
                "found a volume of this name holding exactly this seed image (an interrupted create of this resource uploaded it); taking it over",
            );
            state = found;
        } else {
            const users = await step(KIND, name, "find its users", () => usersOf(handle, found));
            if (users.length > 0) {
                throw new Error(
                    `CloudInit '${name}': a volume of that name already exists in pool '${args.pool}' on ${uri}, holding other bytes than this seed, and it is in use (${users.join("; ")}); ` +
                        `remove it (virsh vol-delete ${name} --pool ${args.pool}) once nothing uses it, or set another name prefix`,
                );
            }
            logInfo(
                KIND,
                name,
                "found an unused volume of this name with other bytes (a half-done upload); uploading again",
            );
            await step(KIND, name, "delete the half-done volume", () => deleteVolume(handle, existing, false));
        }
    }
    try {
        if (state === undefined)
            state = await step(KIND, name, "upload the seed", () => uploadSeedVolume(handle, name, seed.image));
    } catch (error) {
        const cause = rollbackOf(error);
        if (cause !== undefined) {
            // The half-made volume could not be removed: record it so that delete removes it later.
            const recorded = { ...inputs, name, key: cause.vol.key };
            throw partialCreateError(KIND, name, cause.vol.key, recorded, cause);
        }
        throw error;
    }
    const computed: CloudInitComputed = {
        name,
        path: state.path,
        key: state.vol.key,
        pool: args.pool,
        sha256: seed.sha256,
        instanceId: seed.instanceId,
        size: seed.image.length,
    };
    return { id: state.vol.key, outs: outputs(inputs, computed) };
}
