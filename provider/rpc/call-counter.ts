/**
 * Counting the calls a process makes, by procedure: off by default (one `undefined` check per
 * call), on for benchmarks that report RPCs per resource (`npm run bench:stack`) and for the tests
 * of calls per resource. A volume upload or download counts as one call (its data packets do not).
 */

/** Module state: the counts while counting is on, else undefined. */
let counts: Map<string, number> | undefined;

/** Starts counting from zero (or restarts); returns the live map. */
export function startCountingCalls(): Map<string, number> {
    counts = new Map();
    return counts;
}

/** Stops counting; returns what was counted. */
export function stopCountingCalls(): Map<string, number> {
    const done = counts ?? new Map<string, number>();
    counts = undefined;
    return done;
}

/** Called by the client for every call it sends (including retries on a new connection). */
export function countCall(procedure: string): void {
    if (counts !== undefined) counts.set(procedure, (counts.get(procedure) ?? 0) + 1);
}
