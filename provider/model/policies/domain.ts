/**
 * How changes to a Domain apply. Live: what libvirt changes on a running guest through the API
 * (vCPU count, balloon, media, link state, hot plug, metadata, autostart, power state). Everything
 * else is written to the definition and needs a restart of the guest, except a few settings the
 * guest only reads at its next start, and identity (name, type, UUID), which means a new domain.
 */
import { isDeepStrictEqual } from "node:util";
import type { ChangeClass, ChangeContext, ChangePolicyTable } from "../change-policy-format";

type Model = { devices?: Record<string, unknown[] | undefined>; memory?: number } | undefined;

/** Buses QEMU can plug a disk into while the guest runs. */
const hotPluggableDiskBuses = new Set(["virtio", "scsi", "usb", undefined]);

interface Keyed {
    key: (item: any) => string | undefined;
    /** Class for an item added or removed. */
    plugged: (item: any) => ChangeClass;
    /** Class for an item changed in place. */
    changed: (before: any, after: any) => ChangeClass;
}

function worst(classes: ChangeClass[]): ChangeClass {
    const order: ChangeClass[] = ["live", "nextBoot", "restart", "replace"];
    return classes.reduce<ChangeClass>((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a), "live");
}

/**
 * Decides a change inside a device list by device identity rather than list position, so that
 * unplugging the first disk does not look like every later disk changing.
 */
function byDevice(list: string, rules: Keyed) {
    return (change: ChangeContext): ChangeClass | undefined => {
        const index = Number(/\[(\d+)\]/.exec(change.path)?.[1]);
        const before = ((change.oldModel as Model)?.devices?.[list] ?? []) as unknown[];
        const after = ((change.newModel as Model)?.devices?.[list] ?? []) as unknown[];
        const find = (items: unknown[], item: unknown, i: number) => {
            const key = rules.key(item);
            return key === undefined ? items[i] : items.find((other) => rules.key(other) === key);
        };
        const classes: ChangeClass[] = [];
        const newItem = after[index];
        const oldItem = before[index];
        if (newItem !== undefined) {
            const match = find(before, newItem, index);
            if (match === undefined) classes.push(rules.plugged(newItem));
            else if (!isDeepStrictEqual(match, newItem)) classes.push(rules.changed(match, newItem));
        }
        if (oldItem !== undefined && find(after, oldItem, index) === undefined) classes.push(rules.plugged(oldItem));
        return worst(classes);
    };
}

const diskRules: Keyed = {
    key: (disk) => disk?.target?.dev,
    plugged: (disk) => (hotPluggableDiskBuses.has(disk?.target?.bus) ? "live" : "restart"),
    changed: (before, after) => {
        const { source: _a, ...restBefore } = before;
        const { source: _b, ...restAfter } = after;
        const removable = after.device === "cdrom" || after.device === "floppy";
        // Changing the medium of a cdrom or floppy is an eject and insert.
        return removable && isDeepStrictEqual(restBefore, restAfter) ? "live" : "restart";
    },
};

const interfaceRules: Keyed = {
    key: (nic) => nic?.mac,
    plugged: () => "live",
    changed: (before, after) => {
        const { linkUp: _a, ...restBefore } = before;
        const { linkUp: _b, ...restAfter } = after;
        // Only the link state is changed on a running NIC (virDomainUpdateDeviceFlags).
        return isDeepStrictEqual(restBefore, restAfter) ? "live" : "restart";
    },
};

type Dimm = { size: number };

/**
 * True when the only memory change is DIMMs appended to the list (memory growing by their sizes):
 * those are plugged into the running guest. Unplugging needs the guest's cooperation; a restart.
 */
function dimmsOnlyAdded(change: ChangeContext): boolean {
    const memoriesOf = (model: unknown) =>
        ((model as { devices?: { memories?: Dimm[] } })?.devices?.memories ?? []) as Dimm[];
    const memoryOf = (model: unknown) => (model as Model)?.memory ?? 0;
    const before = memoriesOf(change.oldModel);
    const after = memoriesOf(change.newModel);
    if (after.length <= before.length || !before.every((dimm, i) => isDeepStrictEqual(dimm, after[i]))) return false;
    const added = after.slice(before.length).reduce((sum, dimm) => sum + dimm.size, 0);
    return memoryOf(change.newModel) - memoryOf(change.oldModel) === added;
}

