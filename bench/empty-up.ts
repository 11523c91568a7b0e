/**
 * `npm run bench:empty-up`: the empty `up` of issue 14 alone, under the real Pulumi engine. A stack
 * of one dir pool, one network and N x (Volume, defined Domain) is created once, then `up` runs
 * ROUNDS times with nothing to change (engine time from prelude to summary event, wall time, the
 * provider process's peak RSS), then one refresh (its peak RSS), then destroy. N defaults to 200
 * (602 resources), as in bench:stack's N = 200 row; BENCH_N and BENCH_ROUNDS change them.
 *
 *   BENCH_PROFILE=<dir>  the provider processes write V8 CPU profiles there (--cpu-prof), for
 *                        finding where an empty up's provider time goes
 *   BENCH_PROVIDER_NODE_OPTIONS=<options>  NODE_OPTIONS of the provider hosts of the empty ups and
 *                        the refresh (a `--require` of a memory sampler, say)
 *   BENCH_ALTERNATE=<repository root>  another built copy of this repository (the change's base,
 *                        say): the empty ups alternate between this copy and that one, program
 *                        and provider, on the same stack (this, that, this, ...), so that a
 *                        before/after comparison shares the machine's load. That copy's
 *                        node_modules/@pulumi/pulumi must be a symlink to this one's (one
 *                        @pulumi/pulumi runtime in this process).
 *   BENCH_FLOOR=0        leaves out the floor: by default a second stack of the same declarations
 *                        handled by a provider that does nothing (bench/floor.ts) is created, and
 *                        its empty ups alternate with ours: what the engine, the program and the
 *                        dynamic-provider host spend on these resources before any provider work
 *   BENCH_TIMELINE=1     prints when the engine's step and outputs events of each run arrived (first,
 *                        quartiles, last, from the prelude): whether the engine waits for the program
 *                        or works through the resources at a steady rate
 *   BENCH_PARALLEL_DIFF=alternate  the empty ups alternate between the engine's default (checks
 *                        and diffs one resource at a time) and PULUMI_PARALLEL_DIFF=true (the
 *                        engine's diffs side by side); =1 runs them all with it
 *
 * Objects are named pltest-bempty-* and removed before and after.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import * as sdk from "../sdk";
import { loadTestHost, PROJECT_ROOT } from "../test/helpers/test-host";
import { removeTestObjects } from "../test/helpers/virsh";
import { openCliStack } from "../tools/lab/automation";
import { linkPackage } from "../tools/lab/project";
import { pulumiCliPath } from "../tools/lab/pulumi-cli";
import { floorProgram } from "./floor";
import { watchProviderPeak } from "./stack-engine";
import * as members from "./stack-members";

const PREFIX = "pltest-bempty";
const POOL = `${PREFIX}-pool`;
const POOL_DIR = `/var/lib/libvirt/${POOL}`;
const N = Number(process.env.BENCH_N ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ALTERNATE = process.env.BENCH_ALTERNATE;
/** BENCH_FLOOR=0 leaves out the floor stack (bench/floor.ts), whose empty ups alternate with ours. */
const FLOOR = process.env.BENCH_FLOOR !== "0";
/** BENCH_TIMELINE=1: when the engine's step and outputs events arrived in each run, from its prelude. */
const TIMELINE = process.env.BENCH_TIMELINE === "1";
/** The engine's PULUMI_PARALLEL_DIFF for the empty ups: off, on, or alternating. */
const DIFF_MODES: readonly boolean[] =
    process.env.BENCH_PARALLEL_DIFF === "alternate" ? [false, true] : [process.env.BENCH_PARALLEL_DIFF === "1"];

/** The SDK and the member declaration of one built copy of the repository. */
interface Build {
    root: string;
    sdk: Pick<typeof sdk, "Network" | "StoragePool">;
    members: typeof members;
}

