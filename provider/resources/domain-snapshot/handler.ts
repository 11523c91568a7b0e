/**
 * The DomainSnapshot resource: create takes the snapshot (DOMAIN_SNAPSHOT_CREATE_XML), update
 * changes its description (a redefine) and reverts the domain to it when `revertTrigger` changes
 * (DOMAIN_REVERT_TO_SNAPSHOT), delete removes it (DOMAIN_SNAPSHOT_DELETE). For an external snapshot
 * libvirt's delete merges the overlays back into their backing images with a block commit and
 * removes them; where libvirt cannot merge, delete refuses and changes nothing (deleting only the
 * metadata would leave overlays nobody tracks, and removing them would lose what was written since).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { LibvirtClient, LibvirtError } from "../../rpc";
import { VirDomainSnapshotCreateFlags } from "../../rpc/generated";
import { snapshotToXml } from "../../xml/snapshot";
import { type Dom, findById, findByName, handleOf, isActive, liveXml, uuidText } from "../domain/libvirt";
import { checkInputs, parseInputs } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import { diffResource, oldUri, uriChangeOf } from "../shared/diff";
import { describeError, libvirtCause, operationError, rollback, step } from "../shared/errors";
import type { Properties, ResourceHandler } from "../shared/handler";
import { warnLeftAlone } from "../shared/identity";
import { lockKey, withLock } from "../shared/locks";
import { logInfo, logWarning } from "../shared/log";
import { makeOutputs } from "../shared/outputs";
import { type DomainSnapshotArgs, domainSnapshotArgsSchema, kindOf, snapshotArgFailures } from "./args";
import { domainFacts } from "../../xml/domain-facts";
import {
    creationTimeText,
    filesOf,
    findSnapshot,
    kindOfDocument,
    overlaysOf,
    readSnapshot,
    type Snap,
    type SnapshotState,
} from "./libvirt";
import { planSnapshot, SnapshotPlanError } from "./plan";

const KIND = "DomainSnapshot";

function parseArgs(props: Properties): DomainSnapshotArgs {
    return parseInputs(KIND, domainSnapshotArgsSchema, props);
}

/** Snapshot operations of one domain run one at a time: libvirt allows one job per domain. */
function domainLockKey(uri: string, domain: string): string {
    return lockKey("domain-snapshots", uri, domain);
}

/** The resource id: `<domain>/<snapshot>` (neither name may hold a '/'). */
function idOf(domain: string, name: string): string {
    return `${domain}/${name}`;
}

function parseId(id: string): { domain: string; name: string } {
    const slash = id.indexOf("/");
    if (slash <= 0 || slash === id.length - 1) {
        throw new Error(`${KIND}: '${id}' is not a snapshot id; expected <domain>/<snapshot>, e.g. vm1/before-upgrade`);
    }
    return { domain: id.slice(0, slash), name: id.slice(slash + 1) };
}

function label(domain: string, name: string): string {
    return `${name}' of domain '${domain}`;
}

/** Outputs: the inputs echoed plus what libvirt reports. */
function outputsOf(inputs: Properties, uri: string, dom: Dom, state: SnapshotState): Properties {
    const document = state.document;
    return makeOutputs(inputs, {
        uri,
        name: document.name,
        domain: dom.name,
        domainUuid: uuidText(dom),
        creationTime: creationTimeText(document),
        state: document.state,
        parent: document.parent,
        current: state.current,
        overlays: overlaysOf(document),
        files: filesOf(document),
    });
}

async function domainOrFail(client: LibvirtClient, uri: string, args: DomainSnapshotArgs, name: string): Promise<Dom> {
    const dom = await step(KIND, name, "look up the domain", () => findByName(client, args.domain));
    if (dom === undefined) {
        throw new Error(
            `${KIND} '${label(args.domain, name)}': the domain does not exist on ${uri}; create it first (pass the Domain's name output as \`domain\`, so Pulumi creates it before the snapshot)`,
        );
    }
    return dom;
}

