/**
 * The model ⇄ libvirt XML layer: one element tree with one parser and one writer (tree.ts), and per
 * document kind its reader and writer side by side (`<kind>.ts`; domains in the `domain-*` files);
 * a redefine writes the model onto the document libvirt holds (`mergeDomain`, `mergeNetwork`,
 * `mergeStoragePool`, `withSnapshotDescription`; the writer of the kinds with `extra` is
 * element-writer.ts).
 * This file is its public surface, `pulumi-libvirt/xml`: model schemas and types, XML writers and
 * readers, and the change classifier. A plain list of re-exports; each resource kind appends its own
 * lines.
 */

// Shared model building blocks and units.
export * from "../model/common";
export * from "../model/units";
export * from "../model/change-policy";

// Network, its DHCP and DNS records, and the network-update fragments.
export * from "../model/network";
export * from "../model/dhcp-host";
export * from "../model/dns-host";
export * from "./network";
export * from "./network-records";
export * from "./dhcp-host";
export * from "./dns-host";

// Storage pools and volumes.
export * from "../model/storage-pool";
export * from "../model/volume";
export * from "./storage-pool";
export * from "./volume";

// Domains: the model schemas, domainToXml / domainFromXml and mergeDomain.
export * from "../model/domain";
export * from "../model/domain-fields-schema";
export * from "../model/domain-cpu";
export * from "../model/domain-memory";
export * from "../model/domain-os";
export * from "../model/domain-devices";
export * from "../model/domain-devices-disk";
export * from "../model/domain-devices-interface";
export * from "../model/domain-devices-display";
export * from "../model/domain-devices-char";
export * from "../model/domain-devices-misc";
export * from "./domain";

// Domain snapshots: the <domainsnapshot> model, snapshotToXml / snapshotFromXml.
export * from "../model/snapshot";
export * from "./snapshot";
