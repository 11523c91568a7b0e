/**
 * `pulumi-libvirt`: Pulumi resources for libvirt (Domain, Network, StoragePool, Volume,
 * DhcpHost, DnsHost). The resource classes arrive with the Pulumi resources issue; until then
 * this entry point offers the RPC client that they are built on.
 */
export * as rpc from "../provider/rpc";
