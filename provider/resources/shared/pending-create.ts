/**
 * The object a create left behind when the run making it was killed before the state recorded it
 * (the engine's "pending create": the state holds the resource's inputs, no ID). A `read` with an
 * empty ID and those inputs answers that object, found by the owner record the create wrote
 * (shared/owner.ts), or nothing: only an object this resource made is ever answered, so a delete
 * of what it answers cannot touch anything else. The engine emulator's destroy uses it to remove
 * pending creates; the real engine never calls read without an ID (docs/lifecycle.md says what a
 * user of the real CLI does instead).
 *
 * Kinds without an owner record an ID can be found by (DhcpHost, DnsHost, CloudInit,
 * DomainSnapshot) answer nothing: their objects live inside a network, a pool or a domain whose
 * own delete removes them.
 */
import { uuidText } from "../../model/uuid";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { LibvirtClient } from "../../rpc";
import { findByName } from "../domain/libvirt";
import { ownerOf as domainOwnerOf, recordedOwner } from "../domain/owner";
import { isDerivedAutoName } from "./check";
import { clientFor } from "./connection";
import type { Properties, ResourceHandler, ResourceKind } from "./handler";
import { ownsUuid } from "./owner";
import { unlessGone } from "./unless-gone";

function text(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** Runs a lookup; undefined when libvirt says there is no such object. */
function unlessMissing<T>(lookup: () => Promise<T>): Promise<T | undefined> {
    return unlessGone(
        lookup,
        (error) => error.isNoDomain() || error.isNoNetwork() || error.isNoStoragePool() || error.isNoStorageVol(),
    );
}

async function domainId(client: LibvirtClient, name: string, inputs: Properties): Promise<string | undefined> {
    const dom = await findByName(client, name);
    const owner = domainOwnerOf(inputs);
    if (dom === undefined || owner === undefined) return undefined;
    return (await recordedOwner(client, dom)) === owner ? uuidText(dom.uuid) : undefined;
}

async function networkId(client: LibvirtClient, name: string, inputs: Properties): Promise<string | undefined> {
    const found = await unlessMissing(() => client.networkLookupByName({ name }));
    const uuid = found && uuidText(found.net.uuid);
    return uuid !== undefined && ownsUuid("Network", inputs, uuid) ? uuid : undefined;
}

async function poolId(client: LibvirtClient, name: string, inputs: Properties): Promise<string | undefined> {
    const found = await unlessMissing(() => client.storagePoolLookupByName({ name }));
    const uuid = found && uuidText(found.pool.uuid);
    return uuid !== undefined && ownsUuid("StoragePool", inputs, uuid) ? uuid : undefined;
}

/** A volume's record is its automatic name (an explicit name proves nothing): its ID is its key. */
async function volumeId(client: LibvirtClient, name: string, inputs: Properties): Promise<string | undefined> {
    const poolName = text(inputs.pool);
    if (poolName === undefined || !isDerivedAutoName(name, inputs.namePrefix, inputs.nameScope)) return undefined;
    const pool = await unlessMissing(() => client.storagePoolLookupByName({ name: poolName }));
    if (pool === undefined) return undefined;
    const vol = await unlessMissing(() => client.storageVolLookupByName({ pool: pool.pool, name }));
    return vol?.vol.key;
}

const FINDERS: Partial<
    Record<ResourceKind, (client: LibvirtClient, name: string, inputs: Properties) => Promise<string | undefined>>
> = {
    Domain: domainId,
    Network: networkId,
    StoragePool: poolId,
    Volume: volumeId,
};

/** The ID of the object an interrupted create of these (checked) inputs made, or undefined. */
export async function findPendingCreate(kind: ResourceKind, inputs: Properties): Promise<string | undefined> {
    const finder = FINDERS[kind];
    const name = text(inputs.name);
    if (finder === undefined || name === undefined) return undefined;
    return finder(await clientFor(text(inputs.uri)), name, inputs);
}

/** The handler, whose `read` with an empty ID looks for a pending create's object (see above). */
export function findsPendingCreates(kind: ResourceKind, handler: ResourceHandler): ResourceHandler {
    return {
        ...handler,
        read: async (id: string, props: Properties = {}): Promise<dynamic.ReadResult> => {
            if (id !== "") return handler.read(id, props);
            const found = await findPendingCreate(kind, props);
            return found === undefined ? { id: "" } : handler.read(found, props);
        },
    };
}