export const domainPolicy: ChangePolicyTable = {
    defaultClass: "restart",
    defaultWhy: "the definition is updated and the guest must be restarted to use it",
    rows: [
        { path: "name", class: "replace", why: "a running domain cannot be renamed; a new one is defined" },
        { path: "type", class: "replace", why: "kvm and qemu domains are different machines" },
        { path: "uuid", class: "replace", unsetKeepsCurrent: true, why: "the UUID identifies the domain" },
        { path: "title", class: "live", why: "metadata is set on the running guest and the definition" },
        { path: "description", class: "live", why: "metadata is set on the running guest and the definition" },
        { path: "autostart", class: "live", why: "autostart is a flag set through the API" },
        { path: "running", class: "live", why: "the power state is changed by starting or shutting down" },
        { path: "vcpu.current", class: "live", why: "vCPUs are plugged or unplugged up to the maximum" },
        { path: "vcpu.maximum", class: "restart", why: "the vCPU ceiling is fixed when QEMU starts" },
        {
            path: "currentMemory",
            class: "live",
            decide: (change) => {
                const balloon = (change.newModel as { devices?: { memballoon?: { model?: string } } })?.devices
                    ?.memballoon;
                return balloon?.model === "none" ? "restart" : undefined;
            },
            why: "the balloon moves current memory up to the maximum",
        },
        {
            path: "memory",
            class: "restart",
            decide: (change) => (dimmsOnlyAdded(change) ? "live" : undefined),
            why: "the memory size is fixed when QEMU starts, except for DIMMs plugged in live",
        },
        { path: "maxMemory", class: "restart", why: "memory slots are created when QEMU starts" },
        {
            path: "memtune",
            class: "restart",
            why: "the limits are applied to QEMU's cgroup when it starts (not changed on a running guest by the provider)",
        },
        { path: "iothreads", class: "restart", why: "I/O threads are created when QEMU starts" },
        {
            path: "vcpus",
            class: "restart",
            why: "which vCPUs can be unplugged is fixed when QEMU starts",
        },
        {
            path: "vcpus[].enabled",
            class: "live",
            why: "the online count follows vcpu.current live (libvirt unplugs hotpluggable vCPUs from the last); the definition keeps the declared ones",
        },
        { path: "onPoweroff", class: "nextBoot", why: "read when the guest next stops" },
        { path: "onReboot", class: "nextBoot", why: "read when the guest next stops" },
        { path: "onCrash", class: "nextBoot", why: "read when the guest next stops" },
        { path: "os.boot", class: "nextBoot", why: "the boot order is read by the firmware at the next start" },
        { path: "os.bootMenu", class: "nextBoot", why: "the boot menu shows at the next start" },
        { path: "os.bootMenuTimeout", class: "nextBoot", why: "the boot menu shows at the next start" },
        { path: "os.arch", class: "replace", unsetKeepsCurrent: true, why: "another architecture is another machine" },
        { path: "os.machine", class: "restart", unsetKeepsCurrent: true, why: "libvirt fills in the versioned type" },
        {
            path: "devices.disks",
            class: "restart",
            decide: byDevice("disks", diskRules),
            why: "virtio, SCSI and USB disks are hot plugged and cdrom media changed live; other changes need a restart",
        },
        {
            path: "devices.interfaces",
            class: "restart",
            decide: byDevice("interfaces", interfaceRules),
            why: "NICs are hot plugged and their link state set live; other changes need a restart",
        },
        {
            path: "devices.interfaces[].mac",
            class: "restart",
            unsetKeepsCurrent: true,
            decide: byDevice("interfaces", interfaceRules),
            why: "libvirt generated the MAC; it is kept",
        },
        {
            path: "devices.interfaces[].targetDev",
            class: "restart",
            unsetKeepsCurrent: true,
            decide: byDevice("interfaces", interfaceRules),
            why: "libvirt names the tap device",
        },
        {
            path: "devices.graphics[].password",
            class: "live",
            decide: (change) =>
                typeof change.oldValue === "string" && typeof change.newValue === "string" ? "live" : "restart",
            why: "a new console password is given to the running VNC or SPICE server (virDomainUpdateDeviceFlags); adding or removing one needs a restart",
        },
        { path: "devices.emulator", class: "restart", unsetKeepsCurrent: true, why: "libvirt picks the emulator" },
        { path: "cpu", class: "restart", why: "the CPU model is fixed when QEMU starts" },
        { path: "cpu.numa", class: "restart", why: "the guest's NUMA nodes are fixed when QEMU starts" },
        {
            path: "devices.memories",
            class: "restart",
            decide: (change) => (dimmsOnlyAdded(change) ? "live" : undefined),
            why: "DIMMs are plugged live into free maxMemory slots; unplugging or changing one needs a restart",
        },
        {
            path: "devices.controllers",
            class: "restart",
            why: "controllers are created when QEMU starts (the provider does not hot plug them)",
        },
    ],
};
