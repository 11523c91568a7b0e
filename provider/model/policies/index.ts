/**
 * Every kind's change-policy table, by kind. Add a kind by writing its table in this folder and
 * adding one line here.
 */
import type { ChangePolicyTable } from "../change-policy-format";
import { cloudInitPolicy } from "./cloud-init";
import { dhcpHostPolicy } from "./dhcp-host";
import { dnsHostPolicy } from "./dns-host";
import { domainPolicy } from "./domain";
import { domainSnapshotPolicy } from "./domain-snapshot";
import { networkPolicy } from "./network";
import { storagePoolPolicy } from "./storage-pool";
import { volumePolicy } from "./volume";

export const changePolicyTables = {
    network: networkPolicy,
    storagePool: storagePoolPolicy,
    volume: volumePolicy,
    dhcpHost: dhcpHostPolicy,
    dnsHost: dnsHostPolicy,
    domain: domainPolicy,
    cloudInit: cloudInitPolicy,
    domainSnapshot: domainSnapshotPolicy,
} satisfies Record<string, ChangePolicyTable>;

/** The kinds of resource that have a change-policy table. */
export type PolicyKind = keyof typeof changePolicyTables;