function program(n: number, build: Build) {
    const host = loadTestHost();
    const { Network, StoragePool } = build.sdk;
    return async () => {
        const pool = new StoragePool("pool", { name: POOL, type: "dir", target: { path: POOL_DIR } });
        new Network("net", { name: `${PREFIX}-net`, ips: [{ address: "10.251.0.1", prefix: 16 }] });
        for (let i = 0; i < n; i++) {
            build.members.declareMember(PREFIX, i, pool.name, host);
        }
    };
}

/** The floor's stack: the same declarations through bench/floor.ts's provider that does nothing. */
const FLOOR_NAMES = { prefix: PREFIX, pool: POOL, poolDir: POOL_DIR, network: `${PREFIX}-net`, address: "10.251.0.1" };

function alternateBuild(root: string): Build {
    return {
        root,
        sdk: require(join(root, "dist", "sdk")),
        members: require(join(root, "dist", "bench", "stack-members")),
    };
}

function cleanUp(): void {
    removeTestObjects(PREFIX);
    rmSync(POOL_DIR, { recursive: true, force: true });
}

interface Measure {
    wall: number;
    engine: number;
    peakMb: number;
    /** CPU seconds: this process (the inline program), the CLI, the provider host(s). */
    cpu: { program: number; cli: number; provider: number };
}

const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** CPU seconds of the CLI and provider processes below this one, by their last sample. */
function watchChildCpu(): { stop(): { cli: number; provider: number } } {
    const last = new Map<number, { kind: "cli" | "provider"; seconds: number }>();
    const sample = () => {
        const parentOf = new Map<number, number>();
        const fieldsOf = new Map<number, string[]>();
        for (const entry of readdirSync("/proc")) {
            if (!/^\d+$/.test(entry)) continue;
            try {
                const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
                const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                parentOf.set(Number(entry), Number(fields[1]));
                fieldsOf.set(Number(entry), fields);
            } catch {
                // ended meanwhile
            }
        }
        for (const [pid, fields] of fieldsOf) {
            // Only this process's descendants: other engineers' provider hosts on the same
            // machine are not counted.
            const parent = parentOf.get(pid);
            let ancestor = parent;
            for (let depth = 0; ancestor !== undefined && ancestor !== process.pid && depth < 8; depth++)
                ancestor = parentOf.get(ancestor);
            if (ancestor !== process.pid) continue;
            try {
                const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
                const kind = cmd.includes("dynamic-provider") ? "provider" : cmd.includes("pulumi") ? "cli" : undefined;
                if (kind === undefined || (parent !== process.pid && kind !== "provider")) continue;
                last.set(pid, { kind, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS });
            } catch {
                // ended meanwhile: its last sample stands
            }
        }
    };
    const timer = setInterval(sample, 100);
    return {
        stop() {
            clearInterval(timer);
            const sum = { cli: 0, provider: 0 };
            for (const { kind, seconds } of last.values()) sum[kind] += seconds;
            return sum;
        },
    };
}

async function timed(run: (onEvent: (e: EngineEvent) => void) => Promise<unknown>): Promise<Measure> {
    const watch = watchProviderPeak();
    const children = watchChildCpu();
    const ownCpu = process.cpuUsage();
    let prelude = Number.NaN;
    let summary = Number.NaN;
    const pre: number[] = [];
    const outs: number[] = [];
    const started = performance.now();
    try {
        await run((e) => {
            if (e.preludeEvent && Number.isNaN(prelude)) prelude = performance.now();
            if (e.summaryEvent) summary = performance.now();
            if (e.resourcePreEvent) pre.push(performance.now());
            if (e.resOutputsEvent) outs.push(performance.now());
        });
    } finally {
        watch.stop();
    }
    const own = process.cpuUsage(ownCpu);
    if (TIMELINE) {
        // When the engine's events arrived, from the prelude: does the engine wait for the program
        // at the start, or work through the resources at a steady rate?
        const at = (xs: number[], q: number) =>
            (xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]! - prelude) / 1000;
        const line = (what: string, xs: number[]) =>
            `  ${what}: ${xs.length}, first ${at(xs, 0).toFixed(2)} s, 25% ${at(xs, 0.25).toFixed(2)}, 50% ${at(xs, 0.5).toFixed(2)}, 75% ${at(xs, 0.75).toFixed(2)}, last ${at(xs, 1).toFixed(2)}`;
        if (pre.length) console.log(line("step events", pre));
        if (outs.length) console.log(line("outputs events", outs));
        console.log(`  summary at ${((summary - prelude) / 1000).toFixed(2)} s`);
    }
    return {
        wall: (performance.now() - started) / 1000,
        engine: (summary - prelude) / 1000,
        peakMb: watch.stop(),
        cpu: { program: (own.user + own.system) / 1e6, ...children.stop() },
    };
}

