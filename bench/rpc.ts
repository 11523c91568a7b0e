/**
 * `npm run bench:rpc`: this client against libvirt's C client (python3-libvirt) and virsh, in one
 * run, printed side by side. Targets come from the RPC-client issue:
 *   - sequential latency (lookup-by-name + get-XML) at most 1.0x the C client's;
 *   - with 16 and 64 calls in flight, at least 4x the C client's sequential throughput;
 *   - volume upload at least 0.9x `virsh vol-upload`.
 * Every object it creates is named pltest-bench-* and removed at the end.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { randomFillSync } from "node:crypto";
import { connect, type LibvirtClient } from "../provider/rpc";
import { VirStoragePoolBuildFlags } from "../provider/rpc/generated";
import { removeTestObjects } from "../test/helpers/virsh";

const PREFIX = "pltest-bench-";
const URI = "qemu:///system";
const DOMAIN = `${PREFIX}dom`;
const SEQUENTIAL_CALLS = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
/**
 * Operations each side runs before it is measured: enough for V8 to have optimised the call path
 * (after 50 it still runs partly unoptimised code), so both sides are compared in steady state.
 */
const WARMUP_CALLS = Number(process.env.BENCH_WARMUP ?? 2000);
/** The sequential runs alternate between the two clients this many times, so drift favours neither. */
const SEQUENTIAL_ROUNDS = 3;
const VIRSH_CALLS = Number(process.env.BENCH_VIRSH ?? 40);
const PARALLEL_OPS = Number(process.env.BENCH_PARALLEL_OPS ?? 4000);
const UPLOAD_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 256);
/** Each side uploads this many times, alternating, and keeps its best: the disk and page cache make single runs noisy. */
const UPLOAD_ROUNDS = 5;
const MIB = 1024 * 1024;
/** The C client is libvirt's own Python binding on Debian's python, not whatever python3 is on PATH. */
const SYSTEM_PYTHON = "/usr/bin/python3";
/** The kernel's USER_HZ, the unit of /proc/PID/stat times; 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

interface Row {
    readonly what: string;
    readonly ours: string;
    readonly cClient: string;
    readonly virsh: string;
    readonly ratio: string;
    readonly target: string;
    readonly met: boolean | undefined;
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function stats(latenciesUs: number[]) {
    const sorted = [...latenciesUs].sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    return { median: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
}

const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;

async function oursSequential(client: LibvirtClient): Promise<number[]> {
    for (let i = 0; i < WARMUP_CALLS; i++) await lookupAndXml(client);
    const out: number[] = [];
    for (let i = 0; i < SEQUENTIAL_CALLS; i++) {
        const start = process.hrtime.bigint();
        await lookupAndXml(client);
        out.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    return out;
}

async function lookupAndXml(client: LibvirtClient): Promise<void> {
    const { dom } = await client.domainLookupByName({ name: DOMAIN });
    await client.domainGetXmlDesc({ dom });
}

/** CPU seconds libvirtd has used so far (utime + stime from /proc), to show who the bottleneck is. */
function daemonCpuSeconds(): number {
    const pid = execFileSync("pgrep", ["-o", "-x", "libvirtd"], { encoding: "utf8" }).trim();
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // Fields 14 and 15 of /proc/PID/stat (utime, stime) are the 12th and 13th after the command name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Operations per second with `inFlight` lookup+XML operations running at all times, and the cores each side used. */
async function oursThroughput(
    client: LibvirtClient,
    inFlight: number,
): Promise<{ opsPerSecond: number; daemonCores: number; clientCores: number }> {
    let started = 0;
    const daemonBefore = daemonCpuSeconds();
    const clientBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    const worker = async () => {
        while (started < PARALLEL_OPS) {
            started++;
            await lookupAndXml(client);
        }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const clientCpu = process.cpuUsage(clientBefore);
    return {
        opsPerSecond: PARALLEL_OPS / seconds,
        daemonCores: (daemonCpuSeconds() - daemonBefore) / seconds,
        clientCores: (clientCpu.user + clientCpu.system) / 1e6 / seconds,
    };
}

function cClientSequential(): number[] {
    const out = execFileSync(
        SYSTEM_PYTHON,
        [join(__dirname, "../../bench/c_client.py"), URI, DOMAIN, String(SEQUENTIAL_CALLS), String(WARMUP_CALLS)],
        {
            encoding: "utf8",
            maxBuffer: 64 * MIB,
        },
    );
    return (JSON.parse(out) as { latenciesUs: number[] }).latenciesUs;
}

function virshSequential(): number[] {
    const out: number[] = [];
    for (let i = 0; i < VIRSH_CALLS; i++) {
        const start = process.hrtime.bigint();
        // One process per call, as scripts and other tools drive virsh: dumpxml is lookup + get-XML.
        execFileSync("virsh", ["-q", "-c", URI, "dumpxml", DOMAIN], { stdio: ["ignore", "ignore", "inherit"] });
        out.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    return out;
}

async function uploads(client: LibvirtClient, workDir: string): Promise<{ ours: number; virsh: number }> {
    const poolName = `${PREFIX}pool`;
    const { pool } = await client.storagePoolDefineXml({
        xml: `<pool type='dir'><name>${poolName}</name><target><path>${join(workDir, "pool")}</path></target></pool>`,
    });
    await client.storagePoolBuild({ pool, flags: VirStoragePoolBuildFlags.VIR_STORAGE_POOL_BUILD_NEW });
    await client.storagePoolCreate({ pool });

    const source = join(workDir, "source.raw");
    const block = Buffer.alloc(MIB);
    writeFileSync(source, "");
    for (let i = 0; i < UPLOAD_MIB; i++) {
        randomFillSync(block);
        writeFileSync(source, block, { flag: "a" });
    }
    const size = statSync(source).size;
    const volume = async (name: string) =>
        (
            await client.storageVolCreateXml({
                pool,
                xml: `<volume><name>${name}</name><capacity unit='bytes'>${size}</capacity><allocation>0</allocation><target><format type='raw'/></target></volume>`,
            })
        ).vol;

    let bestOurs = 0;
    let bestVirsh = 0;
    // Alternate the two so that page-cache and disk state favour neither; keep each one's best.
    for (let round = 0; round < UPLOAD_ROUNDS; round++) {
        const oursVol = await volume(`${PREFIX}ours-${round}.raw`);
        let start = process.hrtime.bigint();
        await client.uploadFile(oursVol, source);
        bestOurs = Math.max(bestOurs, size / MIB / (Number(process.hrtime.bigint() - start) / 1e9));
        await client.storageVolDelete({ vol: oursVol });

        const virshName = `${PREFIX}virsh-${round}.raw`;
        const virshVol = await volume(virshName);
        start = process.hrtime.bigint();
        execFileSync("virsh", ["-q", "-c", URI, "vol-upload", virshName, source, "--pool", poolName], {
            stdio: "inherit",
        });
        bestVirsh = Math.max(bestVirsh, size / MIB / (Number(process.hrtime.bigint() - start) / 1e9));
        await client.storageVolDelete({ vol: virshVol });
    }
    return { ours: bestOurs, virsh: bestVirsh };
}

function printTable(rows: Row[]): void {
    const header: Row = {
        what: "measurement",
        ours: "pulumi-libvirt",
        cClient: "C client (python3-libvirt)",
        virsh: "virsh",
        ratio: "ratio",
        target: "target",
        met: undefined,
    };
    const cells = (r: Row) => [
        r.what,
        r.ours,
        r.cClient,
        r.virsh,
        r.ratio,
        r.target,
        r.met === undefined ? "" : r.met ? "met" : "MISSED",
    ];
    const all = [header, ...rows].map(cells);
    const widths = all[0]!.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
    const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
    console.log(line(all[0]!));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const c of all.slice(1)) console.log(line(c));
}

async function main(): Promise<void> {
    removeTestObjects(PREFIX);
    const workDir = mkdtempSync(join(tmpdir(), PREFIX));
    const client = await connect(URI);
    try {
        await client.domainDefineXmlFlags({
            xml: `<domain type='qemu'><name>${DOMAIN}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`,
        });
        console.log(
            `libvirt ${client.session.libVersion}, ${URI} (UNIX socket); ${SEQUENTIAL_ROUNDS} x ${SEQUENTIAL_CALLS} sequential round trips each (after ${WARMUP_CALLS} unmeasured), ` +
                `${VIRSH_CALLS} virsh processes, ${PARALLEL_OPS} operations per throughput run, ${UPLOAD_MIB} MiB upload (best of ${UPLOAD_ROUNDS})\n`,
        );
        const oursLatencies: number[] = [];
        const cLatencies: number[] = [];
        for (let round = 0; round < SEQUENTIAL_ROUNDS; round++) {
            oursLatencies.push(...(await oursSequential(client)));
            cLatencies.push(...cClientSequential());
        }
        const ours = stats(oursLatencies);
        const c = stats(cLatencies);
        const v = stats(virshSequential());
        const cSequentialOps = 1e6 / c.mean;
        const t16 = await oursThroughput(client, 16);
        const t64 = await oursThroughput(client, 64);
        const up = await uploads(client, workDir);

        /** Our sequential latency at one statistic against the C client's: met at or below it. */
        const latencyRow = (stat: "median" | "p99"): Row => ({
            what: `lookup+XML sequential, ${stat}`,
            ours: ms(ours[stat]),
            cClient: ms(c[stat]),
            virsh: ms(v[stat]),
            ratio: `${(ours[stat] / c[stat]).toFixed(2)}x C`,
            target: "<= 1.0x C",
            met: ours[stat] <= c[stat],
        });
        /** Our throughput with `inFlight` calls pipelined against the C client's sequential rate: met at 4x. */
        const throughputRow = (inFlight: number, opsPerSecond: number, virsh: string): Row => ({
            what: `throughput, ${inFlight} in flight`,
            ours: `${opsPerSecond.toFixed(0)} ops/s`,
            cClient: `${cSequentialOps.toFixed(0)} ops/s (sequential)`,
            virsh,
            ratio: `${(opsPerSecond / cSequentialOps).toFixed(2)}x C`,
            target: ">= 4x C sequential",
            met: opsPerSecond >= 4 * cSequentialOps,
        });

        const rows: Row[] = [
            latencyRow("median"),
            latencyRow("p99"),
            throughputRow(16, t16.opsPerSecond, `${(1e6 / v.mean).toFixed(0)} ops/s`),
            throughputRow(64, t64.opsPerSecond, ""),
            {
                what: `upload ${UPLOAD_MIB} MiB volume`,
                ours: `${up.ours.toFixed(0)} MiB/s`,
                cClient: "",
                virsh: `${up.virsh.toFixed(0)} MiB/s (vol-upload)`,
                ratio: `${(up.ours / up.virsh).toFixed(2)}x virsh`,
                target: ">= 0.9x virsh",
                met: up.ours >= 0.9 * up.virsh,
            },
        ];
        printTable(rows);
        const cores = (t: { daemonCores: number; clientCores: number }) =>
            `libvirtd ${t.daemonCores.toFixed(2)} cores, this client ${t.clientCores.toFixed(2)} cores`;
        console.log(`\nCPU during the throughput runs (this machine has ${availableParallelism()} cores):`);
        console.log(`  16 in flight: ${cores(t16)}`);
        console.log(`  64 in flight: ${cores(t64)}`);
        mkdirSync(join(__dirname, "../../bench/results"), { recursive: true });
        writeFileSync(
            join(__dirname, "../../bench/results/rpc.json"),
            `${JSON.stringify({ date: new Date().toISOString(), rows, cpu: { t16, t64 } }, null, 2)}\n`,
        );
    } finally {
        await client.close();
        removeTestObjects(PREFIX);
        rmSync(workDir, { recursive: true, force: true });
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
