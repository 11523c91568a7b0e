/**
 * A resource that owns one entry of a network's in-place lists (DhcpHost: a DHCP reservation;
 * DnsHost: a DNS record). Every change goes through network update, on the running network and
 * its configuration (configuration only when the network is stopped), under the network's lock so
 * many entries created at once on one network queue instead of racing. Nothing else of the
 * network, or its guests, is touched.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { validate } from "../../model/common";
import type { PolicyKind } from "../../model/change-policy";
import type { LibvirtClient } from "../../rpc";
import { checkInputs, containsUnknown, parseInputs, withoutHostKeys, HIDDEN_INPUT_KEYS } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import { diffResource, newUri, oldUri, uriChangeOf } from "../shared/diff";
import { operationError, step } from "../shared/errors";
import type { Properties, ResourceHandler, ResourceKind } from "../shared/handler";
import { withLock } from "../shared/locks";
import { warnLeftAlone } from "../shared/identity";
import { logWarning } from "../shared/log";
import { makeOutputs } from "../shared/outputs";
import {
    applyPlans,
    findNetwork,
    type NetworkDocs,
    type NetworkModels,
    networkHandleOf,
    networkLock,
    type PlacePlan,
    plansChangeNothing,
    readNetworkDocs,
    unlessNetworkGone,
} from "./libvirt";
import { carryEntryCopy, dropEntryCopy, entryCopy } from "./entry-copy";
import { planSection, type SectionSpec } from "./sections";
import { sameValue, stableJson } from "./values";

/** What distinguishes one entry kind from another. */
export interface EntryKind<E> {
    kind: ResourceKind;
    policyKind: PolicyKind;
    /** The resource's argument schema (entry fields, `network`, `uri`, `adopt`, `namePrefix`). */
    argsSchema: z.ZodObject;
    /** The model schema with its cross-field rules, run over the entry part in `check`. */
    modelSchema: z.ZodType;
    spec: SectionSpec<E>;
    /** The entry in parsed arguments (without `network` and the resource fields). */
    entryOf(args: Record<string, unknown>): E;
    /** The part of the resource ID after the network name: the entry's identity. */
    idKey(entry: E): string;
    /** True when an entry has the identity an ID names (for `get`). */
    matchesIdKey(entry: E, key: string): boolean;
    /** Renames resource properties to the model's spelling (DhcpHost: clientId → id). */
    toModelSpelling?(props: Record<string, unknown>): Record<string, unknown>;
    /** Renames a model entry to the resource's spelling (DhcpHost: id → clientId). */
    toResourceSpelling?(entry: Record<string, unknown>): Record<string, unknown>;
    /**
     * The parent index (`<ip>` position, or NO_PARENT_INDEX) the entry goes under in this network;
     * throws naming why it does not fit (checked against the running network when there is one).
     */
    placeIn(state: NetworkModels, entry: E): number;
    /** Every parent index where entries of this kind can sit in a network. */
    parentIndexes(state: NetworkModels): number[];
    /** The input that `placeIn`'s refusal is about (DhcpHost: `ip`). */
    placeProperty: string;
    /** The input a clash reason of `spec.clash` is about, by the reason's first words ("MAC ..." → `mac`). */
    clashProperties: ReadonlyArray<[prefix: string, property: string]>;
}

/** Fields of an entry resource that are not part of the entry. */
const RESOURCE_FIELDS = ["network", "uri", "adopt", ...HIDDEN_INPUT_KEYS];

function stringProp(props: Properties, key: string): string | undefined {
    return typeof props[key] === "string" ? (props[key] as string) : undefined;
}

/** `<network>/<identity>`: an ID that `get` can resolve without any other property. */
function splitId(id: string): { network: string; key: string } {
    const slash = id.lastIndexOf("/");
    return { network: id.slice(0, slash), key: id.slice(slash + 1) };
}

interface Located<E> {
    parentIndex: number;
    config: E | undefined;
    live: E | undefined;
}

