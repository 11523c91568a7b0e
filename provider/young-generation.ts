/**
 * Caps V8's young generation in Pulumi's dynamic-provider host, the process that loads this
 * runtime. Most of what the host allocates is short-lived (google-protobuf decoding each request,
 * about 14 KB per Domain check or diff), and V8 doubles the new space whenever scavenges see
 * enough of it survive, up to 128 MB on Node 24: the new space is then the largest part of the
 * host's resident memory (64 MB at the peak of an empty `up` of 602 resources, 134 MB in a
 * refresh with 8 reads in flight). The host is started by the engine, so its V8 flags are not
 * ours to pass; V8 reads `--semi-space-growth-factor` each time it grows the new space, so setting
 * it to 1 once the space has reached the cap stops the growth from then on (`--max-semi-space-size`
 * is read only at start-up). Only the host is touched: a program, the emulator or a test that
 * loads the runtime in its own process keeps V8's defaults. DEVELOPERS.md ("Provider RSS: the
 * young generation") has the measurements: about 25 MB less at the peak, no measurable CPU.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";

/** The new space (both semi-spaces) the host may grow to; V8 doubles it, so it stops at or below this. */
export const YOUNG_GENERATION_CAP_BYTES = 32 * 1024 * 1024;

/** The file Pulumi's dynamic-provider host runs (`@pulumi/pulumi/cmd/dynamic-provider/index.js`). */
export function isDynamicProviderHost(mainFile: string | undefined = require.main?.filename): boolean {
    return mainFile !== undefined && /[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(mainFile);
}

function newSpaceBytes(): number {
    return getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
}

let capped = false;

/** Stops the growth when the next doubling would pass the cap; true once stopped. */
function stopGrowthAtCap(): boolean {
    if (capped) return true;
    if (newSpaceBytes() * 2 <= YOUNG_GENERATION_CAP_BYTES) return false;
    setFlagsFromString("--semi-space-growth-factor=1");
    capped = true;
    return true;
}

/** In the dynamic-provider host: stops the new space's growth at the cap (now, or after the GC that reaches it). */
export function capYoungGenerationInHost(mainFile?: string): void {
    if (!isDynamicProviderHost(mainFile) || stopGrowthAtCap()) return;
    // The new space only grows in a scavenge: look again after each garbage collection until capped.
    const observer = new PerformanceObserver(() => {
        if (stopGrowthAtCap()) observer.disconnect();
    });
    observer.observe({ entryTypes: ["gc"] });
}
