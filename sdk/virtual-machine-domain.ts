/**
 * The VirtualMachine's Domain arguments: its defaults (CPU model per domain type), its stable MAC,
 * and the merge of the user's `domain` argument over what the component writes.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { DomainArgs } from "./generated/inputs";

/**
 * The MAC of the VM's NIC: libvirt's KVM prefix 52:54:00 and three bytes of a hash of the domain's
 * name, so the same name always gets the same MAC (its DHCP reservation and lease survive a
 * re-create), and different names almost never collide on one network.
 */
export function stableMac(domainName: string): string {
    const hash = createHash("sha256").update(`pulumi-libvirt VirtualMachine ${domainName}`).digest();
    return ["52", "54", "00", ...[...hash.subarray(0, 3)].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

/**
 * The CPU the guest sees unless `cpu` is given: host-model under KVM (the host's features, the
 * model libvirt's CPU map names for it); under TCG (type "qemu") the named model qemu64, which
 * QEMU emulates everywhere and every x86-64 distribution boots on.
 */
export function defaultCpu(type: "kvm" | "qemu"): DomainArgs["cpu"] {
    return type === "kvm" ? { mode: "host-model" } : { mode: "custom", model: "qemu64" };
}

/** Device lists that the `domain` argument appends to instead of replacing. */
const APPENDED_DEVICE_LISTS = new Set([
    "disks",
    "interfaces",
    "graphics",
    "videos",
    "sounds",
    "serials",
    "consoles",
    "channels",
    "rngs",
    "filesystems",
    "hostdevs",
    "watchdogs",
    "tpms",
    "inputs",
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    // Outputs and Promises are values, not objects to merge into.
    if (pulumi.Output.isInstance(value) || value instanceof Promise) return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

/**
 * `extra` over `base`: plain objects merge key by key, any other value of `extra` replaces the
 * base's, except the device lists under `devices`, which are appended (an extra disk is added, the
 * component's system disk stays). A value given as an Output replaces the whole subtree.
 */
export function mergeDomainArgs(
    base: Record<string, unknown>,
    extra: Record<string, unknown>,
    path = "",
): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(extra)) {
        if (value === undefined) continue;
        const current = merged[key];
        if (path === "devices" && APPENDED_DEVICE_LISTS.has(key) && Array.isArray(current) && Array.isArray(value)) {
            merged[key] = [...current, ...value];
        } else if (isPlainObject(current) && isPlainObject(value)) {
            merged[key] = mergeDomainArgs(current, value, path === "" ? key : `${path}.${key}`);
        } else {
            merged[key] = value;
        }
    }
    return merged;
}
