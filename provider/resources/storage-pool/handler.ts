/**
 * The StoragePool resource: check, diff, read and update here; create (define, start, autostart,
 * take over) in create.ts, delete in delete.ts, bringing an existing pool to its declaration in
 * converge.ts, the libvirt calls in libvirt.ts.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { classifyChanges } from "../../model/change-policy";
import { checkInputs } from "../shared/check";
import { clientFor } from "../shared/connection";
import { diffResource, oldUri, uriChangeOf } from "../shared/diff";
import { goneBeforeUpdateError, step } from "../shared/errors";
import type { Properties, ResourceHandler } from "../shared/handler";
import { withLock } from "../shared/locks";
import { logInfo } from "../shared/log";
import {
    parseStoragePoolArgs,
    STORAGE_POOL_RESOURCE_FIELDS,
    type StoragePoolArgs,
    storagePoolArgFailures,
    storagePoolArgsSchema,
    storagePoolModel,
} from "./args";
import { converge, refuseReplacements } from "./converge";
import { createStoragePool } from "./create";
import { deleteStoragePool } from "./delete";
import { lookupPool, poolHandleOf, poolLockKey, readPoolState, unlessPoolGone } from "./libvirt";
import { argsFromModel, outputsOf } from "./outputs";

const KIND = "StoragePool";

async function readStoragePool(id: string, props: Properties = {}): Promise<dynamic.ReadResult> {
    const uri = oldUri(props);
    const name = typeof props.name === "string" ? props.name : id;
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    // A refresh knows the UUID and the name: the pool is read directly (libvirt's storage driver
    // finds a pool by its UUID, and a gone pool fails the read as it fails a lookup). A `get` by name looks up.
    const known = typeof props.name === "string" ? poolHandleOf(id, props.name) : undefined;
    const pool = known ?? (await step(KIND, name, "look up", () => lookupPool(client, id)));
    if (pool === undefined) return { id: "" };
    const state = await step(KIND, pool.name, "read", () => unlessPoolGone(() => readPoolState(client, pool)));
    if (state === undefined) return { id: "" };
    const kept: Properties = {};
    for (const key of [...STORAGE_POOL_RESOURCE_FIELDS, "__provider"]) if (key in props) kept[key] = props[key];
    const outs = outputsOf({ ...kept, ...argsFromModel(state.model) }, uri, state, props.built === true);
    return { id, props: outs };
}

async function updateStoragePool(id: string, olds: Properties, news: Properties): Promise<dynamic.UpdateResult> {
    const args = parseStoragePoolArgs(news);
    const model = storagePoolModel(args);
    const uri = oldUri(olds);
    const client = await step(KIND, model.name, `connect to ${uri}`, () => clientFor(uri));
    return withLock(poolLockKey(uri, model.name), async () => {
        const pool = await step(KIND, model.name, "look up", () => lookupPool(client, id));
        if (pool === undefined) throw goneBeforeUpdateError(KIND, model.name, uri, "recreate it");
        const current = await step(KIND, model.name, "read", () => readPoolState(client, pool));
        // Converge from what libvirt has now, so out-of-band edits are corrected too.
        const changes = classifyChanges("storagePool", current.model, model);
        refuseReplacements("update in place", model.name, changes);
        const { built } = await converge(client, pool, current, model, args, changes);
        const state = await step(KIND, model.name, "read", () => readPoolState(client, pool));
        return { outs: outputsOf(news, uri, state, built || olds.built === true) };
    });
}

export const storagePoolHandler: ResourceHandler = {
    async check(olds, news) {
        return checkInputs(storagePoolArgsSchema, olds, news, {
            nameKey: "name",
            refine: (args: StoragePoolArgs) => storagePoolArgFailures(args),
        });
    },

    async diff(_id, olds, news) {
        const { result } = diffResource({
            kind: KIND,
            policyKind: "storagePool",
            olds,
            news,
            toModel: (props) => storagePoolModel(parseStoragePoolArgs(props)),
            resourceFields: { build: "ignore" },
            uriChange: await uriChangeOf(olds, news),
        });
        // A pool stopped outside Pulumi (seen by refresh) is started again by an update.
        if (olds.active === false && !result.changes) {
            logInfo(KIND, news.name, "is not running; the update starts it");
            return { ...result, changes: true };
        }
        return result;
    },

    create: createStoragePool,
    read: readStoragePool,
    update: updateStoragePool,
    delete: deleteStoragePool,
};
