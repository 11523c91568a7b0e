/**
 * DomainSnapshot create: takes the snapshot the plan (plan.ts) makes of the domain as it is now
 * (DOMAIN_SNAPSHOT_CREATE_XML), removing it again when reading it back fails; with `adopt`, takes
 * over an existing snapshot of the same name and kind.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { LibvirtClient } from "../../rpc";
import { snapshotToXml } from "../../xml/snapshot";
import { type Dom, findByName, isActive, liveXml } from "../domain/libvirt";
import { clientFor, resolveUri } from "../shared/connection";
import { rollback, step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { withLock } from "../shared/locks";
import { logInfo } from "../shared/log";
import { type DomainSnapshotArgs, idOf, kindOf, label, parseDomainSnapshotArgs } from "./args";
import { domainFacts } from "../../xml/domain-facts";
import { domainLockKey, findSnapshot, kindOfDocument, readSnapshot, type Snap, setDescription } from "./libvirt";
import { outputsOf } from "./outputs";
import { planSnapshot, SnapshotPlanError } from "./plan";

const KIND = "DomainSnapshot";

async function domainOrFail(client: LibvirtClient, uri: string, args: DomainSnapshotArgs, name: string): Promise<Dom> {
    const dom = await step(KIND, name, "look up the domain", () => findByName(client, args.domain));
    if (dom === undefined) {
        throw new Error(
            `${KIND} '${label(args.domain, name)}': the domain does not exist on ${uri}; create it first (pass the Domain's name output as \`domain\`, so Pulumi creates it before the snapshot)`,
        );
    }
    return dom;
}

/** Create over an existing snapshot of the same name (`adopt: true`): only the description is brought in line. */
async function adopt(
    client: LibvirtClient,
    uri: string,
    dom: Dom,
    snap: Snap,
    args: DomainSnapshotArgs,
    inputs: Properties,
): Promise<dynamic.CreateResult> {
    const name = snap.name;
    let state = await step(KIND, name, "read", () => readSnapshot(client, snap));
    const found = kindOfDocument(state.document);
    if (found !== kindOf(args)) {
        throw new Error(
            `${KIND} '${label(args.domain, name)}': cannot adopt: the existing snapshot is ${found}, declared kind: "${kindOf(args)}"; declare kind: "${found}", or choose another name`,
        );
    }
    logInfo(KIND, label(args.domain, name), `adopting the existing snapshot on ${uri}`);
    if (args.description !== undefined && state.document.description !== args.description) {
        await step(KIND, name, "set the description", () => setDescription(client, dom, state, args.description));
        state = await step(KIND, name, "read", () => readSnapshot(client, snap));
    }
    return { id: idOf(dom.name, name), outs: outputsOf(inputs, uri, dom, state) };
}

/** Turns a refusal the plan found into the error Pulumi shows against the resource. */
function planRefusal(domain: string, name: string, error: unknown): never {
    if (error instanceof SnapshotPlanError) {
        throw new Error(
            `${KIND} '${label(domain, name)}': cannot take the snapshot: ${error.property}: ${error.message}`,
        );
    }
    throw error;
}

export async function createDomainSnapshot(inputs: Properties): Promise<dynamic.CreateResult> {
    const args = parseDomainSnapshotArgs(inputs);
    const name = args.name;
    if (name === undefined) throw new Error(`${KIND}: no name (check sets one)`);
    const uri = resolveUri(args.uri);
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    return withLock(domainLockKey(uri, args.domain), async () => {
        const dom = await domainOrFail(client, uri, args, name);
        const existing = await step(KIND, name, "look up", () => findSnapshot(client, dom, name));
        if (existing !== undefined) {
            if (args.adopt) return adopt(client, uri, dom, existing, args, inputs);
            throw new Error(
                `${KIND} '${label(args.domain, name)}' already exists on ${uri}; set adopt: true to take it over, or choose another name`,
            );
        }
        const running = await step(KIND, name, "read the domain's state", () => isActive(client, dom));
        const xml = await step(KIND, name, "read the domain", () => liveXml(client, dom));
        let plan: ReturnType<typeof planSnapshot>;
        try {
            plan = planSnapshot(args, name, domainFacts(xml), running);
        } catch (error) {
            planRefusal(args.domain, name, error);
        }
        const { snap } = await step(KIND, name, `take the ${kindOf(args)} snapshot`, () =>
            client.domainSnapshotCreateXml({ dom, xml_desc: snapshotToXml(plan.document), flags: plan.flags }),
        );
        try {
            const state = await step(KIND, name, "read", () => readSnapshot(client, snap));
            logInfo(KIND, label(args.domain, name), `taken (${state.document.state ?? "unknown state"})`);
            return { id: idOf(dom.name, name), outs: outputsOf(inputs, uri, dom, state) };
        } catch (error) {
            const problems = await rollback([() => client.domainSnapshotDelete({ snap, flags: 0 })]);
            if (problems.length > 0 && error instanceof Error) {
                error.message += `; removing the snapshot again also failed: ${problems.join("; ")}`;
            }
            throw error;
        }
    });
}
