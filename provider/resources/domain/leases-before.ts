/**
 * DHCP leases held before the guest started. dnsmasq keeps a lease until it expires, so a guest
 * recreated with the same MAC (a reservation's) has its predecessor's lease from the start; libvirt's
 * lease source reports it as the new guest's address although the new guest never asked for one.
 * A wait from leases therefore counts only a lease that is new since the start, or whose expiry
 * moved (the guest asked again and dnsmasq renewed it).
 */
import type { Domain } from "../../model/domain";
import { type LibvirtClient, LibvirtError, type RemoteNetworkDhcpLease } from "../../rpc";

/** The leases of the guest's networks at one moment, as `mac ip expiry` keys. */
export interface LeasesBefore {
    readonly networks: readonly string[];
    readonly keys: ReadonlySet<string>;
}

function leaseKey(lease: RemoteNetworkDhcpLease): string {
    return `${(lease.mac ?? "").toLowerCase()} ${lease.ipaddr} ${lease.expirytime}`;
}

/** Every lease of the named networks; a network that is gone or stopped has none. */
async function leasesOf(client: LibvirtClient, networks: readonly string[]): Promise<RemoteNetworkDhcpLease[]> {
    const all: RemoteNetworkDhcpLease[] = [];
    for (const name of networks) {
        try {
            const { net } = await client.networkLookupByName({ name });
            all.push(...(await client.networkGetDhcpLeases({ net, mac: null, need_results: 1, flags: 0 })).leases);
        } catch (error) {
            if (!LibvirtError.isInstance(error)) throw error;
        }
    }
    return all;
}

/** The leases of the model's libvirt networks now (call it right before starting the guest). */
export async function leasesBefore(client: LibvirtClient, model: Domain): Promise<LeasesBefore> {
    const networks = [
        ...new Set(
            (model.devices.interfaces ?? [])
                .map((nic) => (nic.source as { network?: string } | undefined)?.network)
                .filter((name): name is string => typeof name === "string"),
        ),
    ];
    const keys = new Set((await leasesOf(client, networks)).map(leaseKey));
    return { networks, keys };
}

/** `mac ip` of the leases that are still exactly those held before the start: not the guest's own. */
export async function staleLeases(client: LibvirtClient, before: LeasesBefore): Promise<Set<string>> {
    const stale = new Set<string>();
    if (before.keys.size === 0) return stale;
    for (const lease of await leasesOf(client, before.networks)) {
        if (before.keys.has(leaseKey(lease))) stale.add(`${(lease.mac ?? "").toLowerCase()} ${lease.ipaddr}`);
    }
    return stale;
}
