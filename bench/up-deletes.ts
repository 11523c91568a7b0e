/**
 * `npm run bench:up-deletes`: an `up` under the engine emulator that drops every member of a stack
 * (bench:stack's members: a qcow2 Volume and a defined Domain on it, N of them, in one dir pool
 * the program keeps), so all its work is the deletes the `up` plans. Timed with the deletes one at
 * a time (`parallel` 1) and side by side (the default `parallel`), the two alternating in each
 * round; the median of the rounds is printed with the load average.
 *
 *   BENCH_N=20 BENCH_ROUNDS=3        the default
 *   BENCH_OTHER_ENGINE=<dist folder> also times the emulator of another build (its
 *                                    tools/engine/emulator.js), e.g. of main before this change
 *
 * Every object is named pltest-bdel-* and removed at the end (and before, if left by a crash).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defaultPool } from "../provider/rpc";
import { StoragePool } from "../sdk";
import { EngineEmulator, type EmulatorOptions } from "../tools/engine";
import { linkPackage } from "../tools/lab/project";
import { loadTestHost, PROJECT_ROOT } from "../test/helpers/test-host";
import { removeTestObjects } from "../test/helpers/virsh";
import { declareMember } from "./stack-members";

const PREFIX = "pltest-bdel";
const POOL = `${PREFIX}-pool`;
const POOL_DIR = `/var/lib/libvirt/${POOL}`;
const N = Number(process.env.BENCH_N ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OTHER = process.env.BENCH_OTHER_ENGINE;

type Engine = { up(program: () => void): Promise<{ counts: { delete: number } }> };
type Variant = { label: string; make: (options: EmulatorOptions) => Engine };

function program(members: number) {
    const host = loadTestHost();
    return () => {
        const pool = new StoragePool("pool", { name: POOL, type: "dir", target: { path: POOL_DIR } });
        for (let i = 0; i < members; i++) declareMember(PREFIX, i, pool.name, host);
    };
}

function cleanUp(): void {
    removeTestObjects(PREFIX);
    rmSync(POOL_DIR, { recursive: true, force: true });
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
    const work = mkdtempSync(join(tmpdir(), "bench-up-deletes-"));
    const project = join(work, "project");
    mkdirSync(project, { recursive: true });
    linkPackage(project, PROJECT_ROOT);
    const variants: Variant[] = [
        { label: "this build, parallel 1 (one at a time)", make: (o) => new EngineEmulator({ ...o, parallel: 1 }) },
        { label: "this build, default parallel", make: (o) => new EngineEmulator(o) },
    ];
    if (OTHER) {
        const other = require(resolve(OTHER, "tools/engine/emulator.js")) as {
            EngineEmulator: new (o: EmulatorOptions) => Engine;
        };
        variants.push({ label: `${OTHER}, default parallel`, make: (o) => new other.EngineEmulator(o) });
    }
    const seconds = new Map<string, number[]>(variants.map((v) => [v.label, []]));
    const loads: number[] = [];
    try {
        for (let round = 0; round < ROUNDS; round++) {
            for (const [k, v] of variants.entries()) {
                cleanUp();
                const options = {
                    stateFile: join(work, `state-${round}-${k}.json`),
                    project: "bench",
                    stack: "bench",
                    cwd: project,
                };
                await new EngineEmulator(options).up(program(N));
                loads.push(loadavg()[0]!);
                const started = performance.now();
                const summary = await v.make(options).up(program(0));
                seconds.get(v.label)!.push((performance.now() - started) / 1000);
                if (summary.counts.delete !== 2 * N)
                    throw new Error(`${v.label}: ${summary.counts.delete} deletes, expected ${2 * N}`);
            }
        }
    } finally {
        cleanUp();
        rmSync(work, { recursive: true, force: true });
        // The provider's connections would keep the process alive.
        await defaultPool.closeAll();
    }
    console.log(
        `up deleting ${N} members (${2 * N} resources), median of ${ROUNDS} rounds, load ${loads.map((l) => l.toFixed(1)).join(" ")}`,
    );
    for (const [label, values] of seconds)
        console.log(`  ${label}: ${median(values).toFixed(2)} s  (${values.map((s) => s.toFixed(2)).join(", ")})`);
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