/** Sets the description libvirt keeps for a snapshot: a redefine of its own description with one field changed. */
async function setDescription(
    client: LibvirtClient,
    dom: Dom,
    state: SnapshotState,
    description: string | undefined,
): Promise<void> {
    const document = { ...state.document };
    if (description === undefined) delete document.description;
    else document.description = description;
    const F = VirDomainSnapshotCreateFlags;
    // A redefine without CURRENT would leave the domain without a current snapshot.
    const flags = F.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE | (state.current ? F.VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT : 0);
    await client.domainSnapshotCreateXml({ dom, xml_desc: snapshotToXml(document), flags });
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

async function create(inputs: Properties): Promise<dynamic.CreateResult> {
    const args = parseArgs(inputs);
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

/** The domain a resource's outputs recorded: by UUID (a domain of that name may be another one), else by name. */
async function recordedDomain(client: LibvirtClient, props: Properties, domain: string): Promise<Dom | undefined> {
    if (typeof props.domainUuid === "string") return findById(client, props.domainUuid);
    return findByName(client, domain);
}

/** The snapshot the outputs recorded, or undefined when it is gone or another of that name replaced it. */
async function recordedSnapshot(
    client: LibvirtClient,
    props: Properties,
    id: string,
): Promise<{ dom: Dom; snap: Snap; state: SnapshotState } | undefined> {
    const { domain, name } = parseId(id);
    // With the domain's UUID recorded, the snapshot is read without lookups: libvirt finds the domain
    // by its UUID and the snapshot by its name, and a gone one fails the read as it fails a lookup.
    const known = typeof props.domainUuid === "string" ? handleOf(props.domainUuid, domain) : undefined;
    const dom = known ?? (await step(KIND, name, "look up the domain", () => recordedDomain(client, props, domain)));
    if (dom === undefined) return undefined;
    const snap = known ? { dom, name } : await step(KIND, name, "look up", () => findSnapshot(client, dom, name));
    if (snap === undefined) return undefined;
    const state = await step(KIND, name, "read", () =>
        readSnapshot(client, snap).catch((error: unknown) => {
            if (libvirtCause(error)?.isNotFound()) return undefined;
            throw error;
        }),
    );
    if (state === undefined) return undefined;
    const recorded = props.creationTime;
    const found = creationTimeText(state.document);
    if (typeof recorded === "string" && found !== recorded) {
        warnLeftAlone(KIND, label(domain, name), "creation time", found ?? "none", recorded);
        return undefined;
    }
    return { dom, snap, state };
}

async function read(id: string, props: Properties = {}): Promise<dynamic.ReadResult> {
    const uri = oldUri(props);
    const { domain, name } = parseId(id);
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    const found = await recordedSnapshot(client, props, id);
    if (found === undefined) return { id: "" };
    const kept: Properties = {};
    for (const key of Object.keys(domainSnapshotArgsSchema.shape)) if (key in props) kept[key] = props[key];
    if ("__provider" in props) kept.__provider = props.__provider;
    kept.domain = domain;
    kept.name = name;
    // The description is the one property libvirt keeps that may change outside Pulumi.
    if (found.state.document.description === undefined) delete kept.description;
    else kept.description = found.state.document.description;
    return { id, props: outputsOf(kept, uri, found.dom, found.state) };
}

/** Reverts the domain to the snapshot: libvirt puts the guest back in the state the snapshot recorded. */
async function revert(client: LibvirtClient, args: DomainSnapshotArgs, snap: Snap, name: string): Promise<void> {
    try {
        await client.domainRevertToSnapshot({ snap, flags: 0 });
    } catch (error) {
        const cause = libvirtCause(error);
        if (cause?.isUnsupported() && kindOf(args) === "external") {
            throw new Error(
                `${KIND} '${label(args.domain, name)}': revert failed: this libvirt cannot revert to an external snapshot (${describeError(cause)}; libvirt 9.7 and later can). The domain was not reverted; take an internal snapshot to revert to, or restore the overlays by hand`,
            );
        }
        throw operationError(KIND, label(args.domain, name), "revert the domain", error);
    }
}

async function update(id: string, olds: Properties, news: Properties): Promise<dynamic.UpdateResult> {
    const args = parseArgs(news);
    const { name } = parseId(id);
    const uri = oldUri(olds);
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    return withLock(domainLockKey(uri, args.domain), async () => {
        const found = await recordedSnapshot(client, olds, id);
        if (found === undefined) {
            throw new Error(
                `${KIND} '${label(args.domain, name)}' no longer exists on ${uri} (removed outside Pulumi); run a refresh, then up again to take it anew`,
            );
        }
        let state = found.state;
        if (state.document.description !== args.description) {
            await step(KIND, name, "set the description", () =>
                setDescription(client, found.dom, state, args.description),
            );
        }
        if (news.revertTrigger !== undefined && news.revertTrigger !== olds.revertTrigger) {
            await revert(client, args, found.snap, name);
            logInfo(KIND, label(args.domain, name), "reverted the domain to this snapshot");
        }
        state = await step(KIND, name, "read", () => readSnapshot(client, found.snap));
        return { outs: outputsOf(news, uri, found.dom, state) };
    });
}

/**
 * The codes with which libvirt refuses a snapshot delete before it starts merging (checked on
 * libvirt 9.0: an internal parent is unsupported; a shut-off guest's snapshot that is not the
 * latest is an invalid argument): the snapshot and its overlays are as they were.
 */
function refusesToMerge(cause: LibvirtError): boolean {
    return cause.reportedByDaemon && (cause.isUnsupported() || cause.isInvalidArgument() || cause.isOperationInvalid());
}

async function remove(id: string, props: Properties): Promise<void> {
    const uri = oldUri(props);
    const { domain, name } = parseId(id);
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    await withLock(domainLockKey(uri, domain), async () => {
        const found = await recordedSnapshot(client, props, id);
        if (found === undefined) return; // gone already (or the domain with it): nothing to do
        const external = kindOfDocument(found.state.document) === "external";
        try {
            await client.domainSnapshotDelete({ snap: found.snap, flags: 0 });
        } catch (error) {
            const cause = libvirtCause(error);
            if (external && cause !== undefined && refusesToMerge(cause)) {
                const overlays = overlaysOf(found.state.document)
                    .map((o) => `${o.target}: ${o.file}`)
                    .join(", ");
                throw new Error(
                    `${KIND} '${label(domain, name)}': cannot delete: libvirt cannot merge this external snapshot's overlays (${overlays}) back into their backing images here (${describeError(cause)}). Nothing was changed: deleting only the metadata would leave the guest on overlays nothing tracks, and removing them would lose what was written since. Delete the snapshots taken after it first (libvirt 9.0 merges only the latest external snapshot of a shut-off guest, and none whose parent is internal), or merge by hand (virsh blockcommit ${domain} <disk> --active --pivot, then virsh snapshot-delete ${domain} ${name} --metadata) and run again`,
                );
            }
            throw new Error(`${KIND} '${label(domain, name)}': delete failed: ${describeError(cause ?? error)}`);
        }
        const memory = found.state.document.memory;
        if (memory?.snapshot === "external" && memory.file !== undefined) {
            // libvirt keeps the memory state file; it is useless without the snapshot.
            logWarning(
                KIND,
                label(domain, name),
                `libvirt left the memory state file ${memory.file}; remove it when no longer needed`,
            );
        }
        logInfo(KIND, label(domain, name), external ? "deleted; its overlays were merged back" : "deleted");
    });
}

export const domainSnapshotHandler: ResourceHandler = {
    async check(olds, news) {
        return checkInputs(domainSnapshotArgsSchema, olds, news, {
            nameKey: "name",
            refine: (args: DomainSnapshotArgs) => snapshotArgFailures(args),
        });
    },

    async diff(_id, olds, news) {
        const { result } = diffResource({
            kind: KIND,
            policyKind: "domainSnapshot",
            olds,
            news,
            toModel: (props) => {
                const { uri: _u, adopt: _a, namePrefix: _n, nameScope: _s, ...model } = parseArgs(props);
                return model;
            },
            uriChange: await uriChangeOf(olds, news),
        });
        return result;
    },

    create,
    read,
    update,
    delete: remove,
};
