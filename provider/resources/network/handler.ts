/**
 * The Network resource: check, diff, read, update and delete here; create in create.ts, bringing a
 * network to its declaration (network update, or redefine and a restart only when `allowRestart`
 * says so) in converge.ts; delete stops and undefines it.
 */
import { uuidText } from "../../model/uuid";
import { HIDDEN_INPUT_KEYS, checkInputs } from "../shared/check";
import { clientFor } from "../shared/connection";
import { diffResource, KNOWN_AFTER_APPLY, uriChangeOf } from "../shared/diff";
import { operationError, step } from "../shared/errors";
import type { Properties, ResourceHandler } from "../shared/handler";
import { warnLeftAlone } from "../shared/identity";
import { withLock } from "../shared/locks";
import { logInfo } from "../shared/log";
import { makeOutputs } from "../shared/outputs";
import type { Network } from "../../model/network";
import { networkArgsSchema } from "./args";
import { converge, reportDifferences } from "./converge";
import { createNetwork } from "./create";
import { findNetwork, networkHandleOf, networkLock, readNetworkState, unlessNetworkGone } from "./libvirt";
import { comparableModel, modelFailures, networkModelOf, parseNetworkArgs, reportedModel } from "./model";
import { computedOutputs } from "./outputs";
import { restartNotAllowed } from "./update-plan";

const KIND = "Network";

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

    create: createNetwork,

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
