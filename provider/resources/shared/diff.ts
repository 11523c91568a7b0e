/**
 * `diff` for every kind: the change classifier decides, per changed field, whether it applies
 * live, at next boot, with a restart or by replacement. Replacement fields go in `replaces`; a
 * replacement that would reuse the same libvirt name on the same host deletes first (libvirt names
 * are unique); a summary of the classes is printed so preview shows what each change will do.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    type ChangeClass,
    type ClassifiedChange,
    changeClassOrder,
    changePolicyTables,
    classifyChanges,
    formatChangePath,
    type PolicyKind,
    strongestClass,
} from "../../model/change-policy";
import { touchesSecret } from "../../model/secret";
import { containsUnknown, isAutoName, isUnknown, unknownPaths } from "./check";
import { resolveUri } from "./connection";
import type { Properties, ResourceKind } from "./handler";
import { sameDaemon } from "./host-identity";
import { logInfo } from "./log";

/** The new value of a change whose value preview does not know yet. */
export const KNOWN_AFTER_APPLY = "(known after apply)";

/** How a change to a resource-level input (not part of the libvirt model) applies. */
export type ResourceFieldClass = ChangeClass | "ignore";

/** Resource-level inputs every kind shares: a new host is a new object; the rest never matters to libvirt. */
const COMMON_RESOURCE_FIELDS: Readonly<Record<string, ResourceFieldClass>> = {
    adopt: "ignore",
    namePrefix: "ignore",
    nameScope: "ignore",
};

/** What the end of every kind's diff needs: the summary printed, `replaces`, delete-before-replace. */
export interface DiffReport {
    kind: ResourceKind;
    /** Old outputs (which echo the old inputs). */
    olds: Properties;
    /** New checked inputs. */
    news: Properties;
    /** Input holding the libvirt name (default `name`); absent for kinds without one. */
    nameKey?: string | null;
    /** The name the printed summary gives the object (default: the new, else the old, `nameKey` input). */
    logName?: unknown;
    /**
     * True when the new object would collide with the old one if both existed (default: same name
     * on the same host). Then replacement deletes first.
     */
    collides?: (olds: Properties, news: Properties) => boolean;
    /** Secret paths (`passphrase`, `devices.graphics[].password`) whose values are never printed. */
    secretKeys?: readonly string[];
    /** The summary's change lines (default `summarizeChanges(changes, secretKeys)`). */
    formatChanges?: (changes: readonly ClassifiedChange[]) => string[];
}

export interface DiffSpec<M> extends DiffReport {
    policyKind: PolicyKind;
    /** Parses properties into the model the classifier compares (ignores keys it does not know). */
    toModel: (props: Properties) => M;
    /** Kind-specific inputs outside the model, with how a change to each applies. */
    resourceFields?: Readonly<Record<string, ResourceFieldClass>>;
    /**
     * Changes the classifier cannot judge from the two models alone (Volume's capacity, which
     * depends on the volume's actual size), added to its changes.
     */
    moreChanges?: (olds: Properties, news: Properties) => ClassifiedChange[];
    /**
     * When the URI changes: whether old and new reach one daemon (`uriChangeOf`, which connects).
     * A URI change to the same daemon is stored, not a replacement; without this, it replaces.
     */
    uriChange?: UriChange;
}

/** What a change of `uri` means, found by asking both daemons who they are (see host-identity.ts). */
export interface UriChange {
    same: boolean;
    why?: string;
}

/**
 * Compares the daemons behind the old and new URI when they differ (undefined when the URI is
 * unchanged or not known yet): diff runs with libvirt access, so it can tell two spellings of one
 * daemon from two daemons.
 */
export async function uriChangeOf(olds: Properties, news: Properties): Promise<UriChange | undefined> {
    if (isUnknown(news.uri) || oldUri(olds) === newUri(news)) return undefined;
    return sameDaemon(oldUri(olds), newUri(news));
}

export interface DiffOutcome {
    result: dynamic.DiffResult;
    changes: ClassifiedChange[];
}

