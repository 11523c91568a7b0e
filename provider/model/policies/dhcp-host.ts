/** How changes to a DhcpHost apply: the entry is modified in place through network update. */
import type { ChangePolicyTable } from "../change-policy-format";

export const dhcpHostPolicy: ChangePolicyTable = {
    defaultClass: "live",
    defaultWhy: "network update modify ip-dhcp-host",
    rows: [
        { path: "network", class: "replace", why: "the entry belongs to another network" },
        { path: "mac", class: "replace", why: "the entry is identified by its MAC" },
        { path: "id", class: "replace", why: "the entry is identified by its client id" },
        {
            path: "extra",
            class: "live",
            unsetKeepsCurrent: true,
            why: "unmodelled settings are kept as libvirt has them",
        },
    ],
};
