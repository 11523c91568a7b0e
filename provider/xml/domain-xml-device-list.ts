/**
 * Reading and merging one kind of device (all `<disk>`s, all `<interface>`s...).
 *
 * Merging matches each desired device with one the guest already has, so that what libvirt
 * attached to it (PCI address, alias, generated MAC, boot index, unmodelled attributes) survives:
 * first by the device's key (a disk's target dev, a NIC's MAC), then in document order. Devices of
 * the kind that the model cannot express, and devices libvirt adds on its own, are never removed.
 */
import { isDeepStrictEqual } from "node:util";
import { type XElement, children, insertChild } from "./tree";
import { NotModelled } from "./domain-xml-support";

export interface DeviceCodec<T> {
    /** The element name under `<devices>`. */
    tag: string;
    /** Reads one element; throws NotModelled when the model cannot express it. */
    read(node: XElement): T;
    /** Writes the desired device into an existing (or new, empty) element. */
    write(node: XElement, desired: T, previous: T | undefined): void;
    /** A key that identifies the device across changes, when it has one. */
    key?(device: T): string | undefined;
    /** Devices libvirt adds by itself; they are kept when the list leaves them out. */
    implicit?(node: XElement): boolean;
    /**
     * Whether an existing device may be rewritten into a declared one that has no key (a controller
     * only into one of its own type). Given, it also lets a device libvirt added be taken in order.
     */
    sameKind?(existing: T, declared: T): boolean;
}

/** libvirt's order of device kinds, used to place a new device next to its peers. */
export const deviceOrder = [
    "emulator",
    "disk",
    "controller",
    "lease",
    "filesystem",
    "interface",
    "smartcard",
    "serial",
    "parallel",
    "console",
    "channel",
    "input",
    "tpm",
    "graphics",
    "sound",
    "audio",
    "video",
    "hostdev",
    "redirdev",
    "redirfilter",
    "hub",
    "watchdog",
    "memballoon",
    "rng",
    "panic",
    "shmem",
    "memory",
    "iommu",
    "vsock",
];

interface Entry<T> {
    node: XElement;
    value: T;
}

function modelledEntries<T>(devices: XElement, codec: DeviceCodec<T>): Array<Entry<T>> {
    const entries: Array<Entry<T>> = [];
    for (const node of children(devices, codec.tag)) {
        try {
            entries.push({ node, value: codec.read(node) });
        } catch (error) {
            if (!(error instanceof NotModelled)) throw error;
        }
    }
    return entries;
}

/** The devices of one kind that the model can express, in document order. */
export function readDeviceList<T>(devices: XElement | undefined, codec: DeviceCodec<T>): T[] {
    if (devices === undefined) return [];
    return modelledEntries(devices, codec).map((e) => e.value);
}

/** Makes the devices of one kind match `desired`, changing as little of the document as possible. */
export function mergeDeviceList<T>(
    devices: XElement,
    codec: DeviceCodec<T>,
    desired: readonly T[],
    previous: readonly T[] | undefined,
): void {
    const entries = modelledEntries(devices, codec);
    const matched = new Map<number, Entry<T>>();
    const used = new Set<Entry<T>>();
    desired.forEach((device, i) => {
        const key = codec.key?.(device);
        if (key === undefined) return;
        const entry = entries.find((e) => !used.has(e) && codec.key?.(e.value) === key);
        if (entry) {
            matched.set(i, entry);
            used.add(entry);
        }
    });
    // Then devices without a key: first one that already is as declared (so that removing the
    // first of two NICs removes that NIC rather than rewriting it into the second), then in order.
    // A device with a key that no existing device has is a new device, not a changed one.
    const unkeyed = desired.map((_, i) => i).filter((i) => !matched.has(i) && codec.key?.(desired[i]!) === undefined);
    for (const pass of ["as declared", "in order"] as const) {
        for (const i of unkeyed) {
            if (matched.has(i)) continue;
            const entry = entries.find((e) => {
                if (used.has(e)) return false;
                if (codec.sameKind && !codec.sameKind(e.value, desired[i]!)) return false;
                // A device libvirt added by itself is only taken when it already is the declared one.
                if (pass === "in order") return codec.sameKind !== undefined || !codec.implicit?.(e.node);
                return isDeclaredAs(e.value, desired[i]!);
            });
            if (entry) {
                matched.set(i, entry);
                used.add(entry);
            }
        }
    }
    for (const entry of entries) {
        // What libvirt added by itself stays, unless the previous model had declared it.
        const declaredBefore = previous?.some((p) => isDeepStrictEqual(p, entry.value)) ?? false;
        if (!used.has(entry) && (!codec.implicit?.(entry.node) || declaredBefore)) {
            devices.children = devices.children.filter((c) => c !== entry.node);
        }
    }
    // Write in declared order; a new device goes right after the one declared before it.
    const placed: XElement[] = [];
    desired.forEach((device, i) => {
        const entry = matched.get(i);
        if (entry) {
            // An unchanged device is left exactly as libvirt wrote it.
            if (!isDeepStrictEqual(entry.value, device)) {
                codec.write(entry.node, device, previousOf(codec, previous, device, i));
            }
            placed.push(entry.node);
            return;
        }
        const node: XElement = { name: codec.tag, attrs: {}, children: [] };
        codec.write(node, device, undefined);
        placeAfter(devices, node, placed[i - 1], matched);
        placed.push(node);
    });
}

/** True when every field the declared device sets has that value in the existing one. */
function isDeclaredAs<T>(existing: T, declared: T): boolean {
    return Object.entries(declared as object).every(([key, value]) =>
        isDeepStrictEqual((existing as Record<string, unknown>)[key], value),
    );
}

/** The previously applied version of a device: the one with the same key, else the one at the same place. */
function previousOf<T>(
    codec: DeviceCodec<T>,
    previous: readonly T[] | undefined,
    device: T,
    index: number,
): T | undefined {
    const key = codec.key?.(device);
    if (key !== undefined) return previous?.find((p) => codec.key?.(p) === key);
    return previous?.[index];
}

/**
 * Inserts a new device after the device declared before it; the first one goes before the first
 * kept device of its kind, or where libvirt's device order puts that kind.
 */
function placeAfter<T>(
    devices: XElement,
    node: XElement,
    before: XElement | undefined,
    matched: Map<number, Entry<T>>,
): void {
    if (before !== undefined) {
        devices.children.splice(devices.children.indexOf(before) + 1, 0, node);
        return;
    }
    const firstKept = [...matched.values()].map((e) => devices.children.indexOf(e.node)).filter((at) => at >= 0);
    if (firstKept.length > 0) devices.children.splice(Math.min(...firstKept), 0, node);
    else insertChild(devices, node, deviceOrder);
}
