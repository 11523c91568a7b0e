/**
 * What a change to one argument does, from the kind's change-policy table: the sentence the SDK's
 * JSDoc and schema.json's descriptions carry, and whether the change always replaces the resource
 * (only then is a field marked `replaceOnChanges`: Pulumi replaces on any change of a marked field).
 */
import {
    type ChangeClass,
    type ChangePolicyRow,
    changePolicyTables,
    findPolicyRow,
    type PolicyKind,
} from "../../provider/model/change-policy";
import type { SchemaPath } from "./type-model";

const words: Readonly<Record<ChangeClass, string>> = {
    live: "live",
    nextBoot: "next boot",
    restart: "restart",
    replace: "replace",
};

export interface ChangeNote {
    /** "Change: live (why)." */
    readonly text: string;
    /** True when every change of the field replaces the resource. */
    readonly alwaysReplaces: boolean;
}

/** The classes a row can give (its decide function only chooses among these). */
function classesOf(row: ChangePolicyRow): ChangeClass[] {
    return [...new Set([row.class, row.onIncrease, row.onDecrease].filter((c): c is ChangeClass => c !== undefined))];
}

function rowNote(row: ChangePolicyRow): ChangeNote {
    if (row.ignore) return { text: `Change: none (never compared: ${row.why}).`, alwaysReplaces: false };
    const classes = classesOf(row);
    let summary = words[row.class];
    if (row.onIncrease !== undefined || row.onDecrease !== undefined) {
        summary = `${words[row.onIncrease ?? row.class]} when it grows, ${words[row.onDecrease ?? row.class]} when it shrinks`;
    } else if (row.decide !== undefined) {
        summary = `${words[row.class]} unless the value allows better`;
    }
    return {
        text: `Change: ${summary} (${row.why}).`,
        alwaysReplaces: classes.every((c) => c === "replace") && row.decide === undefined,
    };
}

/** The note for a model field (a path in the model's spelling; numbers stand for list items). */
export function modelChangeNote(kind: PolicyKind, modelPath: SchemaPath): ChangeNote {
    const table = changePolicyTables[kind];
    const row = findPolicyRow(table, modelPath);
    if (row !== undefined) return rowNote(row);
    return {
        text: `Change: ${words[table.defaultClass]} (${table.defaultWhy}).`,
        alwaysReplaces: table.defaultClass === "replace",
    };
}

/** The note for a resource-level field (not part of the libvirt model): a row naming it, or its own rule. */
export function resourceFieldChangeNote(kind: PolicyKind, field: string, replaces: boolean): ChangeNote {
    const row = changePolicyTables[kind].rows.find((r) => r.path === field);
    if (row !== undefined) return rowNote(row);
    if (replaces) return { text: "Change: replace (it decides which object this is).", alwaysReplaces: true };
    return {
        text: "Change: nothing in libvirt changes; later operations use the new value.",
        alwaysReplaces: false,
    };
}
