/**
 * Between the resource's properties, the Network model and what libvirt has: the model a
 * declaration describes, the model `read` reports (only the in-place entries the resource owns,
 * running-network drift included), and the configuration an update should end with.
 */
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { validate } from "../../model/common";
import { type Network, networkSchema } from "../../model/network";
import { parseInputs, withoutHostKeys } from "../shared/check";
import type { Properties } from "../shared/handler";
import { NETWORK_RESOURCE_FIELDS, networkArgsSchema } from "./args";
import type { NetworkState, PlacePlan } from "./libvirt";
import { afterPlan, ownedEntries, planSection, sectionPlaces } from "./sections";
import { sameValue } from "./values";

/** Parsed arguments of a Network. */
export type NetworkArgs = z.output<typeof networkArgsSchema>;

/** libvirt starts networks at boot unless told otherwise by the declaration. */
export const DEFAULT_AUTOSTART = true;

/** Parses checked inputs or old outputs (once). */
export function parseNetworkArgs(props: Properties): NetworkArgs {
    return parseInputs("Network", networkArgsSchema, props);
}

/** The `<network>` model of parsed arguments: resource-level fields dropped. */
export function networkModelOf(args: NetworkArgs): Network {
    const model: Record<string, unknown> = { ...args };
    for (const key of NETWORK_RESOURCE_FIELDS) delete model[key];
    return model as Network;
}

/** The model the classifier compares: autostart spelled out, since libvirt always reports it. */
export function comparableModel(props: Properties): Network {
    const model = networkModelOf(parseNetworkArgs(props));
    return { ...model, autostart: model.autostart ?? DEFAULT_AUTOSTART };
}

/** Cross-field failures of the model part of checked inputs (the args schema checks fields alone). */
export function modelFailures(inputs: Properties): CheckFailure[] {
    const model = withoutHostKeys(inputs);
    for (const key of NETWORK_RESOURCE_FIELDS) delete model[key];
    const result = validate(networkSchema, model);
    return result.ok ? [] : result.failures;
}

/**
 * What `read` reports: the configuration, with each in-place list taken from the running network
 * when the two differ (an out-of-band `virsh net-update` affects the running network only), and
 * limited to the entries the resource owns, in its order. Without an old model (`get`) every
 * entry is reported.
 */
export function reportedModel(state: NetworkState, owned: Network | undefined): Network {
    const model = structuredClone(state.config);
    for (const { spec, parentIndex } of sectionPlaces(state.config, owned ?? state.config)) {
        const configured = spec.entries(state.config, parentIndex) ?? [];
        const running = state.live ? (spec.entries(state.live, parentIndex) ?? []) : configured;
        const source = sameValue(running, configured) ? configured : running;
        const ownedList = owned ? spec.entries(owned, parentIndex) : undefined;
        const reported = owned ? ownedEntries(spec, source, ownedList) : [...source];
        // A declared list with nothing left is reported empty (drift); an undeclared one is left out.
        const keepEmpty = ownedList !== undefined && ownedList.length > 0;
        spec.setEntries(model, parentIndex, reported?.length || keepEmpty ? reported : undefined);
    }
    return { ...model, autostart: state.autostart };
}

/** The in-place steps for both sides of a network, and the configuration lists they lead to. */
export interface SectionChanges {
    plans: PlacePlan[];
    /** `desired` with every in-place list as the configuration will hold it (others' entries kept). */
    target: Network;
}

/**
 * Plans the in-place lists: entries the resource owned (`owned`) or declares (`desired`) are
 * brought in line on the configuration and, when running, on the running network; entries of
 * other owners stay. Throws when a declared entry clashes with someone else's.
 */
export function planSections(state: NetworkState, owned: Network | undefined, desired: Network): SectionChanges {
    const target = structuredClone(desired);
    const plans: PlacePlan[] = [];
    const name = state.config.name;
    for (const place of sectionPlaces(state.config, desired, owned ?? desired)) {
        const { spec, parentIndex } = place;
        const ownedList = owned ? spec.entries(owned, parentIndex) : undefined;
        const desiredList = spec.entries(desired, parentIndex);
        const configured = spec.entries(state.config, parentIndex) ?? [];
        const config = planSection(spec, configured, ownedList, desiredList, name);
        const live = state.live
            ? planSection(spec, spec.entries(state.live, parentIndex) ?? [], ownedList, desiredList, name)
            : undefined;
        plans.push({ place, config, live });
        if (ownedList !== undefined || desiredList !== undefined) {
            const after = afterPlan(spec, configured, config);
            spec.setEntries(target, parentIndex, after.length === 0 ? undefined : after);
        } else {
            spec.setEntries(target, parentIndex, configured.length === 0 ? undefined : [...configured]);
        }
    }
    return { plans, target };
}
