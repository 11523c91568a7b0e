/**
 * `npm run bench:stack`: a stack of one dir pool, one isolated network and N x (qcow2 Volume,
 * defined Domain on it [, DhcpHost]) against the same libvirt calls made by libvirt's C client
 * (python3-libvirt, bench/stack_c_client.py) and by a virsh script, in one run, side by side.
 * Ours runs through the engine emulator in this process (the program, the engine's steps and the
 * provider; no CLI process), so its figures are the provider's own cost plus the emulator's.
 *
 * Rows: create, empty up, refresh and delete for ours; create and delete for the C client and
 * virsh; ratios to the C client; RPCs per resource (the client's call counter); peak RSS of this
 * process; libvirtd's CPU seconds during each operation. Sides alternate within each round and the
 * median of the rounds is shown. The floor rows run the stack without DhcpHosts through a provider
 * that does nothing (bench/floor.ts): what the program and the emulator cost for these resources
 * before our provider and libvirt do any work.
 *
 *   BENCH_QUICK=1   N = 10, one round, with and without DhcpHosts (for development); also prints
 *                   our calls per procedure for each operation (where the RPCs per resource go)
 *   BENCH_N=10,50,200 BENCH_ROUNDS=3   the default full run
 *   BENCH_ENGINE=0  leaves out the rows under the real Pulumi engine (bench/stack-engine.ts: wall
 *                   and engine time, peak RSS of the provider process), which are on by default
 *   BENCH_DHCP=0    leaves out the stacks with DhcpHosts (their creates and deletes take minutes at
 *                   N = 200, bound by libvirt's networkUpdate); BENCH_DHCP=1 runs only those
 *
 * The machine's load average is printed with the tables: on a shared machine the seconds move a lot.
 *
 * Every object is named pltest-bstack-* and removed at the end (and before, if left by a crash).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DhcpHost, Network, StoragePool } from "../sdk";
import { defaultPool, startCountingCalls, stopCountingCalls } from "../provider/rpc";
import { EngineEmulator } from "../tools/engine";
import { type EngineMeasure, type EngineOperation, runUnderEngine } from "./stack-engine";
import { linkPackage } from "../tools/lab/project";
import { loadTestHost, PROJECT_ROOT } from "../test/helpers/test-host";
import { removeTestObjects } from "../test/helpers/virsh";
import { floorProgram } from "./floor";
import { declareMember } from "./stack-members";

const PREFIX = "pltest-bstack";
const URI = "qemu:///system";
const POOL = `${PREFIX}-pool`;
const POOL_DIR = `/var/lib/libvirt/${POOL}`;
const NET = `${PREFIX}-net`;
/** A /16 of its own: N up to 200 reservations and a DHCP range, overlapping no test network (10.253.x). */
const SUBNET = "10.252.0";
/** Debian's python, which has python3-libvirt (the C client); not whatever python3 is first on PATH. */
const SYSTEM_PYTHON = "/usr/bin/python3";
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

const quick = process.env.BENCH_QUICK === "1";
const SIZES = quick ? [10] : (process.env.BENCH_N ?? "10,50,200").split(",").map(Number);
const ROUNDS = quick ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
const REAL_ENGINE = process.env.BENCH_ENGINE !== "0";
const DHCP_STACKS = process.env.BENCH_DHCP === "0" ? [false] : process.env.BENCH_DHCP === "1" ? [true] : [false, true];

function mac(i: number): string {
    return `52:54:00:bb:${((i >> 8) & 0xff).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`;
}
/** Reserved addresses 10.252.1.2 and on, 250 to a /24. */
function ip(i: number): string {
    return `10.252.${1 + Math.floor(i / 250)}.${2 + (i % 250)}`;
}

interface Plan {
    uri: string;
    pool: string;
    poolName: string;
    network: string;
    networkName: string;
    items: { volume: string; volumeName: string; domain: string; domainName: string; host?: string }[];
}

