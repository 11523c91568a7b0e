/**
 * The CloudInit resource: a cloud-init NoCloud seed (ISO 9660, label `cidata`) built in pure
 * TypeScript from the documents and uploaded as a raw volume through the RPC stream. The volume's
 * name carries a hash of the image, so new content is a new volume (created before the old one is
 * deleted) and a Domain's cdrom that points at `path` gets the new medium live.
 *
 * Refresh (read) looks the volume up, compares its size with the image's, and when they match
 * downloads it and compares the sha256: a seed is small (tens to hundreds of KiB), so the full
 * comparison costs a few milliseconds and catches any alteration, not only a resize. A volume
 * of another size is not downloaded. The id is the volume's key (its path in dir pools).
 *
 * The content is the owner record (issue 16): a create that finds a volume of its name holding
 * exactly its image (an interrupted create uploaded it, and the state was never written) takes it
 * over; one with other bytes that nothing uses (a half-done upload) is made again; one with other
 * bytes in use is refused.
 *
 * Here: check, diff, read, update, delete; create in create.ts.
 */
import { type LibvirtClient, LibvirtError } from "../../rpc";
import { checkInputs, isUnknown } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import { step } from "../shared/errors";
import type { ResourceHandler } from "../shared/handler";
import { logWarning } from "../shared/log";
import { assertUnused } from "../volume/in-use";
import { deleteVolume, findVolume, poolIfExists, readIfPresent, volumeByName } from "../volume/libvirt";
import { type CloudInitArgs, type CloudInitComputed, cloudInitArgsSchema } from "./args";
import { createCloudInit } from "./create";
import { diffCloudInit } from "./diff";
import { volumeSha256 } from "./libvirt";
import { outputs } from "./outputs";
import { seedFailures, seedProblems, volumePrefix } from "./seed";

const KIND = "CloudInit";

function text(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * check's question to the host: does the pool exist? Asked only when uri and pool are known; a
 * host that cannot be reached is left for create to report (check is about the declaration).
 */
async function poolFailure(args: CloudInitArgs): Promise<string | undefined> {
    const uri = resolveUri(args.uri);
    let client: LibvirtClient;
    try {
        client = await clientFor(args.uri);
    } catch {
        return undefined;
    }
    try {
        await client.storagePoolLookupByName({ name: args.pool });
        return undefined;
    } catch (error) {
        if (!(LibvirtError.isInstance(error) && error.isNoStoragePool())) return undefined;
    }
    const { pools } = await client
        .connectListAllStoragePools({ need_results: 1, flags: 0 })
        .catch(() => ({ pools: [] as { name: string }[] }));
    const names = pools.map((p) => `'${p.name}'`).sort();
    const known = names.length > 0 ? `; existing pools: ${names.join(", ")}` : "";
    return `storage pool '${args.pool}' does not exist on ${uri}: create it first (a StoragePool resource, and pass its name output) or name an existing pool${known}`;
}

export const cloudInitHandler: ResourceHandler = {
    async check(olds, news) {
        let problems: ReturnType<typeof seedProblems> = [];
        let parsed: CloudInitArgs | undefined;
        const result = checkInputs(cloudInitArgsSchema, olds, news, {
            refine: (value: CloudInitArgs) => {
                parsed = value;
                problems = seedProblems(value);
                return seedFailures(problems);
            },
        });
        const label = parsed ? volumePrefix(parsed) : news.name;
        for (const problem of problems) if (problem.severity === "warning") logWarning(KIND, label, problem.reason);
        if (result.failures?.length || parsed === undefined || isUnknown(news.uri) || isUnknown(news.pool)) {
            return result;
        }
        const reason = await poolFailure(parsed);
        return reason === undefined ? result : { ...result, failures: [{ property: "pool", reason }] };
    },

    async diff(_id, olds, news) {
        return diffCloudInit(olds, news);
    },

    create: createCloudInit,

    async read(id, props = {}) {
        const name = text(props.name);
        const poolName = text(props.pool);
        if (name === undefined || poolName === undefined) {
            throw new Error(`CloudInit '${id}': the state names no volume and pool; CloudInit.get is not supported`);
        }
        const client = await step(KIND, name, "connect", () => clientFor(text(props.uri)));
        // Read by pool and name without lookups (libvirt's storage driver finds a volume that way;
        // a gone pool or volume fails the read as it fails a lookup), as a Volume refresh does.
        const state = await step(KIND, name, "read", () => readIfPresent(client, volumeByName(poolName, name)));
        if (state === undefined) return { id: "" };
        const size = state.capacityBytes;
        // Only a volume of the image's size can still be the image: then its bytes decide.
        const sha256 =
            size === props.size
                ? await step(KIND, name, "read the content", () => volumeSha256({ client }, state.vol, size))
                : `(a volume of ${size} bytes, not the seed image)`;
        return {
            id: state.vol.key,
            props: { ...props, path: state.path, key: state.vol.key, size, sha256 },
        };
    },

    async update(_id, olds, news) {
        // Only reached when the image stays the same (diff replaces otherwise): new echoes, same volume.
        const computed: CloudInitComputed = {
            name: String(olds.name),
            path: String(olds.path),
            key: String(olds.key),
            pool: String(olds.pool),
            sha256: String(olds.sha256),
            instanceId: String(olds.instanceId),
            size: Number(olds.size),
        };
        return { outs: outputs(news, computed) };
    },

    async delete(id, props) {
        const name = text(props.name) ?? id;
        const poolName = text(props.pool);
        const uri = resolveUri(text(props.uri));
        const client = await step(KIND, name, "connect", () => clientFor(text(props.uri)));
        const handle =
            poolName && (await step(KIND, name, "look up the pool", () => poolIfExists(client, uri, poolName)));
        if (!handle) return;
        const vol = await step(KIND, name, "look up", () => findVolume(handle, name));
        if (vol === undefined) return;
        await step(KIND, name, "delete", async () => {
            const state = await readIfPresent(client, vol);
            if (state === undefined) return;
            await assertUnused(handle, state);
            await deleteVolume(handle, vol, false);
        });
    },
};
