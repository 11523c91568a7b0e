/**
 * Which DHCP leases held before an operation are not the guest's own, and the record of them.
 *
 * dnsmasq keeps a lease until it expires, so a guest re-created with the same MAC (a reservation's)
 * finds its predecessor's lease from the start; libvirt's lease source reports it as the new
 * guest's address although the new guest never asked for one. A wait from leases therefore
 * screens such a NIC: it counts only a lease that is new since the operation began, or whose
 * expiry moved (the guest asked and dnsmasq renewed it).
 *
 * The same guest restarted, or started again after a stop, is the opposite case: the lease it held
 * before is its own, dnsmasq gives the same MAC the same address, and libvirt's lease file does not
 * always show the renewal (the lab scenario's graceful restart waited its whole 120 s for one), so
 * its lease counts at once. `screenedNics` is the one place that tells the two apart.
 */
import type { Domain } from "../../model/domain";
import { type LibvirtClient, LibvirtError, type RemoteNetworkDhcpLease } from "../../rpc";
import { domainFromXml } from "../../xml/domain";
import { type Dom, liveXml } from "./libvirt";

/** A NIC as dnsmasq sees it: the libvirt network it is on and its MAC (lower case). */
export interface NicOnNetwork {
    readonly network: string;
    readonly mac: string;
}

/** The leases of the screened NICs at one moment, as `mac ip expiry` keys. */
export interface LeasesBefore {
    readonly networks: readonly string[];
    readonly keys: ReadonlySet<string>;
}

/**
 * The definition's NICs on libvirt networks that have a MAC (a declaration leaves it out to have
 * libvirt generate a random one, which no earlier guest can have held a lease for).
 */
export function nicsOnNetworks(definition: Domain): NicOnNetwork[] {
    const nics: NicOnNetwork[] = [];
    for (const nic of definition.devices.interfaces ?? []) {
        const network = (nic.source as { network?: string } | undefined)?.network;
        if (typeof network === "string" && nic.mac) nics.push({ network, mac: nic.mac.toLowerCase() });
    }
    return nics;
}

/**
 * The rule: of the NICs the guest will have, those whose lease held before the operation may be
 * another guest's. `had` is what the same guest (the same domain, by UUID) had before the
 * operation, or undefined when the operation creates the guest.
 *
 * - A guest this operation creates (a first create, or a re-create after a replace or a delete):
 *   every NIC is screened, since any lease held already belongs to a predecessor with that MAC.
 * - The same guest restarted or started again: a NIC with the same MAC on the same network as
 *   before is not screened; its lease is the guest's own.
 * - A NIC the same guest did not have (a new or changed MAC, or the MAC moved to another network,
 *   hot plugged or applied by a restart) is screened as for a new guest.
 */
export function screenedNics(nics: readonly NicOnNetwork[], had: readonly NicOnNetwork[] | undefined): NicOnNetwork[] {
    if (had === undefined) return [...nics];
    const own = new Set(had.map((nic) => `${nic.network} ${nic.mac.toLowerCase()}`));
    return nics.filter((nic) => !own.has(`${nic.network} ${nic.mac.toLowerCase()}`));
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

/**
 * The leases the screened NICs hold now (call it before the operation starts or changes the
 * guest); undefined when no NIC is screened, which costs no call.
 */
async function leasesBefore(
    client: LibvirtClient,
    screened: readonly NicOnNetwork[],
): Promise<LeasesBefore | undefined> {
    if (screened.length === 0) return undefined;
    const networks = [...new Set(screened.map((nic) => nic.network))];
    const wanted = new Set(screened.map((nic) => nic.mac.toLowerCase()));
    const keys = new Set(
        (await leasesOf(client, networks)).filter((l) => wanted.has((l.mac ?? "").toLowerCase())).map(leaseKey),
    );
    return { networks, keys };
}

/**
 * The record a wait from leases needs for the guest `model` declares, taken before the operation
 * changes or starts anything: `existing` is the domain as it is now, or undefined when the
 * operation creates it. The existing guest's NICs are read from its running definition (the one
 * its leases were asked with), or the persistent one when it is off.
 */
export async function leasesNotItsOwn(
    client: LibvirtClient,
    model: Domain,
    existing: Dom | undefined,
): Promise<LeasesBefore | undefined> {
    const nics = nicsOnNetworks(model);
    if (nics.length === 0) return undefined;
    const had = existing === undefined ? undefined : nicsOnNetworks(domainFromXml(await liveXml(client, existing)));
    return leasesBefore(client, screenedNics(nics, had));
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