/** The host an old resource lives on: outputs record the URI actually used. */
export function oldUri(olds: Properties): string {
    return resolveUri(typeof olds.uri === "string" ? olds.uri : undefined);
}

/** The host a new declaration targets. */
export function newUri(news: Properties): string {
    return resolveUri(typeof news.uri === "string" ? news.uri : undefined);
}

function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Strongest class among the rows that govern a path or anything below it. */
function classUnder(kind: PolicyKind, path: readonly (string | number)[]): { class: ChangeClass; why: string } {
    const table = changePolicyTables[kind];
    const pattern = formatChangePath(path.map((segment) => (typeof segment === "number" ? 0 : segment))).replace(
        /\[0\]/g,
        "[]",
    );
    const rows = table.rows.filter(
        (row) =>
            !row.ignore &&
            (pattern === row.path ||
                row.path.startsWith(`${pattern}.`) ||
                row.path.startsWith(`${pattern}[`) ||
                pattern.startsWith(`${row.path}.`) ||
                pattern.startsWith(`${row.path}[`)),
    );
    let found: { class: ChangeClass; why: string } = { class: table.defaultClass, why: table.defaultWhy };
    for (const row of rows) {
        const classes = [row.class, row.onIncrease, row.onDecrease].filter((c): c is ChangeClass => c !== undefined);
        for (const c of classes) {
            if (changeClassOrder.indexOf(c) > changeClassOrder.indexOf(found.class)) found = { class: c, why: row.why };
        }
    }
    return found;
}

/** Changes of a model holding unknowns (preview): unknown parts are judged by their strongest row. */
function classifyWithUnknowns<M>(spec: DiffSpec<M>, modelKeys: readonly string[]): ClassifiedChange[] {
    const changes: ClassifiedChange[] = [];
    const knownOld: Properties = {};
    const knownNew: Properties = {};
    for (const key of modelKeys) {
        if (containsUnknown(spec.news[key])) {
            for (const path of unknownPaths(spec.news[key], [key])) {
                const judged = classUnder(spec.policyKind, path);
                changes.push({
                    path: formatChangePath(path),
                    class: judged.class,
                    oldValue: undefined,
                    newValue: KNOWN_AFTER_APPLY,
                    why: judged.why,
                });
            }
        } else {
            knownOld[key] = spec.olds[key];
            knownNew[key] = spec.news[key];
        }
    }
    // Known parts are compared as written (both sides are user input of the same form).
    changes.push(...classifyChanges(spec.policyKind, knownOld, knownNew));
    return changes;
}

/** Every change between old outputs and new inputs, model and resource-level fields alike. */
export function classifyResourceChanges<M>(spec: DiffSpec<M>): ClassifiedChange[] {
    const resourceFields = { ...COMMON_RESOURCE_FIELDS, ...spec.resourceFields };
    const changes: ClassifiedChange[] = [];

    // A different daemon means a different object, whatever else stays the same; another spelling
    // of the same daemon is only a new way to reach the object.
    if (isUnknown(spec.news.uri) || oldUri(spec.olds) !== newUri(spec.news)) {
        const same = spec.uriChange?.same === true && !isUnknown(spec.news.uri);
        const detail = spec.uriChange?.why === undefined ? "" : `: ${spec.uriChange.why}`;
        changes.push({
            path: "uri",
            class: same ? "live" : "replace",
            oldValue: oldUri(spec.olds),
            newValue: isUnknown(spec.news.uri) ? KNOWN_AFTER_APPLY : newUri(spec.news),
            why: same
                ? `another URI of the same libvirt daemon${detail}`
                : `the object would live on another libvirt daemon${detail}`,
        });
    }
    for (const [key, fieldClass] of Object.entries(resourceFields)) {
        if (fieldClass === "ignore" || key === "uri") continue;
        if (!sameJson(spec.olds[key], spec.news[key])) {
            changes.push({
                path: key,
                class: fieldClass,
                oldValue: spec.olds[key],
                newValue: spec.news[key],
                why: "a setting of the resource, not of the libvirt object",
            });
        }
    }

    const modelKeys = Object.keys(spec.news).filter((key) => !(key in resourceFields) && key !== "uri");
    if (containsUnknown(spec.news)) {
        changes.push(...classifyWithUnknowns(spec, modelKeys));
    } else {
        changes.push(...classifyChanges(spec.policyKind, spec.toModel(spec.olds), spec.toModel(spec.news)));
    }
    return changes;
}

