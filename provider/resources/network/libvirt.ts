/**
 * Talking to libvirt about one network: finding it, reading its configuration and running state,
 * and applying network-update steps with the right flags (running network and configuration when
 * it is active, configuration only when it is not).
 */
import type { Network } from "../../model/network";
import {
    type LibvirtClient,
    type RemoteNonnullNetwork,
    VirNetworkUpdateCommand,
    VirNetworkUpdateFlags,
    VirNetworkXMLFlags,
    sharedRead,
} from "../../rpc";
import { networkFromXml } from "../../xml/network";
import { UUID_PATTERN, uuidBytes, uuidText } from "../../model/uuid";
import { resolveUri } from "../shared/connection";
import { lockKey } from "../shared/locks";
import { changeOnce } from "../shared/lost-reply";
import { unlessGone } from "../shared/unless-gone";
import type { SectionPlace, SectionPlan } from "./sections";
import { sameValue } from "./values";

/**
 * The lock every edit of one network's definition takes: the Network resource and every
 * DhcpHost/DnsHost on it, so concurrent edits queue instead of racing.
 */
export function networkLock(uri: string | undefined, network: string): string {
    return lockKey("network", resolveUri(uri), network);
}

/** What libvirt has for a network right now. */
export interface NetworkState {
    net: RemoteNonnullNetwork;
    uuid: string;
    /** The persistent configuration (inactive XML), as text and as a model. */
    configXml: string;
    config: Network;
    /** The running network's definition, when it is active. */
    live: Network | undefined;
    active: boolean;
    autostart: boolean;
    /** The bridge device; empty when libvirt has none (e.g. a hostdev network). */
    bridgeName: string;
}

/**
 * What a shared read of a network depends on (see rpc/shared-reads.ts): every change this process
 * makes to that network (a network update, a redefine, a start) drops it; a lookup by UUID does not
 * know the name yet, so a change to any network drops it.
 */
function networkTags(idOrName: string): string[] {
    return [`network:${UUID_PATTERN.test(idOrName) ? "*" : idOrName}`];
}

/**
 * Finds a network by UUID (when `idOrName` is one) or by name; undefined when there is none.
 * Lookups of one network made at the same time share one call.
 */
export function findNetwork(client: LibvirtClient, idOrName: string): Promise<RemoteNonnullNetwork | undefined> {
    return sharedRead(client, `network lookup ${idOrName}`, { tags: networkTags(idOrName) }, () =>
        lookUpNetwork(client, idOrName),
    );
}

function lookUpNetwork(client: LibvirtClient, idOrName: string): Promise<RemoteNonnullNetwork | undefined> {
    return unlessNetworkGone(async () => {
        if (UUID_PATTERN.test(idOrName)) return (await client.networkLookupByUuid({ uuid: uuidBytes(idOrName) })).net;
        return (await client.networkLookupByName({ name: idOrName })).net;
    });
}

/** The handle of a network whose UUID (the resource id) and name are known, without a lookup; undefined for an id that is not a UUID. */
export function networkHandleOf(id: string, name: string): RemoteNonnullNetwork | undefined {
    return UUID_PATTERN.test(id) ? { name, uuid: uuidBytes(id) } : undefined;
}

/** Runs a read of a network and turns libvirt's "no such network" into undefined. */
export function unlessNetworkGone<T>(read: () => Promise<T>): Promise<T | undefined> {
    return unlessGone(read, (error) => error.isNoNetwork());
}

/** What a network's entries (DhcpHost, DnsHost) need of it: everything but autostart. */
export type NetworkDocs = Omit<NetworkState, "autostart">;

/** The same without the configuration's text: what an entry plans on (entry-copy.ts carries it forward). */
export type NetworkModels = Omit<NetworkDocs, "configXml">;

/**
 * Reads configuration, running definition, activity, autostart and bridge of a network. The reads
 * of one network made at the same time (a refresh or a preview of many DhcpHosts and DnsHosts on
 * it) share one set of calls and one parse of each document: callers must not change the state
 * they get (the planners clone what they edit).
 */
export function readNetworkState(client: LibvirtClient, net: RemoteNonnullNetwork): Promise<NetworkState> {
    // Keyed by the UUID too: a handle built from a refresh's state must not answer for a namesake defined since.
    return sharedRead(
        client,
        `network state ${net.name} ${uuidText(net.uuid)}`,
        { tags: networkTags(net.name) },
        async () => {
            const [docs, { autostart }] = await Promise.all([
                readNetworkDocs(client, net),
                client.networkGetAutostart({ net }),
            ]);
            return { ...docs, autostart: autostart !== 0 };
        },
    );
}

/**
 * The same without autostart, for the entries: shared with the entries' and the Network's reads
 * running at the same time, so an entry read alone costs one call less and a wave no more.
 */
export function readNetworkDocs(client: LibvirtClient, net: RemoteNonnullNetwork): Promise<NetworkDocs> {
    return sharedRead(
        client,
        `network documents ${net.name} ${uuidText(net.uuid)}`,
        { tags: networkTags(net.name) },
        () => readNetworkDocsOnce(client, net),
    );
}

