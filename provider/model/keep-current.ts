/**
 * Merging a desired model into what libvirt currently has, for redefining an existing object:
 * wherever the policy table says an unset value keeps libvirt's (generated UUIDs, MACs and bridge
 * names, defaults libvirt filled in, unmodelled extras), the current value is carried over, so
 * redefining an adopted network or pool loses nothing the user did not manage.
 */
import { type ChangePolicyTable, changePolicyTables, findPolicyRow, type PolicyKind } from "./change-policy";

type PathSegment = string | number;

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function merge(table: ChangePolicyTable, current: unknown, desired: unknown, path: PathSegment[]): unknown {
    // Only a value the table marks as kept survives when the model leaves it out; a whole part left
    // out (an isolated network's <forward>) is not rebuilt from its kept pieces.
    if (desired === undefined) {
        return path.length > 0 && findPolicyRow(table, path)?.unsetKeepsCurrent ? current : undefined;
    }
    if (isPlainObject(current) && isPlainObject(desired)) {
        const result: Record<string, unknown> = {};
        for (const key of new Set([...Object.keys(desired), ...Object.keys(current)])) {
            const value = merge(table, current[key], desired[key], [...path, key]);
            if (value !== undefined) result[key] = value;
        }
        return result;
    }
    // List entries are matched by position: an entry keeps the extras of the entry it replaces.
    if (Array.isArray(current) && Array.isArray(desired)) {
        return desired.map((item, index) => merge(table, current[index], item, [...path, index]));
    }
    return desired;
}

/** The desired model, completed with the current values libvirt keeps when the model leaves them unset. */
export function keepCurrentWhereUnset<T>(kind: PolicyKind, current: T, desired: T): T {
    return merge(changePolicyTables[kind], current, desired, []) as T;
}
