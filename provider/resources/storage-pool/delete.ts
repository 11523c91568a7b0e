/**
 * StoragePool delete: by the recorded UUID only (a namesake with another UUID is left alone);
 * refuses a pool that still holds volumes; removes the directory only when this resource built it.
 */
import { uuidText } from "../../model/uuid";
import { clientFor } from "../shared/connection";
import { oldUri } from "../shared/diff";
import { describeError, step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { warnLeftAlone } from "../shared/identity";
import { withLock } from "../shared/locks";
import { logWarning } from "../shared/log";
import { lookupPool, poolLockKey, readPoolState, startPool, volumeNames } from "./libvirt";

const KIND = "StoragePool";

export async function deleteStoragePool(id: string, props: Properties): Promise<void> {
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
