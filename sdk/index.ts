/**
 * `pulumi-libvirt`: Pulumi resources for libvirt (Domain, Network, StoragePool, Volume, DhcpHost,
 * DnsHost, CloudInit, DomainSnapshot), and the RPC client they are built on. Each kind appends one export line below.
 */
export * as rpc from "../provider/rpc";
export type { DeepInput, ResourceArgsOf } from "./inputs";

// Resource kinds: `export * from "./<kind>";`
export * from "./volume";
export * from "./domain";
export * from "./storage-pool";
export * from "./network";
export * from "./dhcp-host";
export * from "./dns-host";
export * from "./cloud-init";
export * from "./domain-snapshot";

// Components over the kinds above.
export * from "./virtual-machine";
