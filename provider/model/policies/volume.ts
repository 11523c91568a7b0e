/** How changes to a Volume apply. Only growing the capacity can be done in place (volume resize). */
import type { ChangePolicyTable } from "../change-policy-format";
import { type Volume, vpcCapacity } from "../volume";

export const volumePolicy: ChangePolicyTable = {
    defaultClass: "replace",
    defaultWhy: "libvirt has no call to change this on an existing volume",
    rows: [
        {
            path: "capacity",
            class: "live",
            onIncrease: "live",
            onDecrease: "replace",
            // Left unset (allowed with a backing store or source image), the size comes from the image.
            unsetKeepsCurrent: true,
            // qemu rounds a vpc image up to a whole CHS geometry; the rounded size is the one asked for.
            equivalent: ({ oldValue, newValue, newModel }) =>
                typeof oldValue === "number" &&
                typeof newValue === "number" &&
                (newModel as Volume | undefined)?.target?.format === "vpc" &&
                vpcCapacity(newValue) === oldValue,
            why: "volume resize grows a volume; shrinking would lose data (qemu rounds vpc sizes up to a CHS geometry)",
        },
        { path: "pool", class: "replace", why: "a volume cannot move between pools" },
        {
            path: "target.format",
            class: "replace",
            unsetKeepsCurrent: true,
            // An iso volume is created as a plain file; probing it without an ISO 9660 header says raw.
            equivalent: ({ oldValue, newValue }) => oldValue === "raw" && newValue === "iso",
            why: "the image format is chosen at creation; libvirt defaults it to raw and probes an empty iso as raw",
        },
        {
            path: "target.compat",
            class: "replace",
            unsetKeepsCurrent: true,
            // Probing an image (at every pool refresh, so at every libvirtd start) reports compat for
            // qcow2 v3 only: a 0.10 image comes back without <compat>.
            equivalent: ({ oldValue, newValue }) => oldValue === undefined && newValue === "0.10",
            why: "libvirt picks qcow2 compat 1.1 by default; a probed 0.10 image shows no compat",
        },
        {
            path: "target.clusterSize",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "once it probes the image, libvirt reports qcow2's default cluster size (64 KiB)",
        },
        {
            path: "target.encryption.secret",
            class: "replace",
            notReadBack: true,
            why: "the secret is not in the image: libvirt forgets it when it probes the image again (pool refresh)",
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