/** Top-level input names of the changes that force replacement. */
export function replacedKeys(changes: readonly ClassifiedChange[]): string[] {
    const keys = changes.filter((c) => c.class === "replace").map((c) => c.path.split(/[.[]/)[0]!);
    return [...new Set(keys)];
}

function shown(value: unknown, secret: boolean): string {
    if (value === undefined) return "(unset)";
    if (secret) return "[secret]";
    const text = value === KNOWN_AFTER_APPLY ? value : JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What each change will do, one line per change, strongest class first. */
export function summarizeChanges(changes: readonly ClassifiedChange[], secretKeys: readonly string[] = []): string[] {
    const sorted = [...changes].sort(
        (a, b) => changeClassOrder.indexOf(b.class) - changeClassOrder.indexOf(a.class) || a.path.localeCompare(b.path),
    );
    const label: Record<ChangeClass, string> = {
        live: "live",
        nextBoot: "next boot",
        restart: "restart",
        replace: "replace",
    };
    return sorted.map((change) => {
        const secret = touchesSecret(secretKeys, change.path);
        return `  ${label[change.class].padEnd(9)} ${change.path}: ${shown(change.oldValue, secret)} -> ${shown(change.newValue, secret)} (${change.why})`;
    });
}

/**
 * Default collision rule: an explicit name kept, whatever forces the replacement. An automatic
 * name does not collide: the engine re-checks a replacement with empty olds, which picks a fresh
 * name. The host is not compared: two URIs that look different may reach one daemon (a check that
 * could not connect says "different"), and deleting first is the order that can never make the
 * new resource take over, or collide with, the object the old one is about to delete.
 */
export function keepsExplicitName(nameKey: string | null, olds: Properties, news: Properties): boolean {
    return nameKey !== null && !isAutoName(news[nameKey], news.namePrefix) && olds[nameKey] === news[nameKey];
}

function defaultCollides(nameKey: string | null) {
    return (olds: Properties, news: Properties): boolean => keepsExplicitName(nameKey, olds, news);
}

/** Pulumi's `diff` from the classifier (plus the kind's `moreChanges`), with the summary printed. */
export function diffResource<M>(spec: DiffSpec<M>): DiffOutcome {
    const changes = [...classifyResourceChanges(spec), ...(spec.moreChanges?.(spec.olds, spec.news) ?? [])];
    return diffOfChanges(spec, changes);
}

/**
 * The end every kind's diff shares, from its classified changes: the summary printed, `replaces`
 * (top-level keys of replace-class changes), delete-before-replace when the objects would collide.
 * `diffResource` ends here; a kind whose changes are not the classifier's (CloudInit) calls it directly.
 */
export function diffOfChanges(report: DiffReport, changes: ClassifiedChange[]): DiffOutcome {
    const replaces = replacedKeys(changes);
    const nameKey = report.nameKey === undefined ? "name" : report.nameKey;
    const name =
        "logName" in report
            ? report.logName
            : nameKey === null
              ? undefined
              : (report.news[nameKey] ?? report.olds[nameKey]);
    if (changes.length > 0) {
        const strongest = strongestClass(changes)!;
        const lines = report.formatChanges?.(changes) ?? summarizeChanges(changes, report.secretKeys);
        logInfo(report.kind, name, [`${changes.length} change(s), strongest: ${strongest}`, ...lines].join("\n"));
    }
    if (replaces.length === 0) return { result: { changes: changes.length > 0 }, changes };
    // The engine creates the replacement first by default; with the same name on the same host
    // libvirt would refuse it, so the old object goes first.
    const collides = (report.collides ?? defaultCollides(nameKey))(report.olds, report.news);
    const result: dynamic.DiffResult = collides
        ? { changes: true, replaces, deleteBeforeReplace: true }
        : { changes: true, replaces };
    return { result, changes };
}
