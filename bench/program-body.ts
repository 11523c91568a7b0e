/**
 * `npm run bench:program-body`: how long a program's constructors take, with the SDK's classes
 * registering as they do (stack capture paused, sdk/promise-stacks.ts) next to @pulumi/pulumi's
 * default (a stack captured and formatted for every property promise), in one run.
 *
 * The program is bench:stack's: one pool and N x (Volume, defined Domain), registered under
 * @pulumi/pulumi's mocks so that only the program's own synchronous work is timed (the body blocks
 * the event loop, so no step can start before it ends). The default is had by setting
 * PULUMI_DEBUG_PROMISE_LEAKS, the switch under which the SDK leaves stacks on. Each round runs both
 * kinds in a fresh Node process, alternating, so that both share the machine's load.
 *
 *   BENCH_N (200)       members
 *   BENCH_ROUNDS (5)    processes of each kind
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import * as pulumi from "@pulumi/pulumi";

const N = Number(process.env.BENCH_N ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHILD = "BENCH_PROGRAM_BODY_CHILD";

/** In the child: the program's body, timed; prints the milliseconds. */
function child(): void {
    pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: (args) => args.inputs,
        },
        "bench",
        "program-body",
        false,
    );
    // Loaded after the mocks are set, as a program's imports run before its body.
    const { StoragePool, Volume, Domain } = require("../sdk") as typeof import("../sdk");
    const start = process.hrtime.bigint();
    const pool = new StoragePool("pool", { name: "bench-pool", type: "dir", target: { path: "/bench" } });
    for (let i = 0; i < N; i++) {
        const vol = new Volume(`v${i}`, {
            pool: pool.name,
            name: `v${i}.qcow2`,
            capacity: 8,
            target: { format: "qcow2" },
        });
        new Domain(`d${i}`, {
            name: `d${i}`,
            type: "qemu",
            memory: 64,
            vcpu: 1,
            running: false,
            os: { kernel: "/bench/kernel", initrd: "/bench/initrd" },
            devices: {
                disks: [
                    {
                        source: { pool: pool.name, volume: vol.name },
                        target: { dev: "vda", bus: "virtio" },
                        driver: { type: "qcow2" },
                    },
                ],
            },
        });
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    process.stdout.write(`${ms}\n`);
    // The mocks never finish the registrations; @pulumi/pulumi reports them at exit (and fails the
    // exit code), which the parent ignores: only the printed time counts.
    process.exit(0);
}

function run(stacks: boolean): number {
    const env: NodeJS.ProcessEnv = { ...process.env, [CHILD]: "1", NODE_NO_WARNINGS: "1" };
    if (stacks) env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    else delete env.PULUMI_DEBUG_PROMISE_LEAKS;
    const child = spawnSync(process.execPath, [__filename], {
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
    });
    const ms = Number(child.stdout.trim());
    if (!Number.isFinite(ms) || child.stdout.trim() === "")
        throw new Error(`bench:program-body: the child printed no time (${child.error ?? `exit ${child.status}`})`);
    return ms;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

function main(): void {
    const paused: number[] = [];
    const captured: number[] = [];
    const load = [loadavg()[0]];
    for (let round = 0; round < ROUNDS; round++) {
        paused.push(run(false));
        captured.push(run(true));
    }
    load.push(loadavg()[0]);
    const resources = 1 + 2 * N;
    const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
    console.log(
        `program body, ${resources} resources (N = ${N}), ${ROUNDS} rounds alternating, load ${load.map((l) => l.toFixed(1)).join(" -> ")}`,
    );
    console.log("| registration | median | min | max | per resource |");
    console.log("|---|---|---|---|---|");
    for (const [what, xs] of [
        ["SDK classes (stacks paused)", paused],
        ["@pulumi/pulumi default (stacks captured)", captured],
    ] as const) {
        console.log(
            `| ${what} | ${fmt(median(xs))} | ${fmt(Math.min(...xs))} | ${fmt(Math.max(...xs))} | ${(median(xs) / resources).toFixed(2)} ms |`,
        );
    }
    console.log(`ratio paused / default: ${(median(paused) / median(captured)).toFixed(2)}x`);
}

if (process.env[CHILD]) child();
else main();
