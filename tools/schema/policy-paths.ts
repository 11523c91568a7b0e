/**
 * Which input paths the change policies can classify as `replace`: the row governing a path
 * (deepest ancestor-or-self, as the classifier picks it) or, without one, the table's default.
 * A row with a `decide` function is judged by the classes it declares (class, onIncrease,
 * onDecrease); the domain table's decide functions only choose among those.
 */
import { changePolicyTables, findPolicyRow, type PolicyKind } from "../../provider/model/change-policy";
import type { SchemaPath } from "./convert";

export function canReplace(kind: PolicyKind, modelPath: SchemaPath): boolean {
    const table = changePolicyTables[kind];
    const row = findPolicyRow(table, modelPath);
    if (row === undefined) return table.defaultClass === "replace";
    if (row.ignore) return false;
    return [row.class, row.onIncrease, row.onDecrease].includes("replace");
}

/** Every row of a kind's table that can replace: the paths the schema must mark. */
export function replaceRows(kind: PolicyKind): string[] {
    return changePolicyTables[kind].rows
        .filter((row) => !row.ignore && [row.class, row.onIncrease, row.onDecrease].includes("replace"))
        .map((row) => row.path);
}