/** The XML both scripts define: what our provider writes for the same declaration, near enough. */
function plan(n: number, hosts: boolean): Plan {
    const host = loadTestHost();
    const items = Array.from({ length: n }, (_, i) => {
        const volumeName = `${PREFIX}-v${i}.qcow2`;
        const domainName = `${PREFIX}-d${i}`;
        return {
            volumeName,
            domainName,
            volume: `<volume><name>${volumeName}</name><capacity unit='MiB'>8</capacity><allocation>0</allocation><target><format type='qcow2'/></target></volume>`,
            domain:
                `<domain type='qemu'><name>${domainName}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
                `<os><type arch='x86_64'>hvm</type><kernel>${host.guestKernel}</kernel><initrd>${host.guestInitrd}</initrd></os>` +
                `<devices><disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='${POOL}' volume='${volumeName}'/><target dev='vda' bus='virtio'/></disk></devices></domain>`,
            ...(hosts ? { host: `<host mac='${mac(i)}' ip='${ip(i)}' name='${domainName}'/>` } : {}),
        };
    });
    return {
        uri: URI,
        pool: `<pool type='dir'><name>${POOL}</name><target><path>${POOL_DIR}</path></target></pool>`,
        poolName: POOL,
        network:
            `<network><name>${NET}</name><ip address='${SUBNET}.1' netmask='255.255.0.0'>` +
            `<dhcp><range start='10.252.250.1' end='10.252.250.200'/></dhcp></ip></network>`,
        networkName: NET,
        items,
    };
}

/** Our program for the same stack. */
function program(n: number, hosts: boolean) {
    const host = loadTestHost();
    return () => {
        const pool = new StoragePool("pool", { name: POOL, type: "dir", target: { path: POOL_DIR } });
        const net = new Network("net", {
            name: NET,
            ips: [
                {
                    address: `${SUBNET}.1`,
                    prefix: 16,
                    dhcp: { ranges: [{ start: "10.252.250.1", end: "10.252.250.200" }] },
                },
            ],
        });
        for (let i = 0; i < n; i++) {
            declareMember(PREFIX, i, pool.name, host);
            if (hosts) new DhcpHost(`h${i}`, { network: net.name, mac: mac(i), ip: ip(i), name: `${PREFIX}-d${i}` });
        }
    };
}

/**
 * The same stack (without DhcpHosts) through bench/floor.ts's provider that does nothing: what the
 * program and the emulator cost for these resources before any provider work or libvirt call.
 */
const FLOOR_NAMES = { prefix: PREFIX, pool: POOL, poolDir: POOL_DIR, network: NET, address: `${SUBNET}.1` };

function cleanUp(): void {
    removeTestObjects(PREFIX);
    rmSync(POOL_DIR, { recursive: true, force: true });
}

function libvirtdCpu(): number {
    const pid = readFileSync("/var/lib/pulumi-libvirt-testhost/libvirtd.pid", "utf8").trim();
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

interface Measure {
    seconds: number;
    daemonCpu: number;
    /**
     * CPU seconds of this process meanwhile (for ours: program, emulator and provider; for the
     * scripts: only the waiting). On a shared machine they move less than the wall time.
     */
    ownCpu: number;
    rpcs?: number;
    /** Calls per procedure, when counted. */
    calls?: Map<string, number>;
}

async function measure(fn: () => Promise<unknown>, count = false): Promise<Measure> {
    const cpu = libvirtdCpu();
    if (count) startCountingCalls();
    const own = process.cpuUsage();
    const started = performance.now();
    await fn();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(own);
    const ownCpu = (used.user + used.system) / 1e6;
    if (!count) return { seconds, daemonCpu: libvirtdCpu() - cpu, ownCpu };
    const calls = stopCountingCalls();
    const rpcs = [...calls.values()].reduce((a, b) => a + b, 0);
    return { seconds, daemonCpu: libvirtdCpu() - cpu, ownCpu, rpcs, calls };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
}

function virshScript(p: Plan, op: "create" | "delete", dir: string): void {
    // Retried: the shared test host's libvirtd is killed and restarted now and then (the fault suite).
    const run = (...args: string[]) => {
        for (let attempt = 1; ; attempt++) {
            try {
                execFileSync("virsh", ["-q", "-c", URI, ...args], { stdio: ["ignore", "ignore", "pipe"] });
                return;
            } catch (error) {
                if (attempt >= 3) throw error;
                Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
            }
        }
    };
    const file = (name: string, xml: string) => {
        const path = join(dir, name);
        writeFileSync(path, xml);
        return path;
    };
    if (op === "create") {
        run("pool-define", file("pool.xml", p.pool));
        run("pool-build", POOL);
        run("pool-start", POOL);
        run("net-define", file("net.xml", p.network));
        run("net-start", NET);
        for (const item of p.items) {
            run("vol-create", POOL, file("vol.xml", item.volume));
            run("define", file("dom.xml", item.domain));
            if (item.host) run("net-update", NET, "add-last", "ip-dhcp-host", item.host, "--live", "--config");
        }
    } else {
        for (const item of p.items) {
            run("undefine", item.domainName);
            run("vol-delete", item.volumeName, "--pool", POOL);
            if (item.host) run("net-update", NET, "delete", "ip-dhcp-host", item.host, "--live", "--config");
        }
        run("net-destroy", NET);
        run("net-undefine", NET);
        run("pool-destroy", POOL);
        run("pool-undefine", POOL);
    }
}

interface Result {
    n: number;
    hosts: boolean;
    ours: Record<"create" | "empty up" | "refresh" | "delete", Measure[]>;
    /** The floor (floorProgram): the stacks without DhcpHosts only. */
    floor: Record<"create" | "empty up" | "delete", Measure[]>;
    c: Record<"create" | "delete", Measure[]>;
    virsh: Record<"create" | "delete", Measure[]>;
    /** Under the real engine (when on). */
    engine: Record<EngineOperation, (EngineMeasure & { daemonCpu: number })[]>;
    /** Peak RSS of this process (program, emulator and provider) after this stack's rounds, MB. */
    peakRssMb: number;
}

/** Times `fn` and libvirtd's CPU meanwhile, keeping its result. */
async function timedWithResult<T>(fn: () => Promise<T>): Promise<{ seconds: number; daemonCpu: number; result: T }> {
    const cpu = libvirtdCpu();
    const started = performance.now();
    const result = await fn();
    return { seconds: (performance.now() - started) / 1000, daemonCpu: libvirtdCpu() - cpu, result };
}

async function benchOne(n: number, hosts: boolean, work: string): Promise<Result> {
    const p = plan(n, hosts);
    const planFile = join(work, "plan.json");
    writeFileSync(planFile, JSON.stringify(p));
    const project = join(work, "project");
    mkdirSync(project, { recursive: true });
    linkPackage(project, PROJECT_ROOT);
    const result: Result = {
        n,
        hosts,
        ours: { create: [], "empty up": [], refresh: [], delete: [] },
        floor: { create: [], "empty up": [], delete: [] },
        c: { create: [], delete: [] },
        virsh: { create: [], delete: [] },
        engine: { create: [], "empty up": [], refresh: [], delete: [] },
        peakRssMb: 0,
    };
    for (let round = 0; round < ROUNDS; round++) {
        cleanUp();
        const stateFile = join(work, `state-${round}.json`);
        const engine = () => new EngineEmulator({ stateFile, project: "bench", stack: "bench", cwd: project });
        result.ours.create.push(await measure(() => engine().up(program(n, hosts)), true));
        result.ours["empty up"].push(await measure(() => engine().up(program(n, hosts)), true));
        result.ours.refresh.push(await measure(() => engine().refresh(), true));
        result.ours.delete.push(await measure(() => engine().destroy(), true));
        cleanUp();
        if (!hosts) {
            const floorState = join(work, `floor-${round}.json`);
            const floor = () =>
                new EngineEmulator({ stateFile: floorState, project: "floor", stack: "bench", cwd: project });
            result.floor.create.push(
                await measure(() => floor().up(floorProgram(n, FLOOR_NAMES, loadTestHost())), true),
            );
            result.floor["empty up"].push(
                await measure(() => floor().up(floorProgram(n, FLOOR_NAMES, loadTestHost())), true),
            );
            result.floor.delete.push(await measure(() => floor().destroy(), true));
        }
        if (REAL_ENGINE) {
            const dir = join(work, `engine-${n}-${hosts}-${round}`);
            mkdirSync(dir, { recursive: true });
            linkPackage(dir, PROJECT_ROOT);
            const declare = program(n, hosts);
            const measured = await runUnderEngine(dir, async () => declare(), timedWithResult);
            for (const op of Object.keys(measured) as EngineOperation[]) result.engine[op].push(measured[op]);
            cleanUp();
        }
        const py = (op: string) => async () => {
            execFileSync(SYSTEM_PYTHON, [join(PROJECT_ROOT, "bench", "stack_c_client.py"), op, planFile]);
        };
        result.c.create.push(await measure(py("create")));
        result.c.delete.push(await measure(py("delete")));
        cleanUp();
        result.virsh.create.push(await measure(async () => virshScript(p, "create", work)));
        result.virsh.delete.push(await measure(async () => virshScript(p, "delete", work)));
        cleanUp();
    }
    result.peakRssMb = process.resourceUsage().maxRSS / 1024;
    return result;
}

function row(cells: string[], widths: number[]): string {
    return cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
}

async function main(): Promise<void> {
    const work = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
    const results: Result[] = [];
    const loadBefore = loadavg();
    const startedAt = new Date();
    try {
        for (const n of SIZES) {
            for (const hosts of DHCP_STACKS) {
                process.stderr.write(`bench:stack N=${n}${hosts ? " with DhcpHosts" : ""}...\n`);
                results.push(await benchOne(n, hosts, work));
            }
        }
    } finally {
        cleanUp();
        await defaultPool.closeAll();
        rmSync(work, { recursive: true, force: true });
    }
    const loadAfter = loadavg();
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
    console.log(
        `\nbench:stack ${startedAt.toISOString()} to ${new Date().toISOString()}, load average ${load(loadBefore)} before, ${load(loadAfter)} after`,
    );
    const widths = [22, 10, 10, 10, 9, 10, 11, 13, 10];
    console.log(
        `${ROUNDS} round(s), medians; ours CPU: seconds of this process (program, emulator, provider); libvirtd CPU in seconds; RPCs per resource; peak RSS of this process so far`,
    );
    console.log(
        row(
            [
                "stack / operation",
                "ours s",
                "C s",
                "virsh s",
                "ours/C",
                "ours CPU",
                "RPCs/res",
                "libvirtd CPU",
                "RSS MB",
            ],
            widths,
        ),
    );
    for (const r of results) {
        const resources = r.n * (r.hosts ? 3 : 2) + 2;
        const label = `N=${r.n}${r.hosts ? " +dhcp" : ""}`;
        for (const op of ["create", "empty up", "refresh", "delete"] as const) {
            const ours = median(r.ours[op].map((m) => m.seconds));
            const rpcs = median(r.ours[op].map((m) => m.rpcs ?? 0)) / resources;
            const cpu = median(r.ours[op].map((m) => m.daemonCpu));
            const ownCpu = median(r.ours[op].map((m) => m.ownCpu));
            const c = op === "create" || op === "delete" ? median(r.c[op].map((m) => m.seconds)) : undefined;
            const v = op === "create" || op === "delete" ? median(r.virsh[op].map((m) => m.seconds)) : undefined;
            console.log(
                row(
                    [
                        `${label} ${op}`,
                        ours.toFixed(2),
                        c?.toFixed(2) ?? "-",
                        v?.toFixed(2) ?? "-",
                        c ? `${(ours / c).toFixed(2)}x` : "-",
                        ownCpu.toFixed(2),
                        rpcs.toFixed(2),
                        cpu.toFixed(2),
                        r.peakRssMb.toFixed(0),
                    ],
                    widths,
                ),
            );
        }
        for (const op of ["create", "empty up", "delete"] as const) {
            if (r.floor[op].length === 0) continue;
            const floor = median(r.floor[op].map((m) => m.seconds));
            const c = op === "empty up" ? undefined : median(r.c[op].map((m) => m.seconds));
            console.log(
                row(
                    [
                        `${label} floor ${op}`,
                        floor.toFixed(2),
                        c?.toFixed(2) ?? "-",
                        "-",
                        c ? `${(floor / c).toFixed(2)}x` : "-",
                        median(r.floor[op].map((m) => m.ownCpu)).toFixed(2),
                        (median(r.floor[op].map((m) => m.rpcs ?? 0)) / resources).toFixed(2),
                        median(r.floor[op].map((m) => m.daemonCpu)).toFixed(2),
                        r.peakRssMb.toFixed(0),
                    ],
                    widths,
                ),
            );
        }
    }
    console.log(
        "floor rows: the same declarations through a provider that does nothing (bench/floor.ts): the program and the emulator alone",
    );
    if (REAL_ENGINE) printEngineTable(results);
    if (quick) {
        console.log("\nour calls per procedure (last round)");
        for (const r of results) {
            for (const op of ["create", "empty up", "refresh", "delete"] as const) {
                const calls = [...(r.ours[op].at(-1)?.calls ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
                const list = calls.map(([name, n]) => `${name} ${n}`).join(", ");
                console.log(`N=${r.n}${r.hosts ? " +dhcp" : ""} ${op}: ${list || "none"}`);
            }
        }
    }
    console.log(
        `peak RSS of this process (program, emulator and provider): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
}

/** The rows under the real engine, and the engine targets at the largest stack with DhcpHosts. */
function printEngineTable(results: readonly Result[]): void {
    const widths = [22, 10, 10, 9, 13, 18];
    console.log("\nunder the real Pulumi engine (Automation API, the test host's CLI; medians)");
    console.log(row(["stack / operation", "wall s", "engine s", "ours/C", "libvirtd CPU", "provider peak MB"], widths));
    for (const r of results) {
        const label = `N=${r.n}${r.hosts ? " +dhcp" : ""}`;
        for (const op of ["create", "empty up", "refresh", "delete"] as const) {
            const ms = r.engine[op];
            if (ms.length === 0) continue;
            const wall = median(ms.map((m) => m.seconds));
            const c = op === "create" || op === "delete" ? median(r.c[op].map((m) => m.seconds)) : undefined;
            console.log(
                row(
                    [
                        `${label} ${op}`,
                        wall.toFixed(2),
                        median(ms.map((m) => m.engineSeconds)).toFixed(2),
                        c ? `${(wall / c).toFixed(2)}x` : "-",
                        median(ms.map((m) => m.daemonCpu)).toFixed(2),
                        Math.max(...ms.map((m) => m.providerPeakMb)).toFixed(0),
                    ],
                    widths,
                ),
            );
        }
    }
    const largest = results.filter((r) => r.hosts).at(-1);
    if (largest === undefined || largest.engine["empty up"].length === 0) return;
    const resources = largest.n * 3 + 2;
    const emptyUp = median(largest.engine["empty up"].map((m) => m.engineSeconds));
    const peak = Math.max(...Object.values(largest.engine).flatMap((ms) => ms.map((m) => m.providerPeakMb)));
    console.log(
        `targets at ${resources} resources: empty up ${emptyUp.toFixed(2)} s of engine time (<= 1.5 s: ${emptyUp <= 1.5 ? "met" : "MISSED"}); ` +
            `provider peak RSS ${peak.toFixed(0)} MB (<= 200 MB: ${peak <= 200 ? "met" : "MISSED"})`,
    );
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
