/**
 * `pulumi-libvirt/provider`: the runtime that the SDK's provider stubs load inside Pulumi's
 * dynamic-provider host (`require("pulumi-libvirt/provider")` at call time). It exports
 * `configure` and one `ResourceHandler` per kind, keyed as the stubs name them.
 *
 * The export names are a forever contract with serialized stubs in existing stacks: never rename
 * one. Each kind appends exactly one line below.
 */
export { defaultPool } from "./rpc/pool";
export { configure } from "./resources/shared/configure";

// Resource kinds: `export { <kind>Handler as <kindKey> } from "./resources/<kind>/handler";`
export { volumeHandler as volume } from "./resources/volume/handler";
export { domainHandler as domain } from "./resources/domain/handler";
export { storagePoolHandler as storagePool } from "./resources/storage-pool/handler";
export { networkHandler as network } from "./resources/network/handler";
export { dhcpHostHandler as dhcpHost } from "./resources/dhcp-host/handler";
export { dnsHostHandler as dnsHost } from "./resources/dns-host/handler";
export { cloudInitHandler as cloudInit } from "./resources/cloud-init/handler";
export { domainSnapshotHandler as domainSnapshot } from "./resources/domain-snapshot/handler";
