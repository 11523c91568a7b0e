/**
 * The Network resource: define + autostart + start on create (undefined again when a later step
 * fails); DHCP hosts and ranges and DNS records change in place through network update; other
 * changes redefine the network, and restart it only when `allowRestart` says so, since a restart
 * disconnects every guest; delete stops and undefines it. A network this resource defines gets the
 * owner's UUID (shared/owner.ts) unless one is declared: a create that finds a network of its name
 * with that UUID (an earlier create was interrupted before the state was written) takes it over
 * and finishes the job; any other is refused unless `adopt` is set.
 */
import { classifyChanges } from "../../model/change-policy";
import { keepCurrentWhereUnset } from "../../model/keep-current";
import type { Network } from "../../model/network";
import { type LibvirtClient, type RemoteNonnullNetwork, VirNetworkDefineFlags } from "../../rpc";
import { networkToXml } from "../../xml/network";
import { checkInputs, HIDDEN_INPUT_KEYS } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import { diffResource, KNOWN_AFTER_APPLY, summarizeChanges, uriChangeOf } from "../shared/diff";
import { operationError, rollback, step } from "../shared/errors";
import type { Properties, ResourceHandler } from "../shared/handler";
import { withLock } from "../shared/locks";
import { logInfo, logWarning } from "../shared/log";
import { changeOnce } from "../shared/lost-reply";
import { makeOutputs } from "../shared/outputs";
import { ownsUuid, uuidToDefine } from "../shared/owner";
import { networkArgsSchema } from "./args";
import { warnLeftAlone } from "../shared/identity";
import {
    applyPlans,
    findNetwork,
    type NetworkState,
    networkHandleOf,
    networkLock,
    readNetworkState,
    unlessNetworkGone,
    uuidText,
} from "./libvirt";
import {
    comparableModel,
    DEFAULT_AUTOSTART,
    modelFailures,
    type NetworkArgs,
    networkModelOf,
    parseNetworkArgs,
    planSections,
    reportedModel,
} from "./model";
import { planNetworkUpdate, restartNotAllowed } from "./update-plan";

const KIND = "Network";

/** libvirt 7.7.0 added virNetworkDefineXMLFlags with VALIDATE (checked against the RNG schema). */
const DEFINE_FLAGS_VERSION = 7_007_000;

/** Computed outputs, and the URI actually used (so a changed default connection shows as a move). */
function computedOutputs(state: NetworkState, uri: unknown): Properties {
    const used = resolveUri(typeof uri === "string" ? uri : undefined);
    return { uri: used, uuid: state.uuid, bridgeName: state.bridgeName, active: state.active };
}

async function defineNetwork(client: LibvirtClient, xml: string): Promise<RemoteNonnullNetwork> {
    if (client.session.libVersion >= DEFINE_FLAGS_VERSION) {
        return (await client.networkDefineXmlFlags({ xml, flags: VirNetworkDefineFlags.VIR_NETWORK_DEFINE_VALIDATE }))
            .net;
    }
    return (await client.networkDefineXml({ xml })).net;
}

async function setAutostart(client: LibvirtClient, net: RemoteNonnullNetwork, wanted: boolean): Promise<void> {
    await client.networkSetAutostart({ net, autostart: wanted ? 1 : 0 });
}

/** Starts a network; a start whose reply was lost with the connection is checked, not repeated blindly. */
async function startNetwork(client: LibvirtClient, net: RemoteNonnullNetwork): Promise<void> {
    await changeOnce(
        { kind: KIND, name: net.name, operation: "start" },
        () => client.networkCreate({ net }),
        async () => (await client.networkIsActive({ net })).active !== 0,
    );
}

/**
 * A new network: define (with the owner's UUID), autostart, start; on any failure after define,
 * undefine it again.
 */