/** Where the entry named by `matches` sits in the configuration and in the running network. */
function locate<E>(kind: EntryKind<E>, state: NetworkModels, matches: (entry: E) => boolean): Located<E> | undefined {
    for (const parentIndex of kind.parentIndexes(state)) {
        const config = kind.spec.entries(state.config, parentIndex)?.find(matches);
        const live = state.live ? kind.spec.entries(state.live, parentIndex)?.find(matches) : undefined;
        if (config !== undefined || live !== undefined) return { parentIndex, config, live };
    }
    return undefined;
}

/**
 * Two entries are the same reservation or record when they are equal the way libvirt and dnsmasq
 * read them: MACs, addresses, DUIDs and host names do not depend on letter case.
 */
function sameEntry<E>(left: E, right: E): boolean {
    return stableJson(left).toLowerCase() === stableJson(right).toLowerCase();
}

/** Two plans of the same network updates (what a failed update would send again). */
function samePlans(left: readonly PlacePlan[], right: readonly PlacePlan[]): boolean {
    const steps = (plans: readonly PlacePlan[]) =>
        stableJson(plans.map((plan) => [plan.place.spec.section, plan.place.parentIndex, plan.config, plan.live]));
    return steps(left) === steps(right);
}

/** An entry's XML on one line, for messages. */
function oneLine(xml: string): string {
    return xml.replace(/>\s+</g, "><").trim();
}

