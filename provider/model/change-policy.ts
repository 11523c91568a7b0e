/**
 * The change classifier: compares two models of one kind and returns every changed path with the
 * class its policy table gives it. The knowledge lives in the tables (`policies/`); this file only
 * walks values and looks rows up.
 */
import {
    type ChangeClass,
    type ChangePolicyRow,
    type ChangePolicyTable,
    type ClassifiedChange,
    changeClassOrder,
} from "./change-policy-format";
import { changePolicyTables, type PolicyKind } from "./policies";

export * from "./change-policy-format";
export { changePolicyTables, type PolicyKind } from "./policies";

type PathSegment = string | number;

/** A value that differs between the two models, at a leaf or where one side is absent. */
interface RawChange {
    path: PathSegment[];
    oldValue: unknown;
    newValue: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Absent, empty lists and objects without any set property all mean "nothing here". */
function isEmpty(value: unknown): boolean {
    if (value === undefined || value === null) return true;
    if (Array.isArray(value)) return value.length === 0;
    if (isPlainObject(value)) return Object.values(value).every(isEmpty);
    return false;
}

/** Lists the leaves that differ between two values; a side that is absent yields the other side's leaves. */
export function diffValues(oldValue: unknown, newValue: unknown, path: PathSegment[] = []): RawChange[] {
    if (isEmpty(oldValue) && isEmpty(newValue)) return [];
    if (Array.isArray(oldValue) || Array.isArray(newValue)) {
        const before = Array.isArray(oldValue) ? oldValue : [];
        const after = Array.isArray(newValue) ? newValue : [];
        const changes: RawChange[] = [];
        for (let i = 0; i < Math.max(before.length, after.length); i++) {
            changes.push(...diffValues(before[i], after[i], [...path, i]));
        }
        return changes;
    }
    if (isPlainObject(oldValue) || isPlainObject(newValue)) {
        const before = isPlainObject(oldValue) ? oldValue : {};
        const after = isPlainObject(newValue) ? newValue : {};
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
        return keys.flatMap((key) => diffValues(before[key], after[key], [...path, key]));
    }
    return Object.is(oldValue, newValue) ? [] : [{ path, oldValue, newValue }];
}

/** Formats a path the way users read it: `ips[0].dhcp.hosts[2].mac`. */
export function formatChangePath(path: readonly PathSegment[]): string {
    return path.reduce<string>((text, segment) => {
        if (typeof segment === "number") return `${text}[${segment}]`;
        return text === "" ? segment : `${text}.${segment}`;
    }, "");
}

/** Splits a row pattern into segments: `ips[].dhcp` → ["ips", "[]", "dhcp"]. */
function patternSegments(pattern: string): string[] {
    return pattern
        .replaceAll("[]", ".[]")
        .split(".")
        .filter((segment) => segment !== "");
}

function segmentsMatch(pattern: readonly string[], path: readonly PathSegment[]): boolean {
    if (pattern.length === 0) return path.length === 0;
    const [head, ...rest] = pattern;
    if (head === "**") {
        for (let skip = 0; skip <= path.length; skip++) {
            if (segmentsMatch(rest, path.slice(skip))) return true;
        }
        return false;
    }
    if (path.length === 0) return false;
    const segment = path[0]!;
    const matches =
        head === "[]" ? typeof segment === "number" : head === "*" ? typeof segment === "string" : head === segment;
    return matches && segmentsMatch(rest, path.slice(1));
}

/** The row governing a path: the deepest ancestor-or-self with a matching row, first row in table order. */
export function findPolicyRow(table: ChangePolicyTable, path: readonly PathSegment[]): ChangePolicyRow | undefined {
    const compiled = table.rows.map((row) => ({ row, segments: patternSegments(row.path) }));
    for (let length = path.length; length > 0; length--) {
        const prefix = path.slice(0, length);
        const found = compiled.find((entry) => segmentsMatch(entry.segments, prefix));
        if (found) return found.row;
    }
    return undefined;
}

function classFor(row: ChangePolicyRow, change: RawChange, oldModel: unknown, newModel: unknown): ChangeClass {
    const decided = row.decide?.({
        path: formatChangePath(change.path),
        oldValue: change.oldValue,
        newValue: change.newValue,
        oldModel,
        newModel,
    });
    if (decided !== undefined) return decided;
    if (typeof change.oldValue === "number" && typeof change.newValue === "number") {
        if (change.newValue > change.oldValue && row.onIncrease) return row.onIncrease;
        if (change.newValue < change.oldValue && row.onDecrease) return row.onDecrease;
    }
    return row.class;
}

function isDefaultVersusAbsent(defaultValue: unknown, change: RawChange): boolean {
    return (
        (change.oldValue === undefined && change.newValue === defaultValue) ||
        (change.newValue === undefined && change.oldValue === defaultValue)
    );
}

/** Classifies every difference between two models with the given table. */
export function classifyWithTable(table: ChangePolicyTable, oldModel: unknown, newModel: unknown): ClassifiedChange[] {
    const classified: ClassifiedChange[] = [];
    for (const change of diffValues(oldModel, newModel)) {
        const row = findPolicyRow(table, change.path);
        if (row?.ignore) continue;
        if (row?.unsetKeepsCurrent && change.newValue === undefined) continue;
        if (row?.notReadBack && change.oldValue === undefined) continue;
        if (row?.defaultValue !== undefined && isDefaultVersusAbsent(row.defaultValue, change)) continue;
        if (
            row?.equivalent?.({
                path: formatChangePath(change.path),
                oldValue: change.oldValue,
                newValue: change.newValue,
                oldModel,
                newModel,
            })
        )
            continue;
        classified.push({
            path: formatChangePath(change.path),
            class: row ? classFor(row, change, oldModel, newModel) : table.defaultClass,
            oldValue: change.oldValue,
            newValue: change.newValue,
            why: row ? row.why : table.defaultWhy,
        });
    }
    return classified;
}

/** Every changed path between an old and a new model of a kind, with how it can be applied. */
export function classifyChanges(kind: PolicyKind, oldModel: unknown, newModel: unknown): ClassifiedChange[] {
    return classifyWithTable(changePolicyTables[kind], oldModel, newModel);
}

/** The most disruptive class among changes, or undefined when there are none. */
export function strongestClass(changes: readonly ClassifiedChange[]): ChangeClass | undefined {
    let strongest: ChangeClass | undefined;
    for (const change of changes) {
        if (strongest === undefined || changeClassOrder.indexOf(change.class) > changeClassOrder.indexOf(strongest)) {
            strongest = change.class;
        }
    }
    return strongest;
}

/** A Markdown table of a kind's policy rows, for the README: path, class, when, why. */
export function policyTableMarkdown(kind: PolicyKind): string {
    const table = changePolicyTables[kind];
    const lines = ["| Field | Class | Notes | Why |", "|---|---|---|---|"];
    for (const row of table.rows) {
        const notes = [
            row.onIncrease ? `grow: ${row.onIncrease}` : "",
            row.onDecrease ? `shrink: ${row.onDecrease}` : "",
            row.unsetKeepsCurrent ? "unset keeps libvirt's value" : "",
            row.notReadBack ? "not reported by libvirt" : "",
            row.defaultValue !== undefined ? `default ${String(row.defaultValue)}` : "",
            row.ignore ? "never a change" : "",
            row.equivalent ? "libvirt's rewritten form compares equal" : "",
        ].filter((note) => note !== "");
        lines.push(`| \`${row.path}\` | ${row.ignore ? "—" : row.class} | ${notes.join("; ")} | ${row.why} |`);
    }
    lines.push(`| anything else | ${table.defaultClass} | | ${table.defaultWhy} |`);
    return lines.join("\n");
}
