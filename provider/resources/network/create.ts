/**
 * Network create: define (with the owner's UUID unless one is declared) + autostart + start,
 * undefined again when a later step fails. A create that finds a network of its name with the
 * owner's UUID (an earlier create was interrupted before the state was written) takes it over and
 * finishes the job; any other is refused unless `adopt` is set.
 */
import { uuidText } from "../../model/uuid";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { Network } from "../../model/network";
import type { LibvirtClient } from "../../rpc";
import { networkToXml } from "../../xml/network";
import { clientFor, resolveUri } from "../shared/connection";
import { operationError, rollback, step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { withLock } from "../shared/locks";
import { logInfo } from "../shared/log";
import { makeOutputs } from "../shared/outputs";
import { ownsUuid, uuidToDefine } from "../shared/owner";
import { converge, defineNetwork, reportDifferences, setAutostart, startNetwork } from "./converge";
import { findNetwork, type NetworkState, networkLock, readNetworkState } from "./libvirt";
import { DEFAULT_AUTOSTART, type NetworkArgs, networkModelOf, parseNetworkArgs, reportedModel } from "./model";
import { computedOutputs } from "./outputs";

const KIND = "Network";

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
    const net = await step(KIND, model.name, "define", () =>
        defineNetwork(client, model.name, networkToXml(definition)),
    );
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

export async function createNetwork(inputs: Properties): Promise<dynamic.CreateResult> {
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
}
