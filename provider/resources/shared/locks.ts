/**
 * A keyed async mutex in module state: the provider host runs every resource's operations on one
 * event loop, many at once (the engine's --parallel), so operations that edit one libvirt object
 * (a network's DHCP entries, a pool's volumes) queue behind each other per key. The map lives in
 * the runtime module, which the host loads once, so it spans all resources of a deployment.
 */

/** Module state: the tail of each key's queue. */
const tails = new Map<string, Promise<void>>();

/** Runs `fn` once every earlier holder of `key` has finished; one holder per key at a time. */
export async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
        release = resolve;
    });
    const tail = previous.then(() => mine);
    tails.set(key, tail);
    await previous;
    try {
        return await fn();
    } finally {
        release();
        // Forget the key when nobody queued behind us, so the map does not grow forever.
        if (tails.get(key) === tail) tails.delete(key);
    }
}

/** Whether an operation currently holds or waits for `key`. */
export function isLocked(key: string): boolean {
    return tails.has(key);
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