/** Builds the six methods for one entry kind. */
export function entryHandler<E>(kind: EntryKind<E>): ResourceHandler {
    /** How errors name the entry: its resource ID, `<network>/<identity>`. */
    const label = (network: string, entry: E) => `${network}/${kind.idKey(entry)}`;
    const modelSpelling = (props: Record<string, unknown>) => kind.toModelSpelling?.(props) ?? props;
    const resourceSpelling = (entry: Record<string, unknown>) => kind.toResourceSpelling?.(entry) ?? entry;

    function parse(props: Properties) {
        const parsed = parseInputs(kind.kind, kind.argsSchema, props) as Record<string, unknown>;
        const args = modelSpelling(parsed);
        return {
            args,
            entry: kind.entryOf(args),
            network: args.network as string,
            uri: args.uri as string | undefined,
        };
    }

    async function networkState(client: LibvirtClient, network: string, uri: string | undefined, action: string) {
        const net = await step(kind.kind, network, "look up the network", () => findNetwork(client, network));
        if (net === undefined) {
            throw operationError(
                kind.kind,
                undefined,
                action,
                new Error(
                    `network '${network}' does not exist on ${resolveUri(uri)}; create it first (pass the Network resource's \`name\` output as \`network\` so Pulumi creates it before this entry)`,
                ),
            );
        }
        return step(kind.kind, network, "read the network", () => readNetworkDocs(client, net));
    }

    /**
     * The network updates that bring the entry to `desired` on both sides of the network,
     * replacing the entry `owned` names (its old form) when it differs; `adopt` also takes over a
     * differing entry with the same identity. Clashes with other entries fail, naming them.
     */
    function planApply(
        state: NetworkModels,
        network: string,
        owned: E | undefined,
        desired: E | undefined,
    ): PlacePlan[] {
        const parentIndex =
            desired !== undefined
                ? kind.placeIn(state, desired)
                : (locate(kind, state, (e) => kind.spec.key(e) === kind.spec.key(owned!))?.parentIndex ?? -2);
        if (parentIndex === -2) return [];
        const oldIndex =
            owned === undefined
                ? parentIndex
                : (locate(kind, state, (e) => kind.spec.key(e) === kind.spec.key(owned))?.parentIndex ?? parentIndex);
        const ownedList = owned === undefined ? undefined : [owned];
        const desiredList = desired === undefined ? [] : [desired];
        const sidePlan = (model: NetworkDocs["config"], index: number, wanted: E[] | undefined) =>
            planSection(kind.spec, kind.spec.entries(model, index) ?? [], ownedList, wanted, network);
        const plans: PlacePlan[] = [];
        if (oldIndex !== parentIndex) {
            // The entry moves to another subnet: remove it from the old one first.
            plans.push({
                place: { spec: kind.spec, parentIndex: oldIndex },
                config: sidePlan(state.config, oldIndex, []),
                live: state.live ? sidePlan(state.live, oldIndex, []) : undefined,
            });
        }
        plans.push({
            place: { spec: kind.spec, parentIndex },
            config: sidePlan(state.config, parentIndex, desiredList),
            live: state.live ? sidePlan(state.live, parentIndex, desiredList) : undefined,
        });
        return plans;
    }

    /** Carries out `plans` (from planApply) for the entry `entry`. */
    async function send(client: LibvirtClient, state: NetworkModels, network: string, entry: E, plans: PlacePlan[]) {
        if (plans.length === 0) return;
        await step(kind.kind, label(network, entry), "network update", () => applyPlans(client, state.net, plans));
    }

    /** `planApply` then `send`, on libvirt's documents as read under the lock. */
    async function apply(
        client: LibvirtClient,
        state: NetworkModels,
        network: string,
        owned: E | undefined,
        desired: E | undefined,
    ): Promise<void> {
        await send(client, state, network, (desired ?? owned)!, planApply(state, network, owned, desired));
    }

    /**
     * A create without adopt, planned on the network as the creates before it left it
     * (entry-copy.ts), so that under the lock only its network update waits on libvirt. Whatever
     * the copy makes look wrong (a refused update, a clash, the entry already there) is looked at
     * again on a fresh reading: planning on that one decides, and names a clash as libvirt has it
     * now; an update that failed is not sent again unchanged.
     */
    async function createOnCopy(client: LibvirtClient, network: string, uri: string | undefined, entry: E) {
        const read = () => networkState(client, network, uri, "create");
        const copy = await entryCopy(client, network, read);
        let failed: { plans: PlacePlan[]; error: unknown } | undefined;
        if (copy.reused) {
            let plans: PlacePlan[] = [];
            try {
                plans = planApply(copy.docs, network, undefined, entry);
                // Nothing to send means the copy has the entry already; only a fresh reading may say so.
                if (!plansChangeNothing(plans)) {
                    await send(client, copy.docs, network, entry, plans);
                    carryEntryCopy(client, network, copy.docs, plans);
                    return copy.docs;
                }
            } catch (error) {
                failed = { plans, error };
            }
            dropEntryCopy(client, network);
        }
        const fresh = copy.reused ? (await entryCopy(client, network, read)).docs : copy.docs;
        try {
            const plans = planApply(fresh, network, undefined, entry);
            if (failed !== undefined && !plansChangeNothing(failed.plans) && samePlans(plans, failed.plans)) {
                throw failed.error;
            }
            await send(client, fresh, network, entry, plans);
            carryEntryCopy(client, network, fresh, plans);
            return fresh;
        } catch (error) {
            dropEntryCopy(client, network);
            throw error;
        }
    }

    /**
     * What `apply` would refuse, found without changing anything: the entry does not fit the
     * network (placeIn), or an entry this resource does not own already has its address, MAC,
     * name... (the clash rule of the section, on the configuration and on the running network).
     */
    function previewProblems(state: NetworkModels, network: string, owned: E | undefined, desired: E) {
        const failures: dynamic.CheckFailure[] = [];
        let parentIndex: number;
        try {
            parentIndex = kind.placeIn(state, desired);
        } catch (error) {
            return [{ property: kind.placeProperty, reason: (error as Error).message }];
        }
        const seen = new Set<string>();
        const ownedKey = owned === undefined ? undefined : kind.spec.key(owned);
        for (const [side, model] of [
            ["configuration", state.config],
            ["running network", state.live],
        ] as const) {
            if (model === undefined) continue;
            for (const existing of kind.spec.entries(model, parentIndex) ?? []) {
                if (ownedKey !== undefined && kind.spec.key(existing) === ownedKey) continue;
                // The declared entry itself (left by an interrupted run, or recreated after a refresh) is no clash: apply keeps it.
                if (sameValue(existing, desired)) continue;
                const reason = kind.spec.clash(desired, existing);
                const xml = kind.spec.toXml(existing);
                if (reason === undefined || seen.has(`${reason} ${xml}`)) continue;
                seen.add(`${reason} ${xml}`);
                const property = kind.clashProperties.find(([prefix]) => reason.startsWith(prefix))?.[1] ?? "";
                failures.push({
                    property,
                    reason:
                        `network '${network}' already has a ${kind.spec.label} with ${reason} (in its ${side}): ${xml}. ` +
                        `Choose another value, or remove that entry first (it may belong to another ${kind.kind} resource or have been added by hand); nothing was changed`,
                });
            }
        }
        return failures;
    }

    /** The preview check against the live network; none when the network cannot be read yet. */
    async function hostFailures(olds: Properties, inputs: Properties): Promise<dynamic.CheckFailure[]> {
        if (containsUnknown(inputs)) return [];
        let next: ReturnType<typeof parse>;
        try {
            next = parse(inputs);
        } catch {
            return [];
        }
        let owned: E | undefined;
        if (next.args.adopt === true) owned = next.entry;
        else if (olds.network === inputs.network && oldUri(olds) === newUri(inputs)) {
            try {
                owned = parse(olds).entry;
            } catch {
                owned = undefined;
            }
        }
        let state: NetworkDocs;
        try {
            const client = await clientFor(next.uri);
            const net = await findNetwork(client, next.network);
            // A network the same program creates does not exist yet during preview; create says it if it never does.
            if (net === undefined) return [];
            state = await readNetworkDocs(client, net);
        } catch {
            return [];
        }
        return previewProblems(state, next.network, owned, next.entry);
    }

    /** Inputs echoed, plus the URI actually used (so a changed default shows as a move) and the network's facts. */
    function outputsFor(inputs: Properties, state: NetworkModels): Properties {
        const uri = resolveUri(typeof inputs.uri === "string" ? inputs.uri : undefined);
        return makeOutputs(inputs, { uri, networkUuid: state.uuid, networkActive: state.active });
    }

    return {
        async check(olds, news) {
            const result = checkInputs(kind.argsSchema, olds, news, {
                refine: (_value, inputs) => {
                    const model = modelSpelling(withoutHostKeys(inputs));
                    for (const key of ["uri", "adopt", ...HIDDEN_INPUT_KEYS]) delete model[key];
                    const result = validate(kind.modelSchema, model);
                    return result.ok ? [] : result.failures;
                },
            });
            if (result.failures?.length) return result;
            // Check runs in preview for new resources too (diff does not), so the network is asked here.
            const failures = await hostFailures(olds ?? {}, result.inputs ?? {});
            return failures.length > 0 ? { ...result, failures } : result;
        },

        async diff(_id, olds, news) {
            return diffResource({
                kind: kind.kind,
                policyKind: kind.policyKind,
                olds,
                news,
                toModel: (props) => {
                    const model = modelSpelling({ ...parseInputs(kind.kind, kind.argsSchema, props) });
                    for (const key of ["uri", "adopt", ...HIDDEN_INPUT_KEYS]) delete model[key];
                    return model;
                },
                nameKey: null,
                // The replacement would clash with the old entry (same address or names) while both
                // exist in one network, so the old one goes first (whatever the URI says: two URIs
                // can reach one daemon).
                collides: (olds, news) => olds.network === news.network,
                uriChange: await uriChangeOf(olds, news),
                resourceFields: { networkUuid: "ignore", networkActive: "ignore" },
            }).result;
        },

        async create(inputs) {
            const { args, entry, network, uri } = parse(inputs);
            const client = await clientFor(uri);
            return withLock(networkLock(uri, network), async () => {
                let state: NetworkModels;
                if (args.adopt === true) {
                    // With adopt, an entry of the same identity is taken over (changed to the declaration).
                    state = await networkState(client, network, uri, "create");
                    await apply(client, state, network, entry, entry);
                } else state = await createOnCopy(client, network, uri, entry);
                const id = `${network}/${kind.idKey(entry)}`;
                // The outputs are the inputs echoed and the network's facts: nothing is read back.
                return { id, outs: outputsFor(inputs, state) };
            });
        },

        async read(id, props = {}) {
            const fromId = splitId(id);
            const network = stringProp(props, "network") ?? fromId.network;
            const uri = stringProp(props, "uri");
            const client = await clientFor(uri);
            // A refresh knows the network's UUID (an output): the network is read without a lookup.
            // When that network is gone, the name is looked up (a namesake may hold the entry now).
            const uuid = stringProp(props, "networkUuid");
            const known = uuid === undefined ? undefined : networkHandleOf(uuid, network);
            let state =
                known &&
                (await step(kind.kind, network, "read the network", () =>
                    unlessNetworkGone(() => readNetworkDocs(client, known)),
                ));
            if (state === undefined) {
                const net = await step(kind.kind, network, "look up the network", () => findNetwork(client, network));
                if (net === undefined) return { id: "" };
                state = await step(kind.kind, network, "read the network", () => readNetworkDocs(client, net));
            }
            let matches: (entry: E) => boolean;
            // A `get` (an id and nothing else) has no declaration to match: the id names the entry.
            let declared = true;
            try {
                const owned = parse(props).entry;
                matches = (entry) => kind.spec.key(entry) === kind.spec.key(owned);
            } catch {
                declared = false;
                matches = (entry) => kind.matchesIdKey(entry, fromId.key);
            }
            const found = locate(kind, state, matches);
            const current = found?.live ?? found?.config;
            if (
                found === undefined ||
                current === undefined ||
                found.config === undefined ||
                (state.active && found.live === undefined)
            ) {
                if (found !== undefined) {
                    logWarning(
                        kind.kind,
                        id,
                        `removed outside Pulumi from the network's ${found.config === undefined ? "configuration" : "running state"}; it will be added again on the next update`,
                    );
                }
                return { id: "" };
            }
            const kept: Properties = {};
            for (const key of [...RESOURCE_FIELDS, "__provider"]) if (props[key] !== undefined) kept[key] = props[key];
            kept.network = network;
            const entryInputs = { ...kept, ...resourceSpelling(current as Properties) };
            const result = { id, props: outputsFor(entryInputs, state) };
            if (declared) return result;
            // For `get`, the declaration is rebuilt from libvirt, so that the state's inputs describe the entry.
            const { __provider: _provider, ...inputs } = entryInputs;
            return { ...result, inputs };
        },

        async update(_id, olds, news) {
            const next = parse(news);
            const previous = parse(olds).entry;
            const client = await clientFor(next.uri);
            return withLock(networkLock(next.uri, next.network), async () => {
                const state = await networkState(client, next.network, next.uri, "update");
                await apply(client, state, next.network, previous, next.entry);
                return { outs: outputsFor(news, state) };
            });
        },

        async delete(_id, props) {
            const { entry, network, uri } = parse(props);
            const client = await clientFor(uri);
            await withLock(networkLock(uri, network), async () => {
                const net = await step(kind.kind, network, "look up the network", () => findNetwork(client, network));
                if (net === undefined) return;
                const state = await step(kind.kind, network, "read the network", () => readNetworkDocs(client, net));
                // The entry goes only as this resource wrote it: one of the same identity (MAC,
                // address) that now says something else was changed or re-made by someone else.
                const found = locate(kind, state, (e) => kind.spec.key(e) === kind.spec.key(entry));
                const foreign = [found?.config, found?.live].find((e) => e !== undefined && !sameEntry(e, entry));
                if (foreign !== undefined) {
                    warnLeftAlone(
                        kind.kind,
                        label(network, entry),
                        "the entry",
                        oneLine(kind.spec.toXml(foreign)),
                        oneLine(kind.spec.toXml(entry)),
                    );
                    return;
                }
                await apply(client, state, network, entry, undefined);
            });
        },
    };
}
