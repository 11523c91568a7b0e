/**
 * The power state and autostart flag of a domain, for a refresh: read for every domain of the host
 * in two calls (the state of each from `CONNECT_GET_ALL_DOMAIN_STATS`, the autostart domains from
 * one listing) that the refreshes running at the same time share (rpc/shared-reads.ts), instead of
 * two calls per domain. Any change this process makes to a domain drops the shared answer, so a
 * refresh never reads a state older than the provider's own last change.
 *
 * A domain missing from the listing (defined after it was taken) is asked directly.
 */
import { uuidText } from "../../model/uuid";
import { type LibvirtClient, sharedRead, VirConnectListAllDomainsFlags } from "../../rpc";
import { VirDomainStatsTypes } from "../../rpc/generated";
import { autostartOf, type Dom, powerState, stateName } from "./libvirt";

/** What the listings say about every domain, by UUID. */
export interface HostStates {
    state: Map<string, string>;
    autostart: Set<string>;
}

const TAGS = ["domains"];

async function listStates(client: LibvirtClient): Promise<HostStates> {
    const [{ retStats }, { domains }] = await Promise.all([
        client.connectGetAllDomainStats({ doms: [], stats: VirDomainStatsTypes.VIR_DOMAIN_STATS_STATE, flags: 0 }),
        client.connectListAllDomains({
            need_results: 1,
            flags: VirConnectListAllDomainsFlags.VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
        }),
    ]);
    const state = new Map<string, string>();
    for (const record of retStats) {
        const param = record.params.find((p) => p.field === "state.state");
        if (param !== undefined && "i" in param.value) state.set(uuidText(record.dom.uuid), stateName(param.value.i));
    }
    return { state, autostart: new Set(domains.map((dom) => uuidText(dom.uuid))) };
}

/**
 * The listings the refreshes running now share. A refresh asks for them before its own read of the
 * definition, so that the refreshes started together all join one listing.
 */
export function hostStates(client: LibvirtClient): Promise<HostStates> {
    return sharedRead(client, "domain states", { tags: TAGS }, () => listStates(client));
}

/** The power state's name (as `powerState` gives it) and the autostart flag of `dom`, from `hostStates`. */
export async function stateAndAutostart(
    client: LibvirtClient,
    dom: Dom,
    states: Promise<HostStates> = hostStates(client),
): Promise<{ state: string; autostart: boolean }> {
    const host = await states;
    const uuid = uuidText(dom.uuid);
    const state = host.state.get(uuid);
    if (state !== undefined) return { state, autostart: host.autostart.has(uuid) };
    const [direct, autostart] = await Promise.all([powerState(client, dom), autostartOf(client, dom)]);
    return { state: direct, autostart };
}
