/**
 * Bringing an existing network in line with a declaration (update, adopt, and a create that finds
 * its own interrupted network): in-place lists through network update, other fields by redefining
 * (and restarting only when `allowRestart` says so, since a restart disconnects every guest),
 * autostart, and start.
 */
import { classifyChanges } from "../../model/change-policy";
import type { Network } from "../../model/network";
import { type LibvirtClient, type RemoteNonnullNetwork, VirNetworkDefineFlags } from "../../rpc";
import { mergeNetwork } from "../../xml/network";
import { summarizeChanges } from "../shared/diff";
import { rollback, step } from "../shared/errors";
import { logInfo, logWarning } from "../shared/log";
import { changeOnce, resendOnce } from "../shared/lost-reply";
import { applyPlans, type NetworkState, readNetworkState } from "./libvirt";
import { DEFAULT_AUTOSTART, type NetworkArgs, networkModelOf, planSections } from "./model";
import { planNetworkUpdate } from "./update-plan";

const KIND = "Network";

/** libvirt 7.7.0 added virNetworkDefineXMLFlags with VALIDATE (checked against the RNG schema). */
const DEFINE_FLAGS_VERSION = 7_007_000;

/**
 * Defines (or redefines) a network, validated against libvirt's schema where the daemon can. The
 * document carries the network's UUID (the owner's on create, the current one on redefine), so a
 * define whose reply was lost is sent once more (shared/lost-reply.ts). Without one (a create
 * with no owner), a first define that had taken effect makes libvirt refuse the second as a
 * duplicate, and the create fails as it did before.
 */
export async function defineNetwork(client: LibvirtClient, name: string, xml: string): Promise<RemoteNonnullNetwork> {
    return resendOnce({ kind: KIND, name, operation: "define" }, async () => {
        if (client.session.libVersion >= DEFINE_FLAGS_VERSION) {
            const flags = VirNetworkDefineFlags.VIR_NETWORK_DEFINE_VALIDATE;
            return (await client.networkDefineXmlFlags({ xml, flags })).net;
        }
        return (await client.networkDefineXml({ xml })).net;
    });
}

export async function setAutostart(client: LibvirtClient, net: RemoteNonnullNetwork, wanted: boolean): Promise<void> {
    await resendOnce({ kind: KIND, name: net.name, operation: "set autostart" }, () =>
        client.networkSetAutostart({ net, autostart: wanted ? 1 : 0 }),
    );
}

/** Starts a network; a start whose reply was lost with the connection is checked, not repeated blindly. */
export async function startNetwork(client: LibvirtClient, net: RemoteNonnullNetwork): Promise<void> {
    await changeOnce(
        { kind: KIND, name: net.name, operation: "start" },
        () => client.networkCreate({ net }),
        async () => (await client.networkIsActive({ net })).active !== 0,
    );
}

/**
 * Stops and starts a redefined network (allowed by the user). When the new definition does not
 * start, the previous one is put back and started, so the network is not left down.
 */
async function restart(client: LibvirtClient, state: NetworkState, fields: readonly string[]): Promise<void> {
    const name = state.config.name;
    logWarning(KIND, name, `restarting the network (allowRestart) for: ${fields.join(", ")}`);
    await step(KIND, name, "stop for restart", () => client.networkDestroy({ net: state.net }));
    try {
        await step(KIND, name, "start after restart", () => client.networkCreate({ net: state.net }));
    } catch (error) {
        const problems = await rollback([
            () => defineNetwork(client, name, state.configXml),
            () => client.networkCreate({ net: state.net }),
        ]);
        const restored =
            problems.length === 0
                ? "the previous definition was restored and started"
                : `restoring the previous definition also failed (${problems.join("; ")})`;
        throw new Error(`${(error as Error).message}; ${restored}`);
    }
}

/**
 * Brings an existing network in line with a declaration: in-place lists through network update,
 * other fields by redefining (and restarting only when allowed), autostart, and start.
 */
export async function converge(
    client: LibvirtClient,
    state: NetworkState,
    owned: Network | undefined,
    args: NetworkArgs,
): Promise<NetworkState> {
    const desired = networkModelOf(args);
    const name = state.config.name;
    const sections = planSections(state, owned, desired);
    // What the declaration leaves unset and the policy table keeps (UUID, bridge name, MAC, ...) is
    // no change to the classifier, and mergeNetwork leaves it in libvirt's document.
    const target = { ...sections.target, autostart: undefined };
    const plan = planNetworkUpdate(state, target, desired.autostart ?? DEFAULT_AUTOSTART, args.allowRestart === true);
    if (plan.redefine) {
        const xml = mergeNetwork(state.configXml, target);
        await step(KIND, name, "redefine", () => defineNetwork(client, name, xml));
        if (plan.restart) await restart(client, state, plan.restartFields);
    } else {
        const count = await step(KIND, name, "network update", () => applyPlans(client, state.net, sections.plans));
        if (count > 0) logInfo(KIND, name, `${count} in-place change(s) through network update`);
    }
    if (plan.autostart !== undefined) {
        const wanted = plan.autostart;
        await step(KIND, name, "set autostart", () => setAutostart(client, state.net, wanted));
    }
    if (!state.active) await step(KIND, name, "start", () => startNetwork(client, state.net));
    return readNetworkState(client, state.net);
}

/**
 * Logs what an update would change from what libvirt has (`current`) to the declaration: drift on
 * read, differences on adopt. Values the declaration leaves to libvirt are not differences.
 */
export function reportDifferences(name: string, heading: string, current: Network, declared: Network): void {
    const autostart = (model: Network) => ({ ...model, autostart: model.autostart ?? DEFAULT_AUTOSTART });
    const changes = classifyChanges("network", autostart(current), autostart(declared));
    if (changes.length > 0) logWarning(KIND, name, [`${heading}:`, ...summarizeChanges(changes)].join("\n"));
}
