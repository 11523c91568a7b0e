/**
 * A keyed async mutex in module state: the provider host runs every resource's operations on one
 * event loop, many at once (the engine's --parallel), so operations that edit one libvirt object
 * (a network's DHCP entries, a pool's volumes) queue behind each other per key. The map lives in
 * the runtime module, which the host loads once, so it spans all resources of a deployment.
 */

/** One key's holders and the requests waiting, in the order they came. */
interface KeyState {
    /** Holders in shared mode. */
    shared: number;
    exclusive: boolean;
    waiting: { mode: "shared" | "exclusive"; grant: () => void }[];
}

/** Module state: the keys held or waited for. */
const keys = new Map<string, KeyState>();

/** Grants the waiting requests that can go now, first come first served; forgets an idle key. */
function admit(key: string, state: KeyState): void {
    for (;;) {
        const next = state.waiting[0];
        if (next === undefined || state.exclusive) break;
        if (next.mode === "exclusive") {
            if (state.shared > 0) break;
            state.exclusive = true;
        } else state.shared++;
        state.waiting.shift();
        next.grant();
    }
    if (!state.exclusive && state.shared === 0 && state.waiting.length === 0) keys.delete(key);
}

async function hold<T>(key: string, mode: "shared" | "exclusive", fn: () => Promise<T>): Promise<T> {
    let state = keys.get(key);
    if (state === undefined) {
        state = { shared: 0, exclusive: false, waiting: [] };
        keys.set(key, state);
    }
    const held = state;
    // A shared request waits behind an exclusive one that came first, so an exclusive one is never starved.
    await new Promise<void>((grant) => {
        held.waiting.push({ mode, grant });
        admit(key, held);
    });
    try {
        return await fn();
    } finally {
        if (mode === "exclusive") held.exclusive = false;
        else held.shared--;
        admit(key, held);
    }
}

/** Runs `fn` once every earlier holder of `key` has finished; one holder per key at a time. */
export function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return hold(key, "exclusive", fn);
}

/**
 * Runs `fn` beside other shared holders of `key`, but never beside a `withLock` holder: for calls
 * libvirt runs side by side (creates of different volumes in one pool) that must still not overlap
 * an operation that needs the object to itself.
 */
export function withSharedLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return hold(key, "shared", fn);
}

/** Whether an operation currently holds or waits for `key`. */
export function isLocked(key: string): boolean {
    return keys.has(key);
}

/** The lock key of one libvirt object: kind, host and name, e.g. `pool qemu:///system images`. */
export function lockKey(kind: string, uri: string, name: string): string {
    return `${kind} ${uri} ${name}`;
}

export interface RetryOptions {
    /** Attempts in all, the first included (default 8). */
    attempts?: number;
    /** Delay before the second attempt, doubling after each (default 100 ms, capped at 2 s). */
    firstDelayMs?: number;
}

const DEFAULT_ATTEMPTS = 8;
const DEFAULT_FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2000;

/**
 * Runs `fn`, retrying with backoff while `isTransient(error)` says the failure is temporary (a pool
 * busy with another job); any other error, or the last attempt's, is thrown.
 */
export async function retryWhile<T>(
    isTransient: (error: unknown) => boolean,
    fn: () => Promise<T>,
    options: RetryOptions = {},
): Promise<T> {
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    let delay = options.firstDelayMs ?? DEFAULT_FIRST_DELAY_MS;
    for (let attempt = 1; ; attempt++) {
        try {
            return await fn();
        } catch (error) {
            if (attempt >= attempts || !isTransient(error)) throw error;
            await new Promise((resolve) => setTimeout(resolve, delay));
            delay = Math.min(delay * 2, MAX_DELAY_MS);
        }
    }
}
