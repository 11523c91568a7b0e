/**
 * Canonical reading against the model the user declared, so that what libvirt rewrites or adds
 * compares equal: a field the user left out is not compared (libvirt's defaults, generated MACs,
 * vnet target names, the arch, CPU check levels...), a machine alias matches its versioned type,
 * a live host-model CPU matches host-model, and devices libvirt adds on its own are dropped.
 */
import { isDeepStrictEqual } from "node:util";
import type { Domain } from "../model/domain";

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

/** Drops the PS/2 devices and serial consoles libvirt adds, unless the declared list has them. */
function dropImplicitDevices(actual: Domain, like: Domain): void {
    const declared = like.devices;
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
}

/** The reading of `actual` as it compares with the declared model `like`. */
export function resolveAgainst(actual: Domain, like: Domain): Domain {
    const copy = structuredClone(actual);
    if (like.os.machine && copy.os.machine && machineMatches(like.os.machine, copy.os.machine)) {
        copy.os.machine = like.os.machine;
    }
    if (like.cpu?.mode === "host-model" && copy.cpu?.mode === "custom") {
        // A running guest shows host-model expanded into a named model with features.
        copy.cpu = { ...like.cpu, ...(copy.cpu.topology ? { topology: copy.cpu.topology } : {}) };
    }
    dropImplicitDevices(copy, like);
    fillDefaults(copy, like);
    return prune(copy, like) as Domain;
}