async function readNetworkDocsOnce(client: LibvirtClient, net: RemoteNonnullNetwork): Promise<NetworkDocs> {
    const [{ xml: configXml }, { active: activeFlag }] = await Promise.all([
        client.networkGetXmlDesc({ net, flags: VirNetworkXMLFlags.VIR_NETWORK_XML_INACTIVE }),
        client.networkIsActive({ net }),
    ]);
    const active = activeFlag !== 0;
    const live = active ? networkFromXml((await client.networkGetXmlDesc({ net, flags: 0 })).xml) : undefined;
    const config = networkFromXml(configXml);
    const bridgeName = live?.bridge?.name ?? config.bridge?.name ?? "";
    return { net, uuid: uuidText(net.uuid), configXml, config, live, active, bridgeName };
}

/** Flags for a network update on the configuration, the running network, or both. */
export function updateFlags(config: boolean, live: boolean): number {
    return (
        (config ? VirNetworkUpdateFlags.VIR_NETWORK_UPDATE_AFFECT_CONFIG : 0) |
        (live ? VirNetworkUpdateFlags.VIR_NETWORK_UPDATE_AFFECT_LIVE : 0)
    );
}

/** The steps for one list on both sides. */
export interface PlacePlan {
    place: SectionPlace;
    config: SectionPlan<unknown>;
    /** Undefined when the network is not running. */
    live: SectionPlan<unknown> | undefined;
}

interface UpdateCall {
    place: SectionPlace;
    command: VirNetworkUpdateCommand;
    entry: unknown;
    config: boolean;
    live: boolean;
}

/** Pairs the same step on both sides into one call with both flags; the rest get one flag each. */
function callsFor(
    plan: PlacePlan,
    pick: "deletes" | "modifies" | "adds",
    command: VirNetworkUpdateCommand,
): UpdateCall[] {
    const calls: UpdateCall[] = [];
    const liveLeft = [...(plan.live?.[pick] ?? [])];
    for (const entry of plan.config[pick] ?? []) {
        const twin = liveLeft.findIndex((other) => sameValue(other, entry));
        if (twin >= 0) liveLeft.splice(twin, 1);
        calls.push({ place: plan.place, command, entry, config: true, live: twin >= 0 });
    }
    for (const entry of liveLeft) calls.push({ place: plan.place, command, entry, config: false, live: true });
    return calls;
}

/** True when carrying out `plans` sends nothing: every list already is as planned. */
export function plansChangeNothing(plans: readonly PlacePlan[]): boolean {
    const empty = (plan: SectionPlan<unknown> | undefined) =>
        plan === undefined ||
        (plan.deletes.length === 0 && (plan.modifies ?? []).length === 0 && plan.adds.length === 0);
    return plans.every((plan) => empty(plan.config) && empty(plan.live));
}

/** Applies planned network-update steps: every delete first (so an entry may move), then modifies, then adds. */
export async function applyPlans(
    client: LibvirtClient,
    net: RemoteNonnullNetwork,
    plans: readonly PlacePlan[],
): Promise<number> {
    const calls = [
        ...plans.flatMap((plan) =>
            callsFor(plan, "deletes", VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_DELETE),
        ),
        ...plans.flatMap((plan) =>
            callsFor(plan, "modifies", VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_MODIFY),
        ),
        ...plans.flatMap((plan) => callsFor(plan, "adds", VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST)),
    ];
    for (const call of calls) {
        // Not sent again blindly after a lost reply: a second add of an entry libvirt has is refused.
        await changeOnce(
            { kind: "Network", name: net.name, operation: "network update" },
            () =>
                client.networkUpdate({
                    net,
                    command: call.command,
                    section: call.place.spec.section,
                    parentIndex: call.place.parentIndex,
                    xml: call.place.spec.toXml(call.entry),
                    flags: updateFlags(call.config, call.live),
                }),
            () => updateInPlace(client, net, call),
        );
    }
    return calls.length;
}

/**
 * Whether a network update is in place on each side it was sent to, read afresh: an added entry's
 * key is listed, a modified entry is listed with its new value, a deleted one is not listed.
 */
async function updateInPlace(client: LibvirtClient, net: RemoteNonnullNetwork, call: UpdateCall): Promise<boolean> {
    const { spec, parentIndex } = call.place;
    const sides = [...(call.config ? [VirNetworkXMLFlags.VIR_NETWORK_XML_INACTIVE] : []), ...(call.live ? [0] : [])];
    for (const flags of sides) {
        const entries = spec.entries(networkFromXml((await client.networkGetXmlDesc({ net, flags })).xml), parentIndex);
        const listed = (entries ?? []) as unknown[];
        const inPlace =
            call.command === VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_DELETE
                ? !listed.some((e) => sameValue(e, call.entry))
                : call.command === VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_MODIFY
                  ? listed.some((e) => sameValue(e, call.entry))
                  : listed.some((e) => spec.key(e) === spec.key(call.entry));
        if (!inPlace) return false;
    }
    return true;
}