async function createNew(
    client: LibvirtClient,
    inputs: Properties,
    args: NetworkArgs,
    model: Network,
): Promise<NetworkState> {
    const { autostart: _autostart, ...declared } = model;
    const definition = { ...declared, uuid: uuidToDefine(KIND, inputs, declared.uuid) };
    const net = await step(KIND, model.name, "define", () => defineNetwork(client, networkToXml(definition)));
    try {
        await step(KIND, model.name, "set autostart", () =>
            setAutostart(client, net, args.autostart ?? DEFAULT_AUTOSTART),
        );
        await step(KIND, model.name, "start", () => startNetwork(client, net));
        return await readNetworkState(client, net);
    } catch (error) {
        const problems = await rollback([
            async () => {
                if ((await client.networkIsActive({ net })).active) await client.networkDestroy({ net });
            },
            () => client.networkUndefine({ net }),
        ]);
        if (problems.length > 0) {
            throw new Error(
                `${(error as Error).message}; removing the half-made network also failed (${problems.join("; ")}): remove it with \`virsh net-undefine ${model.name}\``,
            );
        }
        throw error;
    }
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
            () => defineNetwork(client, state.configXml),
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
async function converge(
    client: LibvirtClient,
    state: NetworkState,
    owned: Network | undefined,
    args: NetworkArgs,
): Promise<NetworkState> {
    const desired = networkModelOf(args);
    const name = state.config.name;
    const sections = planSections(state, owned, desired);
    const target = keepCurrentWhereUnset("network", state.config, { ...sections.target, autostart: undefined });
    const plan = planNetworkUpdate(state, target, desired.autostart ?? DEFAULT_AUTOSTART, args.allowRestart === true);
    if (plan.redefine) {
        await step(KIND, name, "redefine", () => defineNetwork(client, networkToXml(target)));
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
function reportDifferences(name: string, heading: string, current: Network, declared: Network): void {
    const autostart = (model: Network) => ({ ...model, autostart: model.autostart ?? DEFAULT_AUTOSTART });
    const changes = classifyChanges("network", autostart(current), autostart(declared));
    if (changes.length > 0) logWarning(KIND, name, [`${heading}:`, ...summarizeChanges(changes)].join("\n"));
}

/**
 * Whether the replacement would clash with the old network while both exist: the same name, bridge
 * or subnet address (libvirt refuses to start a network on a subnet or bridge in use). Then the old
 * one is deleted first. The URI is not compared: two URIs can reach one daemon.
 */
function replacementCollides(olds: Properties, news: Properties): boolean {
    if (olds.name === news.name) return true;
    const bridgeOf = (props: Properties) => (props.bridge as { name?: unknown } | undefined)?.name ?? undefined;
    if (bridgeOf(news) !== undefined && bridgeOf(olds) === bridgeOf(news)) return true;
    const addresses = (props: Properties) =>
        Array.isArray(props.ips) ? props.ips.map((ip) => (ip as { address?: unknown }).address) : [];
    const before = addresses(olds);
    return addresses(news).some((address) => address !== undefined && before.includes(address));
}

export const networkHandler: ResourceHandler = {
    async check(olds, news) {
        return checkInputs(networkArgsSchema, olds, news, {
            nameKey: "name",
            refine: (_value, inputs) => modelFailures(inputs),
        });
    },

    async diff(_id, olds, news) {
        const { result, changes } = diffResource({
            kind: KIND,
            policyKind: "network",
            olds,
            news,
            toModel: comparableModel,
            resourceFields: { allowRestart: "ignore" },
            collides: replacementCollides,
            uriChange: await uriChangeOf(olds, news),
        });
        // Refuse in preview what update would refuse: a restart the user did not allow. Values
        // still unknown are left to update, which decides from what libvirt has.
        const needRestart = changes.filter((c) => c.class !== "live" && c.newValue !== KNOWN_AFTER_APPLY);
        if (!result.replaces?.length && olds.active !== false && news.allowRestart !== true && needRestart.length > 0) {
            throw restartNotAllowed(String(news.name ?? olds.name), needRestart);
        }
        if (olds.active === false && !result.replaces?.length) {
            logInfo(KIND, news.name, "the network is stopped and will be started");
            return { ...result, changes: true };
        }
        return result;
    },

    async create(inputs) {
        const args = parseNetworkArgs(inputs);
        const model = networkModelOf(args);
        const client = await clientFor(args.uri);
        return withLock(networkLock(args.uri, model.name), async () => {
            const existing = await step(KIND, model.name, "look up", () => findNetwork(client, model.name));
            let state: NetworkState;
            if (existing === undefined) {
                state = await createNew(client, inputs, args, model);
            } else if (!args.adopt && ownsUuid(KIND, inputs, uuidText(existing.uuid))) {
                logInfo(
                    KIND,
                    model.name,
                    "found the network that an interrupted create of this resource defined (it has this resource's owner UUID); finishing the job",
                );
                state = await converge(client, await readNetworkState(client, existing), model, args);
            } else if (args.adopt) {
                const current = await readNetworkState(client, existing);
                reportDifferences(
                    model.name,
                    "adopting the existing network; updating it to the declaration (libvirt's value -> declared)",
                    reportedModel(current, model),
                    model,
                );
                // Declared entries are taken over; entries of other owners in the same lists stay.
                state = await converge(client, current, model, args);
            } else {
                throw operationError(
                    KIND,
                    model.name,
                    "create",
                    new Error(
                        `a network named '${model.name}' already exists on ${resolveUri(args.uri)}, and this resource did not define it (its UUID ${uuidText(existing.uuid)} is not the owner UUID this resource gives its networks); set adopt: true to take it over, or choose another name`,
                    ),
                );
            }
            return { id: state.uuid, outs: makeOutputs(inputs, computedOutputs(state, args.uri)) };
        });
    },

    async read(id, props = {}) {
        const uri = typeof props.uri === "string" ? props.uri : undefined;
        const client = await clientFor(uri);
        // A refresh knows the UUID and the name: the network is read directly (libvirt's network
        // driver finds a network by its UUID; a gone one fails the read as it fails a lookup).
        const known = typeof props.name === "string" ? networkHandleOf(id, props.name) : undefined;
        const net = known ?? (await step(KIND, id, "look up", () => findNetwork(client, id)));
        if (net === undefined) return { id: "" };
        const state = await step(KIND, id, "read", () => unlessNetworkGone(() => readNetworkState(client, net)));
        if (state === undefined) return { id: "" };
        let owned: Network | undefined;
        try {
            owned = typeof props.name === "string" ? networkModelOf(parseNetworkArgs(props)) : undefined;
        } catch {
            owned = undefined;
        }
        const reported = reportedModel(state, owned);
        if (owned !== undefined) {
            reportDifferences(owned.name, "changed outside Pulumi (libvirt's value -> declared)", reported, owned);
        }
        const resourceFields: Properties = {};
        for (const key of ["uri", "adopt", ...HIDDEN_INPUT_KEYS, "allowRestart", "__provider"]) {
            if (props[key] !== undefined) resourceFields[key] = props[key];
        }
        const outs = makeOutputs({ ...resourceFields, ...reported }, computedOutputs(state, uri));
        return { id: state.uuid, props: outs };
    },

    async update(id, olds, news) {
        const args = parseNetworkArgs(news);
        const client = await clientFor(args.uri);
        const name = args.name!;
        const owned = networkModelOf(parseNetworkArgs(olds));
        return withLock(networkLock(args.uri, name), async () => {
            const net = await step(KIND, name, "look up", () => findNetwork(client, id));
            if (net === undefined) {
                throw operationError(
                    KIND,
                    name,
                    "update",
                    new Error(
                        "the network no longer exists (removed outside Pulumi); run `pulumi refresh` and `pulumi up` to create it again",
                    ),
                );
            }
            const state = await converge(client, await readNetworkState(client, net), owned, args);
            return { outs: makeOutputs(news, computedOutputs(state, args.uri)) };
        });
    },

    async delete(id, props) {
        const uri = typeof props.uri === "string" ? props.uri : undefined;
        const name = typeof props.name === "string" ? props.name : id;
        const client = await clientFor(uri);
        await withLock(networkLock(uri, name), async () => {
            // By the recorded UUID (the ID): a network that now has the name is not necessarily ours.
            const net = await step(KIND, name, "look up", () => findNetwork(client, id));
            if (net === undefined) {
                const namesake = name !== id ? await findNetwork(client, name) : undefined;
                if (namesake !== undefined) warnLeftAlone(KIND, name, "UUID", uuidText(namesake.uuid), id);
                return;
            }
            if ((await client.networkIsActive({ net })).active) {
                await step(KIND, name, "stop", () => client.networkDestroy({ net }));
            }
            await step(KIND, name, "undefine", () => client.networkUndefine({ net }));
        });
    },
};