async function main(): Promise<void> {
    const cli = pulumiCliPath();
    if (cli === undefined) throw new Error("no Pulumi CLI: run scripts/setup-test-host.sh (it builds one)");
    const work = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
    const load = loadavg();
    cleanUp();
    try {
        const dir = join(work, "project");
        mkdirSync(dir, { recursive: true });
        linkPackage(dir, PROJECT_ROOT);
        const stack = await openCliStack({
            cli,
            dir,
            project: "bempty",
            stack: "bench",
            program: join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"),
            stateRoot: join(work, "state"),
            passphrase: "pltest-bempty",
        });
        const builds: Build[] = [{ root: PROJECT_ROOT, sdk, members }];
        if (ALTERNATE !== undefined) builds.push(alternateBuild(ALTERNATE));
        const programs = builds.map((build) => program(N, build));
        const create = await timed((onEvent) => stack.up({ program: programs[0]!, onEvent }));
        const floorDir = join(work, "floor-project");
        mkdirSync(floorDir, { recursive: true });
        linkPackage(floorDir, PROJECT_ROOT);
        const floor = FLOOR
            ? await openCliStack({
                  cli,
                  dir: floorDir,
                  project: "bfloor",
                  stack: "bench",
                  program: join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"),
                  stateRoot: join(work, "floor-state"),
                  passphrase: "pltest-bempty",
              })
            : undefined;
        const floorCreate =
            floor &&
            (await timed((onEvent) => floor.up({ program: floorProgram(N, FLOOR_NAMES, loadTestHost()), onEvent })));
        const floorEmpties: Measure[] = [];
        if (process.env.BENCH_PROFILE) {
            mkdirSync(process.env.BENCH_PROFILE, { recursive: true });
            stack.workspace.envVars.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE} ${process.env.BENCH_PROFILE_NODE_OPTIONS ?? ""}`;
        } else if (process.env.BENCH_PROVIDER_NODE_OPTIONS) {
            stack.workspace.envVars.NODE_OPTIONS = process.env.BENCH_PROVIDER_NODE_OPTIONS;
        }
        const empties: (Measure & { build: number; parallelDiff: boolean })[] = [];
        const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
        if (profiler) {
            profiler.connect();
            await profiler.post("Profiler.enable");
            await profiler.post("Profiler.start");
        }
        const variants = builds.length * DIFF_MODES.length;
        for (let r = 0; r < ROUNDS * variants; r++) {
            const build = r % builds.length;
            const parallelDiff = DIFF_MODES[Math.floor(r / builds.length) % DIFF_MODES.length]!;
            if (parallelDiff) stack.workspace.envVars.PULUMI_PARALLEL_DIFF = "true";
            else delete stack.workspace.envVars.PULUMI_PARALLEL_DIFF;
            // The provider host loads the runtime of the copy the project links.
            linkPackage(dir, builds[build]!.root);
            const m = await timed((onEvent) => stack.up({ program: programs[build]!, onEvent }));
            empties.push({ ...m, build, parallelDiff });
            if (floor && build === 0 && !parallelDiff)
                floorEmpties.push(
                    await timed((onEvent) =>
                        floor.up({ program: floorProgram(N, FLOOR_NAMES, loadTestHost()), onEvent }),
                    ),
                );
        }
        delete stack.workspace.envVars.PULUMI_PARALLEL_DIFF;
        linkPackage(dir, PROJECT_ROOT);
        if (profiler) {
            // This process runs the program (inline): its profile over the empty ups.
            const { profile } = await profiler.post("Profiler.stop");
            writeFileSync(join(process.env.BENCH_PROFILE!, "program-empty-ups.cpuprofile"), JSON.stringify(profile));
            profiler.disconnect();
        }
        const refresh = await timed((onEvent) => stack.refresh({ onEvent }));
        delete stack.workspace.envVars.NODE_OPTIONS;
        await stack.destroy();
        if (floor) await floor.destroy();
        const resources = 2 + 2 * N;
        const f = (x: number) => x.toFixed(2);
        console.log(`bench:empty-up, real engine, N=${N} (${resources} resources), ${new Date().toISOString()}`);
        console.log(
            `load average before: ${load.map((x) => x.toFixed(2)).join(" ")}, after: ${loadavg()
                .map((x) => x.toFixed(2))
                .join(" ")}`,
        );
        console.log("operation   wall s  engine s  provider peak MB  CPU s: program  CLI  provider");
        const cpu = (m: Measure) =>
            `          ${f(m.cpu.program).padStart(6)} ${f(m.cpu.cli).padStart(6)} ${f(m.cpu.provider).padStart(6)}`;
        console.log(
            `create      ${f(create.wall).padStart(6)}  ${f(create.engine).padStart(8)}  ${create.peakMb.toFixed(0).padStart(6)}${cpu(create)}`,
        );
        for (const [i, m] of empties.entries())
            console.log(
                `empty up ${i + 1}  ${f(m.wall).padStart(6)}  ${f(m.engine).padStart(8)}  ${m.peakMb.toFixed(0).padStart(6)}${cpu(m)}${builds.length > 1 ? `  ${builds[m.build]!.root}` : ""}${m.parallelDiff ? "  PULUMI_PARALLEL_DIFF" : ""}`,
            );
        console.log(
            `refresh     ${f(refresh.wall).padStart(6)}  ${f(refresh.engine).padStart(8)}  ${refresh.peakMb.toFixed(0).padStart(6)}${cpu(refresh)}`,
        );
        if (floorCreate) {
            console.log("the floor: the same declarations, a provider that does nothing (bench/floor.ts)");
            console.log(
                `create      ${f(floorCreate.wall).padStart(6)}  ${f(floorCreate.engine).padStart(8)}  ${floorCreate.peakMb.toFixed(0).padStart(6)}${cpu(floorCreate)}`,
            );
            for (const [i, m] of floorEmpties.entries())
                console.log(
                    `empty up ${i + 1}  ${f(m.wall).padStart(6)}  ${f(m.engine).padStart(8)}  ${m.peakMb.toFixed(0).padStart(6)}${cpu(m)}`,
                );
        }
        const ours = empties.filter((m) => m.build === 0);
        const best = Math.min(...ours.map((m) => m.engine));
        if (DIFF_MODES.length > 1) {
            const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
            for (const mode of DIFF_MODES) {
                const times = ours.filter((m) => m.parallelDiff === mode).map((m) => m.engine);
                console.log(
                    `empty up engine time, ${mode ? "PULUMI_PARALLEL_DIFF=true" : "engine default"}: median ${f(median(times))} s of ${times.length}`,
                );
            }
        }
        if (floorEmpties.length > 0) {
            const floorBest = Math.min(...floorEmpties.map((m) => m.engine));
            console.log(
                `floor's empty up engine time (best of ${floorEmpties.length}): ${f(floorBest)} s; ours minus the floor: ${f(best - floorBest)} s`,
            );
        }
        const peak = Math.max(...ours.map((m) => m.peakMb), refresh.peakMb);
        console.log(
            `empty up engine time (best of ${ROUNDS}): ${f(best)} s (<= 1.5 s at 600 resources: ${best <= 1.5 ? "met" : "MISSED"})`,
        );
        console.log(
            `provider peak RSS (empty ups, refresh): ${peak.toFixed(0)} MB (<= 200 MB: ${peak <= 200 ? "met" : "MISSED"})`,
        );
    } finally {
        cleanUp();
        rmSync(work, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
