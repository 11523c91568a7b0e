/**
 * Reads shared by the callers that ask for the same thing at the same time (single-flight), per
 * connection: twenty DhcpHost refreshes of one network send one request for its XML, and each of
 * them gets the same answer.
 *
 * An answer is shared only while it cannot be older than a change this process made: every call
 * that changes something (every procedure call-policy.ts does not list as a read) drops the shared
 * reads it may affect, when it is sent and again when its reply arrives (libvirtd runs a
 * connection's calls concurrently, so a read sent during the change may see either side of it).
 * A caller that arrives after that starts a new read. Changes made outside this process are seen
 * by the next read that starts after them, as with any read.
 *
 * What a change affects is told by tags: a read says what it depends on (`network:default`), a
 * change says what it touches (`NETWORK_UPDATE` of `default` touches `network:default`); a tag
 * ending in `:*` stands for every name of its kind, and `*` for everything. A read may also be
 * kept for a while after it completes (`keepMs`), for facts that only this process changes or
 * that change only with the host's software (a pool's handle, domain capabilities).
 */
import type { RemoteProcedureArgs, RemoteProcedureName } from "./generated/procedures";

/** What a shared read depends on, e.g. `network:default`, `pool-content:images`, `domains`. */
export type ReadTag = string;

interface Entry {
    readonly tags: readonly ReadTag[];
    readonly answer: Promise<unknown>;
    /** Once settled with keepMs: when it stops being shared (ms since the epoch). */
    keptUntil?: number;
}

/** Module state: the shared reads of each connection (the client object resources hold). */
const registry = new WeakMap<object, Map<string, Entry>>();

function entriesOf(client: object): Map<string, Entry> {
    let entries = registry.get(client);
    if (entries === undefined) {
        entries = new Map();
        registry.set(client, entries);
    }
    return entries;
}

export interface SharedReadOptions {
    /** What the answer depends on: a change touching any of these tags drops it. */
    readonly tags: readonly ReadTag[];
    /** Keep sharing the answer this long after it arrived (default 0: only while in flight). */
    readonly keepMs?: number;
}

/**
 * The answer of `read` for `key` on `client`: the one in flight (or kept) when there is one that no
 * change has dropped since it started, else a new one. A failed read is never shared afterwards.
 */
export function sharedRead<T>(
    client: object,
    key: string,
    options: SharedReadOptions,
    read: () => Promise<T>,
): Promise<T> {
    const entries = entriesOf(client);
    const existing = entries.get(key);
    if (existing !== undefined && (existing.keptUntil === undefined || existing.keptUntil > Date.now())) {
        return existing.answer as Promise<T>;
    }
    const answer = read();
    const entry: Entry = { tags: options.tags, answer };
    entries.set(key, entry);
    const forget = () => {
        if (entries.get(key) === entry) entries.delete(key);
    };
    answer.then(() => {
        if (options.keepMs && options.keepMs > 0) entry.keptUntil = Date.now() + options.keepMs;
        else forget();
    }, forget);
    return answer;
}

/**
 * Puts `value` in place as the answer for `key`, shared for `keepMs` from now unless a change
 * touching `tags` drops it first: for an owner that carries its answer forward itself (what its
 * own change, just made, turned an earlier reading into) instead of reading it again.
 */
export function keepSharedAnswer<T>(
    client: object,
    key: string,
    options: SharedReadOptions & { readonly keepMs: number },
    value: T,
): void {
    entriesOf(client).set(key, {
        tags: options.tags,
        answer: Promise.resolve(value),
        keptUntil: Date.now() + options.keepMs,
    });
}

/** Forgets the shared answer for `key` of `client`, whatever it depends on. */
export function forgetSharedRead(client: object, key: string): void {
    registry.get(client)?.delete(key);
}

function matches(readTag: ReadTag, changeTag: ReadTag): boolean {
    if (readTag === changeTag || readTag === "*" || changeTag === "*") return true;
    const [readKind, readName] = splitTag(readTag);
    const [changeKind, changeName] = splitTag(changeTag);
    return readKind === changeKind && (readName === "*" || changeName === "*");
}

function splitTag(tag: ReadTag): [string, string | undefined] {
    const colon = tag.indexOf(":");
    return colon < 0 ? [tag, undefined] : [tag.slice(0, colon), tag.slice(colon + 1)];
}

/** Drops the shared reads of `client` that depend on any of `tags`. */
export function dropSharedReads(client: object, tags: readonly ReadTag[]): void {
    const entries = registry.get(client);
    if (entries === undefined) return;
    for (const [key, entry] of entries) {
        if (entry.tags.some((readTag) => tags.some((changeTag) => matches(readTag, changeTag)))) entries.delete(key);
    }
}

type Named = { name?: unknown; pool?: unknown };

function nameOf(handle: unknown): string | undefined {
    const name = (handle as Named | undefined)?.name;
    return typeof name === "string" ? name : undefined;
}

/**
 * The tags a changing call touches, from its procedure and arguments. A procedure of an unknown
 * family touches everything (the safe answer).
 */
export function tagsTouchedBy<N extends RemoteProcedureName>(name: N, args: RemoteProcedureArgs[N]): ReadTag[] {
    const a = (args ?? {}) as Record<string, unknown>;
    if (name.startsWith("STORAGE_VOL_")) {
        // A volume call names its pool by the volume's `pool` (a name), or by the pool handle.
        const vol = a.vol as Named | undefined;
        const pool = (typeof vol?.pool === "string" ? vol.pool : undefined) ?? nameOf(a.pool);
        const content = `pool-content:${pool ?? "*"}`;
        // A delete adds no backing image; it touches the scan of backing images only when the
        // volume deleted is one of its overlays (volume/in-use.ts tags those `volume:pool/name`).
        if (name === "STORAGE_VOL_DELETE") {
            const volume = typeof vol?.name === "string" && pool !== undefined ? `${pool}/${vol.name}` : "*";
            return [content, `volume:${volume}`];
        }
        return [content, "backing-images"];
    }
    if (name.startsWith("STORAGE_POOL_")) {
        const pool = nameOf(a.pool) ?? "*";
        return [`pool:${pool}`, `pool-content:${pool}`];
    }
    if (name.startsWith("NETWORK_")) return [`network:${nameOf(a.net) ?? "*"}`];
    if (name.startsWith("DOMAIN_")) return ["domains"];
    if (name.startsWith("SECRET_")) return ["secrets"];
    return ["*"];
}
