/**
 * The network as the entry creates (DhcpHost, DnsHost) queued on its lock left it: one reading of
 * the network, carried forward by each of their own updates, so that a create reads nothing while
 * it holds the lock and only its network update waits on libvirt, which runs one network's
 * updates one at a time (about 0.3-0.45 s each, reloading dnsmasq).
 *
 * What keeps it honest:
 * - Any change this process sends about the network (a network update of an entry's update or
 *   delete, a Network's redefine, start or destroy) drops it (tags of rpc/shared-reads.ts), and so
 *   does a failure of a create that used it; only a successful create carries it forward.
 * - It is kept for COPY_KEEP_MS after its last use, and never for a stopped network (starting it
 *   outside Pulumi would leave a configuration-only reservation unseen).
 * - A change made outside this process since the reading is not in it: the create that meets one
 *   is refused by libvirt (a second entry with the same MAC, name or address) or finds its entry
 *   already there; either way the create plans again on a fresh reading (entry-handler.ts), so
 *   errors still name the clashing entry as libvirt has it now.
 */
import { forgetSharedRead, keepSharedAnswer, type LibvirtClient, sharedRead } from "../../rpc";
import type { NetworkModels, PlacePlan } from "./libvirt";
import { afterPlan } from "./sections";

/** How long a copy stays usable after the last create that used or carried it forward. */
export const COPY_KEEP_MS = 10_000;

/** A copy and whether it came from an earlier create (true) or was read just now (false). */
export interface EntryCopy {
    docs: NetworkModels;
    reused: boolean;
}

function copyKey(network: string): string {
    return `network entry copy ${network}`;
}

function copyOptions(network: string) {
    return { tags: [`network:${network}`], keepMs: COPY_KEEP_MS };
}

/** A copy of `docs` this module may change (shared reads must never be changed). */
function ownCopy(docs: NetworkModels): NetworkModels {
    return {
        net: docs.net,
        uuid: docs.uuid,
        config: structuredClone(docs.config),
        live: docs.live === undefined ? undefined : structuredClone(docs.live),
        active: docs.active,
        bridgeName: docs.bridgeName,
    };
}

/**
 * The copy of `network` (name on `client`): the one the creates before left, or a new one from
 * `read` (libvirt's documents now). Callers hold the network's lock, so no two use it at once.
 */
export async function entryCopy(
    client: LibvirtClient,
    network: string,
    read: () => Promise<NetworkModels>,
): Promise<EntryCopy> {
    let reused = true;
    const docs = await sharedRead(client, copyKey(network), copyOptions(network), async () => {
        reused = false;
        return ownCopy(await read());
    });
    if (!docs.active) forgetSharedRead(client, copyKey(network));
    return { docs, reused };
}

/** Drops the copy: what the network holds is not known any more (a create failed on it). */
export function dropEntryCopy(client: LibvirtClient, network: string): void {
    forgetSharedRead(client, copyKey(network));
}

/**
 * After `plans` were carried out on the network: the copy as the network now is (each list as
 * network update's delete, modify and add-last leave it), kept for the next create.
 */
export function carryEntryCopy(
    client: LibvirtClient,
    network: string,
    docs: NetworkModels,
    plans: readonly PlacePlan[],
): void {
    if (!docs.active) return;
    for (const { place, config, live } of plans) {
        const { spec, parentIndex } = place;
        spec.setEntries(
            docs.config,
            parentIndex,
            afterPlan(spec, spec.entries(docs.config, parentIndex) ?? [], config),
        );
        if (live !== undefined && docs.live !== undefined) {
            spec.setEntries(docs.live, parentIndex, afterPlan(spec, spec.entries(docs.live, parentIndex) ?? [], live));
        }
    }
    keepSharedAnswer(client, copyKey(network), copyOptions(network), docs);
}
