/**
 * Canonical reading against the model the user declared, so that what libvirt rewrites or adds
 * compares equal: a field the user left out is not compared (libvirt's defaults, generated MACs,
 * vnet target names, the arch, CPU check levels...), a machine alias matches its versioned type,
 * a live host-model CPU matches host-model, and devices libvirt adds on its own are dropped.
 */
import { isDeepStrictEqual } from "node:util";
import type { Domain } from "../model/domain";
import type { DomainController } from "../model/domain-devices-controller";

/** Machine aliases and the versioned types libvirt turns them into. */
const machineAliases: Record<string, RegExp> = {
    q35: /^pc-q35-\d/,
    pc: /^pc-i440fx-\d/,
    microvm: /^microvm/,
    isapc: /^isapc$/,
};

export function machineMatches(declared: string, actual: string): boolean {
    return declared === actual || (machineAliases[declared]?.test(actual) ?? false);
}

/** Presence elements: when their parent is absent they read as undefined, which means off. */
export const presenceFlags = new Set([
    "hugepages",
    "acpi",
    "apic",
    "pae",
    "nosharepages",
    "locked",
    "discard",
    "readonly",
    "shareable",
]);

/** Keys that identify list items, used to line the actual list up with the declared one. */
const itemKeys: Record<string, (item: any) => string | undefined> = {
    disks: (d) => d.target?.dev,
    interfaces: (n) => n.mac,
    channels: (c) => c.name,
    filesystems: (f) => f.target,
    hostdevs: (h) => h.address,
    // libvirt sorts NUMA cells by id and lists a cell's distances in sibling order.
    cells: (c) => (c.id === undefined ? undefined : String(c.id)),
    distances: (d) => String(d.id),
};

function alignList(key: string, actual: unknown[], like: unknown[]): unknown[] {
    const keyOf = itemKeys[key];
    if (keyOf === undefined) return actual;
    const rest = [...actual];
    const aligned: unknown[] = [];
    for (const item of like) {
        const k = keyOf(item);
        const at = k === undefined ? -1 : rest.findIndex((a) => keyOf(a) === k);
        if (at >= 0) aligned.push(rest.splice(at, 1)[0]);
        else if (k === undefined) {
            // An item without a key takes the first remaining item that has no declared key.
            const free = rest.findIndex((a) => !like.some((l) => keyOf(l) !== undefined && keyOf(l) === keyOf(a)));
            if (free >= 0) aligned.push(rest.splice(free, 1)[0]);
        }
    }
    return [...aligned, ...rest];
}

/** Keeps only what `like` declares, recursively. */
function prune(actual: unknown, like: unknown, key = ""): unknown {
    if (like === undefined) return undefined;
    if (Array.isArray(like)) {
        if (!Array.isArray(actual)) return actual === undefined && like.length === 0 ? [] : actual;
        return alignList(key, actual, like).map((item, i) => (i < like.length ? prune(item, like[i], key) : item));
    }
    if (like !== null && typeof like === "object") {
        if (actual === undefined) {
            // A declared section that only says "nothing" (off flags, empty lists) matches its absence.
            const fromNothing = prune({}, like, key);
            return isDeepStrictEqual(fromNothing, like) ? fromNothing : undefined;
        }
        if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return actual;
        const out: Record<string, unknown> = {};
        for (const [k, l] of Object.entries(like as Record<string, unknown>)) {
            const a = (actual as Record<string, unknown>)[k];
            const value = a === undefined && l === false && presenceFlags.has(k) ? false : prune(a, l, k);
            if (value !== undefined) out[k] = value;
        }
        return out;
    }
    return actual;
}

/**
 * The guest's controllers lined up with the declared ones (type and index, or for a declared one
 * without an index the first of its type that is as declared, else the first of its type); the
 * ones libvirt added by itself are dropped. A declared controller the guest lacks leaves the list
 * short, which shows as drift.
 */
function alignControllers(actual: DomainController[], declared: DomainController[]): DomainController[] {
    const rest = [...actual];
    const take = (match: (c: DomainController) => boolean) => {
        const at = rest.findIndex(match);
        return at < 0 ? undefined : rest.splice(at, 1)[0];
    };
    const aligned: Array<DomainController | undefined> = declared.map((d) =>
        d.index === undefined ? undefined : take((c) => c.type === d.type && c.index === d.index),
    );
    const asDeclared = (d: DomainController) => (c: DomainController) =>
        c.type === d.type &&
        Object.entries(d).every(([k, v]) => isDeepStrictEqual((c as Record<string, unknown>)[k], v));
    for (const pass of ["as declared", "first of its type"] as const) {
        declared.forEach((d, i) => {
            if (d.index !== undefined || aligned[i] !== undefined) return;
            aligned[i] = take(pass === "as declared" ? asDeclared(d) : (c) => c.type === d.type);
        });
    }
    return aligned.filter((c) => c !== undefined);
}

/** Drops the PS/2 devices, serial consoles and controllers libvirt adds, unless the declared list has them. */
function dropImplicitDevices(actual: Domain, like: Domain): void {
    const declared = like.devices;
    if (actual.devices.controllers && declared.controllers) {
        actual.devices.controllers = alignControllers(actual.devices.controllers, declared.controllers);
    }
    const inputs = actual.devices.inputs;
    if (inputs && declared.inputs) {
        actual.devices.inputs = inputs.filter(
            (i) => i.bus !== "ps2" || declared.inputs!.some((d) => d.type === i.type && (d.bus ?? "ps2") === "ps2"),
        );
    }
    const consoles = actual.devices.consoles;
    if (consoles && declared.consoles) {
        // A console without a target type is a serial console on x86.
        actual.devices.consoles = consoles.filter(
            (c) => c.targetType !== "serial" || declared.consoles!.some((d) => (d.targetType ?? "serial") === "serial"),
        );
    }
}

