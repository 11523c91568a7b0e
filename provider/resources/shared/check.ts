/**
 * `check` for every kind: validate the inputs with the kind's zod schema, report `{ property, reason }`
 * failures (full path, offending value, how to fix), tolerate Pulumi's unknown sentinel during
 * preview, and autoname.
 *
 * Autonaming follows the engine's convention, which dynamic providers must emulate: the logical
 * name (hidden `namePrefix` input, set by the SDK) + "-" + seven hex characters. The name is kept
 * across updates (taken from the old inputs) and new on replacement (the engine re-checks a
 * replacement with empty olds). The hex is not random: it is derived from the logical name and a
 * sequence number (owner.ts), so a create retried after a crash gets the name of the object the
 * first attempt made and finds it (issue 16). The sequence skips names this process has already
 * handed out or seen as a resource's old name for that kind and logical name: a replacement (the
 * old name is seen by the update's check just before the re-check) and two resources of one logical
 * name under different parents get different names.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { formatPropertyPath, validate } from "../../model/common";
import { pathPattern, secretPathsOf, touchesSecret } from "../../model/secret";
import { textProblem, textRuleFor } from "../../model/text";
import { wrappedSchema, zodDefOf } from "../../model/zod-wrappers";
import { type Properties, UNKNOWN_VALUE } from "./handler";
import { autoNameSuffix } from "./owner";

/** Hex characters appended to an automatic name, as the Pulumi engine does. */
export const AUTONAME_SUFFIX_LENGTH = 7;

/**
 * Resource-level inputs every kind with a libvirt name accepts; spread into each kind's args
 * schema: `z.strictObject({ ...modelFields, ...resourceFields })`.
 */
export const resourceFields = {
    /** Connection URI of the libvirt daemon; default: stack config `libvirt:uri`, then LIBVIRT_DEFAULT_URI, then qemu:///system. */
    uri: z.string().min(1, { message: "an empty URI; leave `uri` out to use the default" }).optional(),
    /** Take over an existing object of the same name instead of failing because it exists. */
    adopt: z.boolean().optional(),
    /** Set by the SDK to the resource's logical name; used for automatic names. */
    namePrefix: z.string().optional(),
    /** Set by the SDK to `<project>/<stack>`: automatic names and owner records differ between stacks. */
    nameScope: z.string().optional(),
};

/** The inputs the SDK sets itself (sdk/hidden-inputs.ts): the logical name and the stack. Never libvirt's. */
export const HIDDEN_INPUT_KEYS = ["namePrefix", "nameScope"] as const;

/** Keys the provider host manages itself; never validated or echoed by `check`. */
const HOST_KEYS = ["__provider"] as const;

/** True when a value is Pulumi's unknown sentinel (an input not known yet during preview). */
export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN_VALUE;
}

/** True when the sentinel appears anywhere inside a value. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
    return false;
}

type PathSegment = string | number;

/** Paths (as segment lists) of every unknown inside a value. */
export function unknownPaths(value: unknown, path: PathSegment[] = []): PathSegment[][] {
    if (isUnknown(value)) return [path];
    if (Array.isArray(value)) return value.flatMap((item, index) => unknownPaths(item, [...path, index]));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => unknownPaths(item, [...path, key]));
    }
    return [];
}

/** The value at a path, or undefined. */
export function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
    let current = value;
    for (const segment of path) {
        if (typeof current !== "object" || current === null) return undefined;
        current = (current as Record<PropertyKey, unknown>)[segment];
    }
    return current;
}

/** Splits `a.b[2].c` into ["a", "b", 2, "c"]. */
export function parsePropertyPath(property: string): PathSegment[] {
    const segments: PathSegment[] = [];
    for (const match of property.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
        segments.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
    }
    return segments;
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
    return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}

/** A libvirt-safe name stem from a Pulumi logical name ('/' and control characters become '-'). */
export function nameStem(logicalName: string): string {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
    const stem = logicalName.replace(/[/\u0000-\u001f\u007f]/g, "-").replace(/^\.+/, "");
    return stem === "" ? "resource" : stem;
}

/**
 * The first automatic name `<stem>-<7 hex>` for `namePrefix` that is not in `taken` (the hex
 * derived from the logical name and a sequence number, so the same call gives the same name).
 */
export function autoName(namePrefix: string, taken: ReadonlySet<string> = new Set(), nameScope?: unknown): string {
    for (let sequence = 0; ; sequence++) {
        const suffix = autoNameSuffix(namePrefix, sequence, AUTONAME_SUFFIX_LENGTH, nameScope);
        const name = `${nameStem(namePrefix)}-${suffix}`;
        if (!taken.has(name)) return name;
    }
}

