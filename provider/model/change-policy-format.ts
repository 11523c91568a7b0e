/**
 * The format of change-policy tables: for each resource kind, rows saying how a change to a field
 * can be applied. One table per kind lives in `policies/`; the engine is `change-policy.ts`.
 *
 * Classes, from mildest to strongest:
 * - `live`: applied to the running object without disruption (hot-plug, network update, API call);
 * - `nextBoot`: written to the persistent definition only; takes effect at the next start;
 * - `restart`: the running object must be stopped and started again to apply it;
 * - `replace`: the object must be destroyed and created anew.
 */

/** How a change can be applied. */
export type ChangeClass = "live" | "nextBoot" | "restart" | "replace";

/** Classes in increasing order of disruption. */
export const changeClassOrder: readonly ChangeClass[] = ["live", "nextBoot", "restart", "replace"];

/** What a `decide` function of a row is told about one changed value. */
export interface ChangeContext {
    /** The changed path, e.g. `ips[0].dhcp.hosts[2].mac`. */
    path: string;
    /** Value before (undefined when added). */
    oldValue: unknown;
    /** Value after (undefined when removed). */
    newValue: unknown;
    /** The whole old model. */
    oldModel: unknown;
    /** The whole new model. */
    newModel: unknown;
}

/** One row of a policy table. */
export interface ChangePolicyRow {
    /**
     * Which paths the row covers, in model terms: keys joined by '.', `[]` for any array index,
     * `*` for any one key, `**` for any run of keys. A row covers its path and everything below it;
     * the deepest matching row wins, then the first in table order.
     * Examples: `name`, `ips[].dhcp.hosts`, `**.extra`.
     */
    path: string;
    /** Class of any change under the path. */
    class: ChangeClass;
    /** Class when a number grows (capacity up); defaults to `class`. */
    onIncrease?: ChangeClass;
    /** Class when a number shrinks (capacity down); defaults to `class`. */
    onDecrease?: ChangeClass;
    /**
     * When the new model leaves the value unset, libvirt's value stands (generated UUIDs, bridge
     * names, MACs, defaults it fills in, unmodelled extras): not a change, and a redefine of a
     * network or pool leaves it in libvirt's document (provider/xml/element-writer.ts).
     */
    unsetKeepsCurrent?: boolean;
    /**
     * libvirt does not report the value back (create-time options, resource-level choices): when the
     * old model lacks it, that is not a change.
     */
    notReadBack?: boolean;
    /** libvirt's default: a value equal to it compares equal to an absent one (libvirt drops defaults). */
    defaultValue?: string | number | boolean;
    /** Never a change: read-only facts that libvirt reports (sizes in use, keys, counters). */
    ignore?: boolean;
    /**
     * The old (read) value is what libvirt or qemu makes of the new (desired) one, e.g. a size
     * rounded to the image format's geometry: not a change.
     */
    equivalent?: (change: ChangeContext) => boolean;
    /** Escape hatch for rules that depend on other fields; return undefined to use `class`. */
    decide?: (change: ChangeContext) => ChangeClass | undefined;
    /** Why the field has this class, in a few words; surfaced with each change. */
    why: string;
}

/** The policy table of one resource kind. */
export interface ChangePolicyTable {
    /** Class of a change that no row covers. */
    defaultClass: ChangeClass;
    /** Why unlisted changes get the default class. */
    defaultWhy: string;
    /** The rows, most specific first where two could match at the same depth. */
    rows: readonly ChangePolicyRow[];
}

/** One changed path and how it can be applied. */
export interface ClassifiedChange {
    path: string;
    class: ChangeClass;
    oldValue: unknown;
    newValue: unknown;
    why: string;
}
