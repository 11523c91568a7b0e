/** How changes to a StoragePool apply. */
import type { ChangePolicyTable } from "../change-policy-format";

export const storagePoolPolicy: ChangePolicyTable = {
    defaultClass: "restart",
    defaultWhy: "the definition is updated and the pool must be restarted (refreshed) to use it",
    rows: [
        { path: "name", class: "replace", why: "libvirt cannot rename a pool" },
        { path: "type", class: "replace", why: "the backend of a pool cannot change" },
        { path: "uuid", class: "replace", unsetKeepsCurrent: true, why: "a pool's UUID is fixed at creation" },
        {
            path: "source.name",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "libvirt names a volume group after the pool",
        },
        {
            path: "source.format",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "libvirt fills in the default format",
        },
        { path: "source", class: "replace", why: "the storage behind the pool would change" },
        {
            path: "target.path",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "existing volumes live under the old path; libvirt derives it for some pool types",
        },
        {
            path: "target.permissions",
            class: "restart",
            unsetKeepsCurrent: true,
            why: "applied when the pool is built",
        },
        { path: "capacity", class: "live", ignore: true, why: "reported by libvirt, not configured" },
        { path: "allocation", class: "live", ignore: true, why: "reported by libvirt, not configured" },
        { path: "available", class: "live", ignore: true, why: "reported by libvirt, not configured" },
        {
            path: "autostart",
            class: "live",
            defaultValue: false,
            why: "autostart is a flag set through the API; unset means off, libvirt's default",
        },
        {
            path: "**.extra",
            class: "restart",
            unsetKeepsCurrent: true,
            why: "unmodelled settings are kept as libvirt has them",
        },
    ],
};