/** How far along the sequence `isDerivedAutoName` looks (replacements alternate between the first two). */
const DERIVED_NAMES_RECOGNISED = 64;

/**
 * True when `name` is one of the automatic names derived for `namePrefix` (not merely of their
 * shape): the record by which a Volume recognises a volume its own interrupted create made.
 */
export function isDerivedAutoName(name: unknown, namePrefix: unknown, nameScope?: unknown): boolean {
    if (!isAutoName(name, namePrefix)) return false;
    const prefix = namePrefix as string;
    const suffix = (name as string).slice(nameStem(prefix).length + 1);
    for (let sequence = 0; sequence < DERIVED_NAMES_RECOGNISED; sequence++) {
        if (autoNameSuffix(prefix, sequence, AUTONAME_SUFFIX_LENGTH, nameScope) === suffix) return true;
    }
    return false;
}

/** Automatic names this process handed out or saw as old names, per kind (its schema) and logical name. */
const takenNames = new WeakMap<object, Map<string, Set<string>>>();

function namesTaken(scope: object, namePrefix: string): Set<string> {
    let byPrefix = takenNames.get(scope);
    if (byPrefix === undefined) {
        byPrefix = new Map();
        takenNames.set(scope, byPrefix);
    }
    let names = byPrefix.get(namePrefix);
    if (names === undefined) {
        names = new Set();
        byPrefix.set(namePrefix, names);
    }
    return names;
}

/** The scope of `chooseName` callers that give none (one shared kind). */
const DEFAULT_NAME_SCOPE = {};

/** True when `name` has the shape of an automatic name made from `namePrefix`. */
export function isAutoName(name: unknown, namePrefix: unknown): boolean {
    if (typeof name !== "string" || typeof namePrefix !== "string") return false;
    const stem = nameStem(namePrefix);
    return (
        name.length === stem.length + 1 + AUTONAME_SUFFIX_LENGTH &&
        name.startsWith(`${stem}-`) &&
        /^[0-9a-f]+$/.test(name.slice(stem.length + 1))
    );
}

/**
 * The name to use: the explicit one, else the old automatic one (kept across updates), else a new
 * automatic one (the first one of the sequence this process has not handed out or seen as an old
 * name in `scope`, the kind). Undefined when there is no name and no prefix to make one from.
 */
export function chooseName(
    olds: Properties,
    news: Properties,
    nameKey = "name",
    scope: object = DEFAULT_NAME_SCOPE,
): unknown {
    const explicit = news[nameKey];
    if (explicit !== undefined && explicit !== null) return explicit;
    const prefix = news.namePrefix;
    if (typeof prefix !== "string" || prefix === "") return undefined;
    const taken = namesTaken(scope, prefix);
    const old = olds[nameKey];
    if (isAutoName(old, olds.namePrefix ?? prefix)) {
        taken.add(old as string);
        return old;
    }
    const name = autoName(prefix, taken, news.nameScope);
    taken.add(name);
    return name;
}

