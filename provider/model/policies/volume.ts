/** How changes to a Volume apply. Only growing the capacity can be done in place (volume resize). */
import type { ChangePolicyTable } from "../change-policy-format";

export const volumePolicy: ChangePolicyTable = {
    defaultClass: "replace",
    defaultWhy: "libvirt has no call to change this on an existing volume",
    rows: [
        {
            path: "capacity",
            class: "live",
            onIncrease: "live",
            onDecrease: "replace",
            why: "volume resize grows a volume; shrinking would lose data",
        },
        { path: "pool", class: "replace", why: "a volume cannot move between pools" },
        {
            path: "target.format",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "the image format is chosen at creation; libvirt defaults it to raw",
        },
        {
            path: "target.compat",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "libvirt picks qcow2 compat 1.1 by default",
        },
        {
            path: "target.nocow",
            class: "replace",
            notReadBack: true,
            why: "a create-time flag libvirt does not report",
        },
        { path: "preallocation", class: "replace", notReadBack: true, why: "applies at creation; not part of the XML" },
        { path: "sourceImage", class: "replace", notReadBack: true, why: "uploaded at creation; not part of the XML" },
        {
            path: "target.path",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "libvirt derives the path from the pool",
        },
        {
            path: "target.permissions",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "libvirt sets permissions at creation",
        },
        { path: "type", class: "replace", unsetKeepsCurrent: true, why: "libvirt derives the type from the pool" },
        { path: "key", class: "live", ignore: true, why: "libvirt's identifier, reported only" },
        { path: "allocation", class: "live", ignore: true, why: "only used at creation; libvirt reports usage" },
        { path: "physical", class: "live", ignore: true, why: "reported by libvirt, not configured" },
        { path: "backingStore.permissions", class: "live", ignore: true, why: "reported by libvirt, not configured" },
        {
            path: "**.extra",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "unmodelled settings are kept as libvirt has them",
        },
    ],
};
