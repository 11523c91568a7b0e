/**
 * The Domain's outputs: the checked inputs echoed (Pulumi hands them back as `olds`), plus values
 * only libvirt knows. Graphics passwords are moved out of `devices` into one secret output rather
 * than making `devices` secret as a whole: the clear password then sits in exactly one output, the
 * one the SDK declares secret, whatever the engine's marking by key does (a program that bypasses
 * the SDK included), and disks and NICs stay readable in the state.
 */
import { withoutSecrets } from "../../model/secret";
import { formatBytes } from "../../model/units";
import type { Properties } from "../shared/handler";
import { DOMAIN_SECRET_PATHS } from "./args";
import { jsonClean } from "../shared/outputs";

/** Output-only properties, with the JSON-clean types they carry. */
export interface DomainComputed {
    /** The domain's UUID (also its Pulumi ID). */
    uuid: string;
    /** The MAC address of each interface, in `devices.interfaces` order. */
    macAddresses: string[];
    /** The non-link-local addresses of each interface, in `devices.interfaces` order. */
    ipAddresses: string[][];
    /** The power state: running, shutoff, paused, ... */
    state: string;
    /** True when the definition holds changes that the running guest only gets after a restart. */
    pendingRestart: boolean;
    /** The fields waiting for that restart. */
    pendingChanges: string[];
    /** The console password of each `devices.graphics` entry (null where none); a secret output. */
    graphicsPasswords: Array<string | null>;
}

export const computedKeys: ReadonlyArray<keyof DomainComputed> = [
    "uuid",
    "macAddresses",
    "ipAddresses",
    "state",
    "pendingRestart",
    "pendingChanges",
    "graphicsPasswords",
];

type Graphics = { password?: unknown } & Record<string, unknown>;

function graphicsOf(props: Properties): Graphics[] | undefined {
    const devices = props.devices as { graphics?: unknown } | undefined;
    return Array.isArray(devices?.graphics) ? (devices.graphics as Graphics[]) : undefined;
}

/** The inputs without passwords in `devices.graphics`, and the passwords taken out (index-aligned). */
export function splitPasswords(inputs: Properties): { inputs: Properties; passwords: Array<string | null> } {
    const graphics = graphicsOf(inputs);
    if (!graphics) return { inputs, passwords: [] };
    const passwords = graphics.map((g) => (typeof g.password === "string" ? g.password : null));
    const stripped = graphics.map(({ password: _password, ...rest }) => rest);
    return { inputs: { ...inputs, devices: { ...(inputs.devices as object), graphics: stripped } }, passwords };
}

/** Puts the passwords of the secret output back into `devices.graphics` (for parsing old outputs). */
export function joinPasswords(props: Properties): Properties {
    const graphics = graphicsOf(props);
    const passwords = props.graphicsPasswords;
    if (!graphics || !Array.isArray(passwords)) return props;
    const joined = graphics.map((g, i) => (typeof passwords[i] === "string" ? { ...g, password: passwords[i] } : g));
    return { ...props, devices: { ...(props.devices as object), graphics: joined } };
}

/** The properties without the computed outputs: what was declared. */
export function declaredPart(props: Properties): Properties {
    const joined = joinPasswords(props);
    const result: Properties = {};
    for (const [key, value] of Object.entries(joined)) {
        if (!(computedKeys as readonly string[]).includes(key) && key !== "__provider") result[key] = value;
    }
    return result;
}

/**
 * The outputs of a Domain: the inputs echoed (passwords moved to their secret output) plus the
 * computed values. Any other secret argument is dropped from the echo too, so that a secret declared
 * later can never appear in clear in `devices`; it then needs a secret output of its own, like
 * `graphicsPasswords`, for diff to see its old value.
 */
export function domainOutputs(inputs: Properties, computed: Omit<DomainComputed, "graphicsPasswords">): Properties {
    const { inputs: moved, passwords } = splitPasswords(inputs);
    const { __provider, ...rest } = withoutSecrets(moved, DOMAIN_SECRET_PATHS);
    const outputs: Properties = { ...rest, ...computed, graphicsPasswords: passwords };
    const clean = jsonClean(outputs);
    // __provider is an opaque string the engine needs back unchanged; keep it outside the cleaning.
    return __provider === undefined ? clean : { ...clean, __provider };
}

/** Size fields of the model (bytes in the model, friendly at the input). */
const sizePaths: ReadonlyArray<ReadonlyArray<string>> = [
    ["memory"],
    ["currentMemory"],
    ["maxMemory", "size"],
    ["memtune", "hardLimit"],
    ["memtune", "softLimit"],
    ["memtune", "swapHardLimit"],
    ["memtune", "minGuarantee"],
    ["cpu", "numa", "cells", "[]", "memory"],
    ["memoryBacking", "hugepages", "[]", "size"],
    ["devices", "videos", "[]", "vram"],
];

/** A byte count as users write it: whole MiB as a number, anything else as a string with a unit. */
export function friendlySize(bytes: number): number | string {
    const mib = 1024 * 1024;
    return bytes % mib === 0 ? bytes / mib : formatBytes(bytes);
}

function convertAt(value: unknown, path: ReadonlyArray<string>): unknown {
    if (value === undefined || value === null) return value;
    if (path.length === 0) return typeof value === "number" ? friendlySize(value) : value;
    const [head, ...rest] = path;
    if (head === "[]") return Array.isArray(value) ? value.map((item) => convertAt(item, rest)) : value;
    if (typeof value !== "object" || Array.isArray(value)) return value;
    const record = value as Record<string, unknown>;
    if (!(head! in record)) return value;
    return { ...record, [head!]: convertAt(record[head!], rest) };
}

/**
 * A model (as libvirt's XML was read) in the friendly input form: sizes back to MiB or unit
 * strings, so that it can become the resource's inputs after a refresh or an adoption and be
 * parsed again without being mistaken for MiB.
 */
export function modelToInputs(model: object): Properties {
    let result: unknown = jsonClean(model as Properties);
    for (const path of sizePaths) result = convertAt(result, path);
    return result as Properties;
}