function describeValue(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    // JSON has no spelling for these; print them as JavaScript does rather than as "null".
    if (typeof value === "number" && !Number.isFinite(value)) return String(value);
    const text = JSON.stringify(value);
    if (text === undefined) return undefined;
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Adds the offending value to a reason, unless the reason already quotes it. */
function withValue(reason: string, value: unknown): string {
    const shown = describeValue(value);
    if (shown === undefined || typeof value === "object") return reason;
    const raw = typeof value === "string" ? value : shown;
    return reason.includes(raw) ? reason : `${reason} (got ${shown})`;
}

/**
 * The reason for a number zod refused by type: NaN and the infinities are "not a number" to zod
 * and a fraction is "not an int", neither of which says what is wrong with the value typed.
 */
function numberReason(issue: z.core.$ZodIssue, value: unknown): string | undefined {
    if (issue.code !== "invalid_type" || typeof value !== "number") return undefined;
    const wantsWhole = issue.expected === "int";
    if (!Number.isFinite(value)) {
        return `${value} is not a finite number; write ${wantsWhole ? "a whole number" : "a number"} such as 2`;
    }
    if (wantsWhole && !Number.isInteger(value))
        return `${value} is not a whole number; write e.g. ${Math.round(value)}`;
    return undefined;
}

/** The reason one issue is reported with: missing values called missing, numbers explained, values quoted. */
function issueReason(issue: z.core.$ZodIssue, value: unknown, secret: boolean): string {
    // A record's key: zod says only "Invalid key in record"; the key's own rule says why.
    if (issue.code === "invalid_key") {
        const key = issue.path[issue.path.length - 1];
        return `the key ${JSON.stringify(String(key))} is ${issue.issues[0]?.message ?? issue.message}`;
    }
    if (issue.code === "invalid_type" && value === undefined) return `missing: a value is required (${issue.expected})`;
    if (secret) return issue.message;
    return numberReason(issue, value) ?? withValue(issue.message, value);
}

/** The keys an object schema accepts at a path, when it can be found (for "did you mean"). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
    let current: any = schema;
    const step = (value: any): any => {
        const def = zodDefOf(value);
        if (def === undefined) return undefined;
        const inner = wrappedSchema(def);
        if (inner !== undefined) return step(inner);
        if (def.type === "pipe") return step(def.in);
        if (def.type === "lazy") return step(def.getter());
        return value;
    };
    current = step(current);
    for (const segment of path) {
        const def = current?._zod?.def;
        if (def?.type === "array" && typeof segment === "number") current = step(def.element);
        else if (def?.type === "object" && typeof segment === "string") current = step(def.shape?.[segment]);
        else return undefined;
    }
    const def = current?._zod?.def;
    return def?.type === "object"
        ? Object.keys(def.shape ?? {}).filter((key) => !(HIDDEN_INPUT_KEYS as readonly string[]).includes(key))
        : undefined;
}

/** Edit distance, for suggesting the key a misspelt one meant. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0]!;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const saved = row[j]!;
            row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = saved;
        }
    }
    return row[b.length]!;
}

function unknownKeyReason(key: string, known: string[] | undefined): string {
    if (known === undefined) return `unknown property '${key}'; remove it`;
    const close = known.filter((k) => k.toLowerCase() === key.toLowerCase() || distance(k, key) <= 2);
    const hint = close.length > 0 ? `; did you mean '${close[0]}'?` : "";
    return `unknown property '${key}'${hint} (known here: ${known.join(", ")})`;
}

/** The secret paths of an args schema, computed once per schema. */
const secretPathsCache = new WeakMap<z.ZodType, string[]>();
function secretPathsFor(schema: z.ZodType): string[] {
    let paths = secretPathsCache.get(schema);
    if (paths === undefined) {
        paths = secretPathsOf(schema);
        secretPathsCache.set(schema, paths);
    }
    return paths;
}

/** The string values at secret paths of the inputs (what no message may contain). */
function secretValues(value: unknown, secretPaths: readonly string[], path: PathSegment[] = []): string[] {
    const here = formatPropertyPath(path);
    if (path.length > 0 && secretPaths.includes(pathPattern(here))) {
        return typeof value === "string" && value !== "" ? [value] : [];
    }
    if (Array.isArray(value)) return value.flatMap((item, index) => secretValues(item, secretPaths, [...path, index]));
    if (typeof value === "object" && value !== null && (path.length === 0 || touchesSecret(secretPaths, here))) {
        return Object.entries(value).flatMap(([key, item]) => secretValues(item, secretPaths, [...path, key]));
    }
    return [];
}

/** Secrets shorter than this are ordinary words and letters too; replacing them would garble every message. */
const SHORTEST_SCRUBBED = 4;

/**
 * A reason with every secret value in it replaced by `[secret]`: a failure of another field (a
 * cross-field rule) may quote any value. Reasons of the secret fields themselves never quote it.
 */
function scrub(reason: string, secrets: readonly string[]): string {
    return secrets
        .filter((value) => value.length >= SHORTEST_SCRUBBED)
        .reduce((text, value) => text.replaceAll(value, "[secret]"), reason);
}

/**
 * zod issues as `{ property, reason }`: one per unknown key, missing values called missing, values
 * quoted, except those of secret fields (and of anything holding one), which are never quoted.
 */
function describeIssues(schema: z.ZodType, inputs: Properties, issues: readonly z.core.$ZodIssue[]) {
    const secretPaths = secretPathsFor(schema);
    const failures: dynamic.CheckFailure[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            const known = keysAt(schema, issue.path);
            for (const key of issue.keys) {
                failures.push({
                    property: formatPropertyPath([...issue.path, key]),
                    reason: unknownKeyReason(key, known),
                });
            }
            continue;
        }
        // The value as written; else the one zod saw (`reportInput`), as inside a shortcut
        // (`vcpu: 2` read as `{ maximum: 2 }`) the inputs have nothing at the issue's path.
        const written = valueAt(inputs, issue.path as PathSegment[]);
        const value = written === undefined && "input" in issue ? issue.input : written;
        const property = formatPropertyPath(issue.path);
        failures.push({ property, reason: issueReason(issue, value, touchesSecret(secretPaths, property)) });
    }
    return failures;
}

