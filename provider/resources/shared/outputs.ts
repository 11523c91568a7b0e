/**
 * Results that survive Pulumi's protobuf Struct: plain JSON only. `undefined` makes the host throw
 * "Unexpected struct type" (so keys holding it are dropped, list slots become null), BigInt becomes
 * a number (or a decimal string beyond 2^53), Dates become ISO strings, and anything else that is
 * not JSON (Buffer, functions, Maps, NaN) is a programming error reported with its path.
 */
import type { Properties } from "./handler";

function clean(value: unknown, path: string): unknown {
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number") {
        if (!Number.isFinite(value)) throw new TypeError(`output ${path || "(root)"} is ${value}, not JSON`);
        return value;
    }
    if (typeof value === "bigint") {
        return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
            ? Number(value)
            : value.toString();
    }
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map((item, i) => (item === undefined ? null : clean(item, `${path}[${i}]`)));
    if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        const result: Properties = {};
        for (const [key, item] of Object.entries(value)) {
            if (item === undefined) continue;
            result[key] = clean(item, path === "" ? key : `${path}.${key}`);
        }
        return result;
    }
    const what = Buffer.isBuffer(value) ? "a Buffer" : typeof value === "object" ? "a non-plain object" : typeof value;
    throw new TypeError(`output ${path || "(root)"} is ${what}; outputs must be plain JSON`);
}

/** A JSON-clean deep copy of a property bag (see the file comment for the rules). */
export function jsonClean(props: Properties): Properties {
    return clean(props, "") as Properties;
}

/**
 * Outputs: the inputs echoed (diff and update receive old outputs as `olds`), overlaid with the
 * computed values, JSON-clean. `__provider` in the inputs is kept so partial-create errors and
 * later deletes can still load the code.
 */
export function makeOutputs(inputs: Properties, computed: Properties = {}): Properties {
    return jsonClean({ ...inputs, ...computed });
}
