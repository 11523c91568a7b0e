/** How changes to a DnsHost apply: the record is deleted and added again through network update. */
import type { ChangePolicyTable } from "../change-policy-format";

export const dnsHostPolicy: ChangePolicyTable = {
    defaultClass: "live",
    defaultWhy: "network update dns-host (delete, then add)",
    rows: [
        { path: "network", class: "replace", why: "the record belongs to another network" },
        { path: "ip", class: "replace", why: "the record is identified by its address" },
        {
            path: "extra",
            class: "live",
            unsetKeepsCurrent: true,
            why: "unmodelled settings are kept as libvirt has them",
        },
    ],
};
