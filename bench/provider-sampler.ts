/**
 * A memory sampler for the provider host, loaded with `--require`: bench:empty-up passes it as
 * `BENCH_PROVIDER_NODE_OPTIONS="--require dist/bench/provider-sampler.js"`. It samples
 * `process.memoryUsage()` every 20 ms and, at the peak RSS, V8's heap spaces and the RSS of the
 * process's mappings by kind (/proc/self/smaps: file-backed, anonymous, malloc's heap). With
 * `SAMPLER_HEAP_PROFILE=1` it also runs V8's sampling heap profiler over everything allocated,
 * collected objects included (what the host allocates, not only what it keeps). The engine ends
 * its plugins with a signal: on SIGINT or SIGTERM it writes `<SAMPLER_OUT>-<pid>.json` (and
 * `.heapprofile`, which Chrome's DevTools open) and exits.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { getHeapSpaceStatistics } from "node:v8";

const OUT = process.env.SAMPLER_OUT ?? "/tmp/provider-sampler";
const MB = 1024 * 1024;

/** RSS in MB by mapping kind: "file" (binaries, libraries), "anon" (V8's heap pages), "[heap]" (malloc). */
function rssByMapping(): Record<string, number> {
    const sums: Record<string, number> = {};
    let kind = "anon";
    for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
        const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
        if (mapping) {
            const name = mapping[1] ?? "";
            kind = name === "" ? "anon" : name.startsWith("/") ? "file" : name;
            continue;
        }
        const rss = /^Rss:\s+(\d+) kB/.exec(line);
        if (rss) sums[kind] = (sums[kind] ?? 0) + Number(rss[1]) / 1024;
    }
    return Object.fromEntries(
        Object.entries(sums)
            .filter(([, mb]) => mb >= 1)
            .map(([k, mb]) => [k, Math.round(mb)]),
    );
}

function spaces(): Record<string, number> {
    return Object.fromEntries(
        getHeapSpaceStatistics()
            .filter((s) => s.space_size >= MB)
            .map((s) => [s.space_name, Math.round(s.space_size / MB)]),
    );
}

const started = Date.now();
let peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 };
let atPeak: { ms: number; mappings: Record<string, number>; spaces: Record<string, number> } | undefined;
const timer = setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss <= peak.rss) return;
    // The mappings are costly to read: only when the peak moved by 2 MB or more.
    if (atPeak === undefined || now.rss >= peak.rss + 2 * MB)
        atPeak = { ms: Date.now() - started, mappings: rssByMapping(), spaces: spaces() };
    peak = now;
}, 20);
timer.unref();

let session: Session | undefined;
if (process.env.SAMPLER_HEAP_PROFILE === "1") {
    session = new Session();
    session.connect();
    session.post("HeapProfiler.enable");
    session.post("HeapProfiler.startSampling", {
        samplingInterval: 8192,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
    });
}

function finish(): void {
    const mb = (bytes: number) => Math.round(bytes / MB);
    writeFileSync(
        `${OUT}-${process.pid}.json`,
        JSON.stringify({
            peakMb: {
                rss: mb(peak.rss),
                heapTotal: mb(peak.heapTotal),
                heapUsed: mb(peak.heapUsed),
                external: mb(peak.external),
            },
            atPeak,
        }),
    );
    if (session === undefined) process.exit(0);
    session.post("HeapProfiler.stopSampling", (error, result) => {
        if (!error) writeFileSync(`${OUT}-${process.pid}.heapprofile`, JSON.stringify(result.profile));
        process.exit(0);
    });
}
process.on("SIGINT", finish);
process.on("SIGTERM", finish);