/**
 * Every string of the inputs that libvirt could not store as written (see model/text.ts), as
 * failures. Secret fields are stored as bytes, never in XML: only a lone surrogate is refused there.
 */
export function textFailures(
    value: unknown,
    secretPaths: readonly string[] = [],
    path: PathSegment[] = [],
): dynamic.CheckFailure[] {
    if (typeof value === "string") {
        if (isUnknown(value)) return [];
        const property = formatPropertyPath(path);
        const rule = touchesSecret(secretPaths, property) ? "bytes" : textRuleFor(property);
        const problem = textProblem(value, rule);
        return problem === undefined ? [] : [{ property, reason: `the text ${problem}` }];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, index) => textFailures(item, secretPaths, [...path, index]));
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => textFailures(item, secretPaths, [...path, key]));
    }
    return [];
}

export interface CheckOptions {
    /** Input holding the libvirt name to autoname; leave out for kinds without one (DhcpHost, DnsHost). */
    nameKey?: string;
    /** Extra validation on the parsed value (cross-field rules); failures are added to the schema's. */
    refine?: (value: any, inputs: Properties) => dynamic.CheckFailure[];
}

/** Removes the host's own keys (`__provider`) from a property bag. */
export function withoutHostKeys(props: Properties): Properties {
    const copy = { ...props };
    for (const key of HOST_KEYS) delete copy[key];
    return copy;
}

/**
 * Pulumi's `check`: autonames, validates, and returns the inputs to store (as written, plus the
 * name). Values are validated but not transformed: a parsed model holds bytes and must not be
 * parsed twice, so handlers parse the stored inputs themselves (`parseInputs`).
 */
export function checkInputs(
    schema: z.ZodType,
    olds: Properties,
    news: Properties,
    options: CheckOptions = {},
): dynamic.CheckResult {
    const inputs = withoutHostKeys(news);
    const failures: dynamic.CheckFailure[] = [];
    if (options.nameKey !== undefined) {
        const name = chooseName(olds ?? {}, inputs, options.nameKey, schema);
        if (name === undefined) {
            failures.push({
                property: options.nameKey,
                reason: `no name given and no logical name to derive one from; set \`${options.nameKey}\` (the SDK classes set it for you)`,
            });
        } else {
            inputs[options.nameKey] = name;
        }
    }
    const unknowns = unknownPaths(inputs);
    // The hidden namePrefix (Pulumi's logical name, made safe by nameStem) and nameScope (the stack)
    // never reach libvirt as they are.
    const { namePrefix: _logicalName, nameScope: _stack, ...declared } = inputs;
    const textual = textFailures(declared, secretPathsFor(schema));
    failures.push(...textual);
    const result = schema.safeParse(inputs, { reportInput: true });
    if (!result.success) {
        for (const failure of describeIssues(schema, inputs, result.error.issues)) {
            // A text already refused for its characters needs no second reason (names refuse controls too).
            if (textual.some((text) => text.property === failure.property)) continue;
            const path = parsePropertyPath(failure.property);
            // During preview an unknown value cannot be judged; neither can rules over objects holding one.
            if (unknowns.some((unknown) => isPrefix(unknown, path) || isPrefix(path, unknown))) continue;
            failures.push(failure);
        }
    } else if (options.refine && unknowns.length === 0) {
        failures.push(...options.refine(result.data, inputs));
    }
    if (failures.length === 0) return { inputs };
    const secrets = secretValues(inputs, secretPathsFor(schema));
    return { inputs, failures: failures.map((f) => ({ ...f, reason: scrub(f.reason, secrets) })) };
}

/** Error thrown when stored inputs no longer validate (e.g. written by another version). */
export class InputError extends Error {
    constructor(
        readonly kind: string,
        readonly failures: readonly dynamic.CheckFailure[],
    ) {
        super(`${kind}: invalid inputs: ${failures.map((f) => `${f.property || "(root)"}: ${f.reason}`).join("; ")}`);
        this.name = "InputError";
    }
}

/**
 * Parses checked inputs (or old outputs, which echo them) with the kind's args schema, once.
 * Keys the schema does not know (computed outputs, `__provider`) are dropped first, so old outputs
 * parse too. Throws `InputError` naming every bad field.
 */
export function parseInputs<S extends z.ZodObject>(kind: string, schema: S, props: Properties): z.output<S> {
    const known = Object.keys(schema.shape);
    const picked: Properties = {};
    for (const key of known) if (props[key] !== undefined && props[key] !== null) picked[key] = props[key];
    const result = validate(schema, picked);
    if (!result.ok) throw new InputError(kind, result.failures);
    return result.value;
}

export { formatPropertyPath };
