/**
 * Property values as the engine sees them: plain JSON plus Pulumi's wire markers — the secret wrapper,
 * the unknown sentinel and resource references. Helpers here convert between that form and what a
 * dynamic provider receives, and emulate the protobuf Struct round trip every value goes through.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

export type PropertyMap = Record<string, unknown>;

/** The value the SDK sends for "not known yet" (runtime/rpc.js `unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

export function isSecret(v: unknown): v is { value: unknown } {
    return isObject(v) && v[SIG_KEY] === SECRET_SIG;
}

export function makeSecret(v: unknown): unknown {
    return isSecret(v) ? v : { [SIG_KEY]: SECRET_SIG, value: v };
}

export function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when the value or anything inside it is the unknown sentinel. */
export function containsUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (isObject(v)) return Object.values(v).some(containsUnknown);
    return false;
}

/** Removes every secret wrapper (the host answers acceptSecrets=false, so providers never see them). */
export function unwrapSecrets(v: unknown): unknown {
    if (isSecret(v)) return unwrapSecrets(v.value);
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    return v;
}

export function unwrapMap(m: PropertyMap): PropertyMap {
    return unwrapSecrets(m) as PropertyMap;
}

/**
 * Resource references become the referenced resource's ID (custom) or URN (component): the dynamic host never
 * says it accepts resources, so the engine downgrades references before calling it.
 */
export function downgradeResourceRefs(v: unknown): unknown {
    if (isObject(v) && v[SIG_KEY] === RESOURCE_SIG) return typeof v.id === "string" && v.id !== "" ? v.id : v.urn;
    if (isSecret(v)) return makeSecret(downgradeResourceRefs(v.value));
    if (Array.isArray(v)) return v.map(downgradeResourceRefs);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, downgradeResourceRefs(x)]));
    return v;
}

/**
 * The host converts every provider result with Struct.fromJavaScript, which throws "Unexpected struct type" on
 * undefined, BigInt, Buffer and similar values; doing the same here makes such bugs fail under the emulator too.
 */
export function structRoundTrip(m: unknown, what: string): PropertyMap {
    try {
        return Struct.fromJavaScript(m as Record<string, any>).toJavaScript() as PropertyMap;
    } catch (e) {
        throw new Error(`${what}: ${(e as Error).message} (a value that protobuf Struct cannot carry)`);
    }
}

/** Deep equality over JSON values, ignoring secretness (the engine compares values, not their wrapping). */
export function deepEqual(a: unknown, b: unknown): boolean {
    const x = unwrapSecrets(a);
    const y = unwrapSecrets(b);
    if (x === y) return true;
    if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => deepEqual(v, y[i]));
    if (isObject(x) && isObject(y)) {
        const kx = Object.keys(x).filter((k) => x[k] !== undefined);
        const ky = Object.keys(y).filter((k) => y[k] !== undefined);
        return kx.length === ky.length && kx.every((k) => k in y && deepEqual(x[k], y[k]));
    }
    return false;
}

/** Top-level keys whose values differ between two maps (the engine's input diff, `ChangedKeys`). */
export function changedKeys(olds: PropertyMap, news: PropertyMap): string[] {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    return [...keys].filter((k) => !deepEqual(olds[k], news[k])).sort();
}

/** True when the value or anything inside it is a secret (the engine's `ContainsSecrets`). */
export function containsSecrets(v: unknown): boolean {
    if (isSecret(v)) return true;
    if (Array.isArray(v)) return v.some(containsSecrets);
    if (isObject(v)) return Object.values(v).some(containsSecrets);
    return false;
}

/**
 * The engine's `annotateSecrets(outs, ins)` (provider_plugin.go), applied because the host answers
 * acceptSecrets=false: for each input key that the outputs also have, objects on both sides are
 * compared key by key; otherwise an input that contains a secret anywhere makes the whole output
 * value secret. So a secret inside a list makes the whole output list secret (the engine's choice:
 * providers may reorder lists).
 */
export function annotateSecrets(outs: PropertyMap, ins: PropertyMap): PropertyMap {
    const result: PropertyMap = { ...outs };
    for (const [k, inValue] of Object.entries(ins)) {
        if (!(k in result)) continue;
        const outValue = result[k];
        if (isObject(inValue) && !isSecret(inValue) && isObject(outValue) && !isSecret(outValue))
            result[k] = annotateSecrets(outValue, inValue);
        else if (!isSecret(outValue) && containsSecrets(inValue)) result[k] = makeSecret(outValue);
    }
    return result;
}

/** Marks the named top-level outputs secret (`additionalSecretOutputs`). */
export function markSecretKeys(outs: PropertyMap, keys: readonly string[]): PropertyMap {
    const result: PropertyMap = { ...outs };
    for (const k of keys) if (k in result) result[k] = makeSecret(result[k]);
    return result;
}

/** Replaces secret values by a placeholder, for anything that is printed. */
export function redact(v: unknown): unknown {
    if (isSecret(v)) return "[secret]";
    if (Array.isArray(v)) return v.map(redact);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x)]));
    return v;
}

/** Reads a dotted property path (`a.b[0].c`, `a["x.y"]`) into a list of keys. */
export function parsePath(path: string): string[] {
    const parts: string[] = [];
    const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/g;
    for (const m of path.matchAll(re)) parts.push(m[1] ?? m[2] ?? m[3] ?? "");
    return parts;
}

/**
 * `ignoreChanges`: writes the old value at each path back into the new inputs (deleting it when the old inputs
 * lack it), as the engine's processIgnoreChanges does before Check.
 */
export function applyIgnoreChanges(news: PropertyMap, olds: PropertyMap, paths: readonly string[]): PropertyMap {
    const result = structuredClone(news);
    for (const path of paths) {
        const keys = parsePath(path);
        let src: any = olds;
        let dst: any = result;
        for (let i = 0; i < keys.length - 1; i++) {
            src = src?.[keys[i]!];
            if (dst[keys[i]!] === undefined || typeof dst[keys[i]!] !== "object") dst[keys[i]!] = {};
            dst = dst[keys[i]!];
        }
        const last = keys[keys.length - 1]!;
        if (src !== undefined && src !== null && last in src) dst[last] = structuredClone(src[last]);
        else delete dst[last];
    }
    return result;
}
