/**
 * The RPCs a piece of provider code makes, counted by the client's call counter (`startCountingCalls`):
 * what the call-count tests against the real libvirtd assert on.
 */
import { startCountingCalls, stopCountingCalls } from "../../provider/rpc";

/** Counts the calls `fn` makes, by procedure (sorted by name), and in all. */
export async function counted<T>(
    fn: () => Promise<T>,
): Promise<{ result: T; calls: Record<string, number>; total: number }> {
    startCountingCalls();
    let calls: Map<string, number>;
    let result: T;
    try {
        result = await fn();
    } finally {
        calls = stopCountingCalls();
    }
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    return { result, calls: Object.fromEntries([...calls].sort()), total };
}
