/**
 * `pulumi-libvirt/provider`: the runtime that the SDK's provider stubs load inside Pulumi's
 * dynamic-provider host (`require("pulumi-libvirt/provider")` at call time). It exports
 * `configure` and one `ResourceHandler` per kind, keyed as the stubs name them.
 *
 * The export names are a forever contract with serialized stubs in existing stacks: never rename
 * one. Each kind appends exactly one line below. Loading it also saves the host's Node compile
 * cache when that is on (compile-cache.ts).
 */
import { saveCompileCacheSoon } from "./compile-cache";
import { domainHandler } from "./resources/domain/handler";
import { networkHandler } from "./resources/network/handler";
import { findsPendingCreates } from "./resources/shared/pending-create";
import { storagePoolHandler } from "./resources/storage-pool/handler";
import { volumeHandler } from "./resources/volume/handler";

saveCompileCacheSoon();

export { defaultPool } from "./rpc/pool";
export { configure } from "./resources/shared/configure";

// Resource kinds: `export { <kind>Handler as <kindKey> } from "./resources/<kind>/handler";`, or
// for a kind whose objects carry an owner record, `export const <kindKey> =
// findsPendingCreates(...)`: its read with an empty ID answers the object a killed create left
// (resources/shared/pending-create.ts).
export const volume = findsPendingCreates("Volume", volumeHandler);
export const domain = findsPendingCreates("Domain", domainHandler);
export const storagePool = findsPendingCreates("StoragePool", storagePoolHandler);
export const network = findsPendingCreates("Network", networkHandler);
export { dhcpHostHandler as dhcpHost } from "./resources/dhcp-host/handler";
export { dnsHostHandler as dnsHost } from "./resources/dns-host/handler";
export { cloudInitHandler as cloudInit } from "./resources/cloud-init/handler";
export { domainSnapshotHandler as domainSnapshot } from "./resources/domain-snapshot/handler";
