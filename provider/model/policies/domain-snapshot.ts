/**
 * How changes to a DomainSnapshot apply. A snapshot records one moment: whatever decides what it
 * holds takes a new snapshot (replace); only the description can change in place, and
 * `revertTrigger` is an action, not a property of the snapshot.
 */
import type { ChangePolicyTable } from "../change-policy-format";

export const domainSnapshotPolicy: ChangePolicyTable = {
    defaultClass: "replace",
    defaultWhy: "a snapshot's content is fixed when it is taken: a new snapshot is taken",
    rows: [
        { path: "description", class: "live", why: "libvirt redefines the snapshot with the new description" },
        {
            path: "quiesce",
            class: "live",
            why: "used only while a snapshot is taken; the existing snapshot is kept",
        },
        {
            path: "revertTrigger",
            class: "live",
            why: "a new value reverts the domain to this snapshot",
        },
        { path: "kind", class: "replace", defaultValue: "internal", why: "another kind of snapshot" },
        { path: "memory", class: "replace", defaultValue: false, why: "the memory is saved or not when taken" },
    ],
};
