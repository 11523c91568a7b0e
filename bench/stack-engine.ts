/**
 * bench:stack under the real Pulumi engine: the same program as an Automation API inline program
 * (tools/lab/automation.ts) against the CLI the test host builds, with the provider in the
 * dynamic-provider process the engine starts. Measured per operation: wall time (CLI start and
 * plugin loading included), the engine's time (from its prelude event to its summary event), and
 * the peak RSS (VmHWM) of the provider process,
 * sampled every 250 ms while the operation runs. The provider's RPCs are counted by the emulator
 * rows (the same provider code in this process); the counter does not cross processes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent, PulumiFn } from "@pulumi/pulumi/automation";
import { openCliStack } from "../tools/lab/automation";
import { pulumiCliPath } from "../tools/lab/pulumi-cli";
import { PROJECT_ROOT } from "../test/helpers/test-host";

export type EngineOperation = "create" | "empty up" | "refresh" | "delete";

export interface EngineMeasure {
    seconds: number;
    /** The engine's time for the operation (the summary's end minus start). */
    engineSeconds: number;
    /** Peak RSS of the dynamic-provider process(es) this operation started, in MB. */
    providerPeakMb: number;
}

/** Parent of every process, from /proc (processes that end while read are skipped). */
function parents(): Map<number, number> {
    const map = new Map<number, number>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            // After the command name in parentheses: state, then the parent's pid.
            map.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            // gone meanwhile
        }
    }
    return map;
}

function descendsFromThis(pid: number, parentOf: Map<number, number>): boolean {
    let p = parentOf.get(pid);
    for (let depth = 0; p !== undefined && depth < 32; depth++) {
        if (p === process.pid) return true;
        p = parentOf.get(p);
    }
    return false;
}

/** Samples the VmHWM of the dynamic-provider processes below this process until stopped. */
export function watchProviderPeak(): { stop(): number } {
    let peakKb = 0;
    const sample = () => {
        const parentOf = parents();
        for (const pid of parentOf.keys()) {
            if (!descendsFromThis(pid, parentOf)) continue;
            try {
                if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("dynamic-provider")) continue;
                const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
                if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
            } catch {
                // ended meanwhile: its last sample stands
            }
        }
    };
    const timer = setInterval(sample, 250);
    return {
        stop() {
            clearInterval(timer);
            sample();
            return peakKb / 1024;
        },
    };
}

/** The four operations on a fresh stack in `dir`, under the real engine. */
export async function runUnderEngine(
    dir: string,
    program: PulumiFn,
    measure: <T>(fn: () => Promise<T>) => Promise<{ seconds: number; daemonCpu: number; result: T }>,
): Promise<Record<EngineOperation, EngineMeasure & { daemonCpu: number }>> {
    const cli = pulumiCliPath();
    if (cli === undefined) throw new Error("no Pulumi CLI: run scripts/setup-test-host.sh (it builds one)");
    const stack = await openCliStack({
        cli,
        dir,
        project: "bench",
        stack: "bench",
        // Every operation passes its program; this one is never run.
        program: join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"),
        stateRoot: join(dir, ".pulumi-state"),
        passphrase: "pltest-bstack",
    });
    // The engine's time: from its prelude event to its summary event, as they arrive here (the
    // summary's own start and end times have a resolution of one second).
    const timed = async (
        run: (onEvent: (e: EngineEvent) => void) => Promise<unknown>,
    ): Promise<EngineMeasure & { daemonCpu: number }> => {
        const watch = watchProviderPeak();
        let prelude = Number.NaN;
        let summary = Number.NaN;
        const onEvent = (e: EngineEvent) => {
            if (e.preludeEvent && Number.isNaN(prelude)) prelude = performance.now();
            if (e.summaryEvent) summary = performance.now();
        };
        try {
            const { seconds, daemonCpu } = await measure(() => run(onEvent));
            return { seconds, daemonCpu, engineSeconds: (summary - prelude) / 1000, providerPeakMb: watch.stop() };
        } finally {
            watch.stop();
        }
    };
    return {
        create: await timed((onEvent) => stack.up({ program, onEvent })),
        "empty up": await timed((onEvent) => stack.up({ program, onEvent })),
        refresh: await timed((onEvent) => stack.refresh({ onEvent })),
        delete: await timed((onEvent) => stack.destroy({ onEvent })),
    };
}