/** Values libvirt leaves out of its output because they are the default. */
function fillDefaults(actual: Domain, like: Domain): void {
    if (actual.cpu && like.cpu?.fallback === "allow" && actual.cpu.fallback === undefined)
        actual.cpu.fallback = "allow";
    // A nodeset implies static placement, which libvirt then leaves out.
    const memory = actual.numatune?.memory;
    if (memory && like.numatune?.memory?.placement === "static" && memory.placement === undefined && memory.nodeset)
        memory.placement = "static";
    // Without guest NUMA cells, libvirt drops a huge page nodeset of just node 0 (the only node).
    const pages = actual.memoryBacking?.hugepages;
    const declaredPages = like.memoryBacking?.hugepages;
    if (Array.isArray(pages) && Array.isArray(declaredPages)) {
        for (const declared of declaredPages) {
            const page = pages.find((p) => p.size === declared.size && p.nodeset === undefined);
            if (declared.nodeset === "0" && page) page.nodeset = "0";
        }
    }
    // libvirt fills in the distances a declaration implies (a cell's own 10, the mirror of a
    // sibling's entry): only the declared ones are compared.
    const cells = actual.cpu?.numa?.cells;
    like.cpu?.numa?.cells.forEach((declared, i) => {
        const cell = declared.id === undefined ? cells?.[i] : cells?.find((c) => c.id === declared.id);
        if (cell?.distances && declared.distances) {
            const ids = new Set(declared.distances.map((d) => d.id));
            cell.distances = cell.distances.filter((d) => ids.has(d.id));
        }
    });
    // One queue is what a virtio NIC has anyway: libvirt drops queues='1' from its definition.
    const nics = actual.devices.interfaces;
    like.devices.interfaces?.forEach((declared, i) => {
        if (declared.driver?.queues !== 1) return;
        const nic = declared.mac === undefined ? nics?.[i] : nics?.find((n) => n.mac === declared.mac);
        if (nic && nic.driver?.queues === undefined) nic.driver = { ...nic.driver, queues: 1 };
    });
    // cache='default' is libvirt's way of saying "no cache attribute": it drops it.
    const disks = actual.devices.disks;
    for (const declared of like.devices.disks ?? []) {
        if (declared.driver?.cache !== "default") continue;
        const disk = disks?.find((d) => d.target.dev === declared.target.dev);
        if (disk && disk.driver?.cache === undefined) disk.driver = { ...disk.driver, cache: "default" };
    }
}

/**
 * What libvirt resolves when it starts a domain, as the live XML shows it; the configuration
 * itself is compared from the inactive XML, which keeps what was declared:
 * - the WebSocket port picked for `websocket: -1`;
 * - a custom CPU as QEMU provides it (optional features turned into require or disable, features
 *   the model implies listed, check raised to full), like the expansion of host-model;
 * - the firmware chosen for `firmware: 'efi'` (an explicit pflash loader and NVRAM instead);
 * - a variable clock based on localtime, rebased on UTC.
 */
function matchLiveResolutions(actual: Domain, like: Domain): void {
    const graphics = actual.devices.graphics;
    like.devices.graphics?.forEach((declared, i) => {
        const live = graphics?.[i];
        if (declared.websocket === -1 && live?.type === declared.type && (live.websocket ?? -1) >= 0) {
            live.websocket = -1;
        }
    });
    if (like.cpu?.mode === "custom" && actual.cpu?.mode === "custom" && actual.cpu.model === like.cpu.model) {
        actual.cpu = { ...like.cpu, ...(actual.cpu.topology ? { topology: actual.cpu.topology } : {}) };
    }
    if (like.os.firmware === "efi" && actual.os.firmware === undefined && actual.os.loader !== undefined) {
        actual.os.firmware = "efi";
    }
    const clock = actual.clock;
    if (like.clock?.basis === "localtime" && clock?.offset === "variable" && clock.basis === "utc") {
        clock.basis = "localtime";
        if (like.clock.adjustment !== undefined) clock.adjustment = like.clock.adjustment;
    }
}

/** The reading of `actual` as it compares with the declared model `like`. */
export function resolveAgainst(actual: Domain, like: Domain, options: { live?: boolean } = {}): Domain {
    const copy = structuredClone(actual);
    if (like.os.machine && copy.os.machine && machineMatches(like.os.machine, copy.os.machine)) {
        copy.os.machine = like.os.machine;
    }
    if (like.cpu?.mode === "host-model" && copy.cpu?.mode === "custom") {
        // A running guest shows host-model expanded into a named model with features.
        copy.cpu = { ...like.cpu, ...(copy.cpu.topology ? { topology: copy.cpu.topology } : {}) };
    }
    // The canonical reading leaves out a current vCPU count equal to the maximum (libvirt drops
    // it): a declaration that spells it out reads it back.
    if (
        copy.vcpu.current === undefined &&
        like.vcpu.current === like.vcpu.maximum &&
        copy.vcpu.maximum === like.vcpu.maximum
    ) {
        copy.vcpu.current = like.vcpu.current;
    }
    dropImplicitDevices(copy, like);
    fillDefaults(copy, like);
    if (options.live) matchLiveResolutions(copy, like);
    return prune(copy, like) as Domain;
}
