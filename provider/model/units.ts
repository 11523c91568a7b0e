/**
 * Sizes: the friendly forms users type and libvirt's unit names, both turned into a byte count.
 *
 * Byte counts are plain JavaScript numbers. Every size in a lab (disks, memory, pools) stays far
 * below 2^53 bytes (8 PiB), so a number is exact; anything larger is rejected rather than rounded.
 */

const KIBI = 1024;
const KILO = 1000;

/** Powers by unit letter, as libvirt's virScaleInteger reads them (k, M, G, T, P, E). */
const POWER_BY_LETTER: Readonly<Record<string, number>> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** The largest byte count that a number holds exactly. */
export const MAX_EXACT_BYTES = Number.MAX_SAFE_INTEGER;

/**
 * How many bytes one of `unit` is, following libvirt's rules: "b", "byte" and "bytes" are 1;
 * a bare letter ("k", "M", "G") or a letter with "iB" ("KiB", "MiB") is a power of 1024; a letter
 * with "B" ("KB", "MB", "GB") is a power of 1000. Letters are case-insensitive, as in libvirt.
 * Returns undefined for a unit libvirt would refuse.
 */
export function unitMultiplier(unit: string): number | undefined {
    const lower = unit.toLowerCase();
    if (lower === "b" || lower === "byte" || lower === "bytes") return 1;
    const power = POWER_BY_LETTER[lower[0] ?? ""];
    if (power === undefined) return undefined;
    const rest = lower.slice(1);
    if (rest === "" || rest === "ib") return KIBI ** power;
    if (rest === "b") return KILO ** power;
    return undefined;
}

/** True when libvirt accepts `unit` as a size unit. */
export function isLibvirtUnit(unit: string): boolean {
    return unitMultiplier(unit) !== undefined;
}

/** The outcome of reading a size: bytes, or the reason it could not be read. */
export type SizeResult = { ok: true; bytes: number } | { ok: false; reason: string };

function checkedBytes(bytes: number, shown: string): SizeResult {
    if (!Number.isFinite(bytes) || bytes < 0)
        return { ok: false, reason: `${shown} is not a size; sizes are 0 or more` };
    if (!Number.isInteger(bytes)) return { ok: false, reason: `${shown} is not a whole number of bytes` };
    if (bytes > MAX_EXACT_BYTES)
        return { ok: false, reason: `${shown} is 8 PiB or more; sizes stop just below 8 PiB (2^53 bytes)` };
    return { ok: true, bytes };
}

/**
 * Reads a value and unit the way libvirt stores them (`<capacity unit='G'>10</capacity>`).
 * A missing unit means `defaultUnit` (bytes for storage, KiB for domain memory).
 */
export function scaledToBytes(value: string | number, unit: string | undefined, defaultUnit = "bytes"): SizeResult {
    const unitName = unit === undefined || unit === "" ? defaultUnit : unit;
    const multiplier = unitMultiplier(unitName);
    if (multiplier === undefined) return { ok: false, reason: `unknown size unit '${unitName}'` };
    const text = String(value).trim();
    if (!/^\d+$/.test(text)) return { ok: false, reason: `'${text}' is not a whole number` };
    return checkedBytes(Number(text) * multiplier, `${text} ${unitName}`);
}

/** Like scaledToBytes, but throws; for readers of XML that libvirt itself produced. */
export function scaledToBytesOrThrow(value: string | number, unit: string | undefined, defaultUnit = "bytes"): number {
    const result = scaledToBytes(value, unit, defaultUnit);
    if (!result.ok) throw new Error(result.reason);
    return result.bytes;
}

const FRIENDLY_SIZE = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/;
const BARE_NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * Reads a size as users write it: a number is MiB; a string is a number and a libvirt unit, with an
 * optional space and an optional fraction ("2GiB", "512 MiB", "10G", "100MB", "1.5GiB", "4096b").
 * Units follow libvirt's `unit` attribute: "GB" is 10^9 bytes, "GiB" and "G" are 2^30.
 * A bare number in a string is refused, because libvirt and users disagree on its unit.
 */
export function friendlySizeToBytes(size: number | string): SizeResult {
    if (typeof size === "number") {
        if (!Number.isFinite(size)) return { ok: false, reason: `${size} is not a size (a number is MiB)` };
        return checkedBytes(size * KIBI * KIBI, `${size} (a number is MiB)`);
    }
    const trimmed = size.trim();
    if (BARE_NUMBER.test(trimmed)) {
        return {
            ok: false,
            reason: `'${size}' has no unit; write "${trimmed}MiB" (or the number ${trimmed}, which means MiB), "${trimmed}GiB"...`,
        };
    }
    const match = FRIENDLY_SIZE.exec(trimmed);
    if (!match) {
        return {
            ok: false,
            reason: `'${size}' is not a size; write a number of MiB or a string such as "2GiB", "512MiB", "10G" or "100MB"`,
        };
    }
    const multiplier = unitMultiplier(match[2]!);
    if (multiplier === undefined) {
        return {
            ok: false,
            reason: `unknown unit '${match[2]}' in '${size}'; use b, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000)`,
        };
    }
    return checkedBytes(Number(match[1]) * multiplier, `'${size}'`);
}

/** A byte count expressed in `unit`, or undefined when it is not a whole number of that unit. */
export function bytesInUnit(bytes: number, unit: string): number | undefined {
    const multiplier = unitMultiplier(unit);
    if (multiplier === undefined) throw new Error(`unknown size unit '${unit}'`);
    return bytes % multiplier === 0 ? bytes / multiplier : undefined;
}

const DISPLAY_UNITS = ["EiB", "PiB", "TiB", "GiB", "MiB", "KiB"] as const;

/** The shortest exact binary spelling of a byte count ("10GiB", "512MiB", "4097b"), for messages and docs. */
export function formatBytes(bytes: number): string {
    for (const unit of DISPLAY_UNITS) {
        const value = bytesInUnit(bytes, unit);
        if (value !== undefined && value > 0) return `${value}${unit}`;
    }
    return `${bytes}b`;
}
