/**
 * Keeps the V8 heap of Pulumi's dynamic-provider host, the process that loads this runtime, near
 * what it holds. Most of what the host allocates is short-lived (google-protobuf decoding each
 * request, about 14 KB per Domain check or diff), and with V8's defaults its resident memory
 * follows how much it allocated rather than how much it keeps:
 * - the new space doubles whenever scavenges see enough of it survive, up to 128 MB on Node 24
 *   (64 MB at the peak of an empty `up` of 602 resources, 134 MB in a refresh);
 * - what a refresh's reads (8 in flight) hold across scavenges is promoted and dies in the old
 *   space, which V8 lets grow to about twice the live heap before its next full collection.
 * The engine starts the host, so its V8 flags are not ours to pass at start-up, where
 * `--max-semi-space-size` and the initial heap limits are read. Two flags are read later and are
 * set here: `--semi-space-growth-factor`, read at each growth of the new space (1, once the new
 * space has reached the cap, stops the growth), and `--heap-growing-percent`, read each time V8
 * sets the old generation's next limit after a full collection. The host's last full collection
 * came before this runtime loaded (while @pulumi/pulumi loaded), so one full collection follows
 * the setting, through the `gc` function V8 gives a new context under `--expose-gc` (about 10 ms,
 * once per host; the host's own global gets no `gc`). Only the host is touched: a
 * program, the emulator or a test that loads the runtime in its own process keeps V8's defaults.
 * DEVELOPERS.md ("Provider RSS: the young generation and the stub") has the measurements.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The new space (both semi-spaces) the host may grow to; V8 doubles it, so it stops at or below this. */
export const YOUNG_GENERATION_CAP_BYTES = 32 * 1024 * 1024;

/** How far past the live heap V8 lets the old generation grow before its next full collection. */
export const OLD_GENERATION_GROWTH_PERCENT = 30;

/** The file Pulumi's dynamic-provider host runs (`@pulumi/pulumi/cmd/dynamic-provider/index.js`). */
export function isDynamicProviderHost(mainFile: string | undefined = require.main?.filename): boolean {
    return mainFile !== undefined && /[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(mainFile);
}

function newSpaceBytes(): number {
    return getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
}

let capped = false;

/** Stops the new space's growth when the next doubling would pass the cap; true once stopped. */
function stopGrowthAtCap(): boolean {
    if (capped) return true;
    if (newSpaceBytes() * 2 <= YOUNG_GENERATION_CAP_BYTES) return false;
    setFlagsFromString("--semi-space-growth-factor=1");
    capped = true;
    return true;
}

/** In the dynamic-provider host: the old generation's growth, and the new space's cap (now, or after the GC that reaches it). */
export function tuneHostHeap(mainFile?: string): void {
    if (!isDynamicProviderHost(mainFile)) return;
    setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    setFlagsFromString("--no-expose-gc");
    collect();
    if (stopGrowthAtCap()) return;
    // The new space only grows in a scavenge: look again after each garbage collection until capped.
    const observer = new PerformanceObserver(() => {
        if (stopGrowthAtCap()) observer.disconnect();
    });
    observer.observe({ entryTypes: ["gc"] });
}
