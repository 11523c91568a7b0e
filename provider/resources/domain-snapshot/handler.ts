/**
 * The DomainSnapshot resource: check, diff, read and update here (update changes the description,
 * a redefine, and reverts the domain to the snapshot when `revertTrigger` changes); create in
 * create.ts, delete (which merges an external snapshot's overlays back) in delete.ts.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { LibvirtClient } from "../../rpc";
import { checkInputs } from "../shared/check";
import { clientFor } from "../shared/connection";
import { diffResource, oldUri, uriChangeOf } from "../shared/diff";
import { describeError, goneBeforeUpdateError, libvirtCause, operationError, step } from "../shared/errors";
import type { Properties, ResourceHandler } from "../shared/handler";
import { withLock } from "../shared/locks";
import { logInfo } from "../shared/log";
import {
    type DomainSnapshotArgs,
    domainSnapshotArgsSchema,
    kindOf,
    label,
    parseDomainSnapshotArgs,
    parseId,
    snapshotArgFailures,
} from "./args";
import { createDomainSnapshot } from "./create";
import { deleteDomainSnapshot } from "./delete";
import { domainLockKey, readSnapshot, recordedSnapshot, type Snap, setDescription } from "./libvirt";
import { outputsOf } from "./outputs";

const KIND = "DomainSnapshot";

async function readDomainSnapshot(id: string, props: Properties = {}): Promise<dynamic.ReadResult> {
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

async function updateDomainSnapshot(id: string, olds: Properties, news: Properties): Promise<dynamic.UpdateResult> {
    const args = parseDomainSnapshotArgs(news);
    const { name } = parseId(id);
    const uri = oldUri(olds);
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    return withLock(domainLockKey(uri, args.domain), async () => {
        const found = await recordedSnapshot(client, olds, id);
        if (found === undefined) throw goneBeforeUpdateError(KIND, label(args.domain, name), uri, "take it anew");
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
                const { uri: _u, adopt: _a, namePrefix: _n, nameScope: _s, ...model } = parseDomainSnapshotArgs(props);
                return model;
            },
            uriChange: await uriChangeOf(olds, news),
        });
        return result;
    },

    create: createDomainSnapshot,
    read: readDomainSnapshot,
    update: updateDomainSnapshot,
    delete: deleteDomainSnapshot,
};
