/**
 * `npm run bench:inuse-deletes`: RPCs per Volume delete when the host holds many domains that are
 * not ours (the in-use check of a delete must look at every domain of the host). Defines
 * BENCH_FOREIGN domains (defined, never started, each with a file disk that is no volume), creates
 * BENCH_N volumes through the provider and deletes them three ways: one after another (every
 * delete checks alone), in waves of 5 (what a destroy's staggered deletes look like) and all at
 * once. Prints the calls per delete (all of them, and those of the domain side of the in-use
 * check: domain listings, statistics and XML reads), the calls by procedure and the wall time.
 * The host is shared: the domains and volumes other work holds count too (printed per round).
 *
 *   BENCH_FOREIGN=200 BENCH_N=20 BENCH_ROUNDS=3   the defaults
 *   BENCH_FOREIGN_DISK=volume                     the foreign domains' disks given as pool/volume
 *                                                 (libvirt reports no path for those while the
 *                                                 domain is not running: each check reads them)
 *   BENCH_OTHER_DIST=<dist folder>                also runs another build's provider (e.g. main's
 *                                                 before this change), alternating with this one
 *
 * Every object is named pltest-binuse-* and removed at the end (and before, if left by a crash).
 */
import { mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { loadTestHost } from "../test/helpers/test-host";
import { removeTestObjects, virsh } from "../test/helpers/virsh";

const PREFIX = "pltest-binuse";
const POOL = `${PREFIX}-pool`;
const POOL_DIR = `/var/lib/libvirt/${POOL}`;
const FOREIGN = Number(process.env.BENCH_FOREIGN ?? 200);
const N = Number(process.env.BENCH_N ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OTHER = process.env.BENCH_OTHER_DIST;
const FOREIGN_DISK = process.env.BENCH_FOREIGN_DISK === "volume" ? "volume" : "file";

type Props = Record<string, unknown>;
interface Build {
    label: string;
    handler: {
        check(olds: Props, news: Props): Promise<{ inputs?: Props; failures?: unknown[] }>;
        create(inputs: Props): Promise<{ id: string; outs?: Props }>;
        delete(id: string, outs: Props): Promise<void>;
    };
    rpc: {
        startCountingCalls(): Map<string, number>;
        stopCountingCalls(): Map<string, number>;
        connect(uri: string): Promise<BenchClient>;
        defaultPool: { closeAll(): Promise<void> };
    };
}
interface BenchClient {
    domainDefineXml(args: { xml: string }): Promise<{ dom: unknown }>;
    domainUndefine(args: { dom: unknown }): Promise<void>;
    close(): Promise<void>;
}

function load(label: string, root: string): Build {
    return {
        label,
        handler: require(join(root, "provider/resources/volume/handler.js")).volumeHandler,
        rpc: require(join(root, "provider/rpc/index.js")),
    };
}

function foreignXml(i: number): string {
    const disk =
        FOREIGN_DISK === "volume"
            ? `<disk type='volume' device='disk'><source pool='${POOL}' volume='${PREFIX}-f${i}.img'/>`
            : `<disk type='file' device='disk'><source file='/var/lib/libvirt/${PREFIX}-foreign/f${i}.img'/>`;
    return (
        `<domain type='qemu'><name>${PREFIX}-f${i}</name><memory unit='MiB'>64</memory>` +
        `<os><type arch='x86_64'>hvm</type></os><devices>${disk}<target dev='vda' bus='virtio'/></disk></devices></domain>`
    );
}

type Mode = "one after another" | "waves of 5" | "all at once";
const MODES: Mode[] = ["one after another", "waves of 5", "all at once"];

async function deleteAll(build: Build, states: { id: string; outs: Props }[], mode: Mode): Promise<void> {
    const size = mode === "one after another" ? 1 : mode === "waves of 5" ? 5 : states.length;
    for (let i = 0; i < states.length; i += size) {
        await Promise.all(states.slice(i, i + size).map((s) => build.handler.delete(s.id, s.outs)));
    }
}

/** The calls that look at domains (the rest: the volume's own calls and the scan of backing images). */
const DOMAIN_CALLS = ["CONNECT_GET_ALL_DOMAIN_STATS", "CONNECT_LIST_ALL_DOMAINS", "DOMAIN_GET_XML_DESC"];

/** Domains and volumes on the host now, as virsh counts them. */
function hostObjects(): string {
    const lines = (args: string[]) =>
        virsh(args)
            .split("\n")
            .filter((l) => l.trim()).length;
    const pools = virsh(["pool-list", "--name"])
        .split("\n")
        .filter((l) => l.trim());
    const volumes = pools.reduce((n, pool) => n + lines(["vol-list", pool.trim()]), 0);
    return `${lines(["list", "--all", "--name"])} domains, ${volumes} volumes`;
}

interface RoundResult {
    perDelete: number;
    domainPerDelete: number;
    seconds: number;
    calls: Props;
}

async function round(build: Build, mode: Mode): Promise<RoundResult> {
    const states: { id: string; outs: Props }[] = [];
    for (let i = 0; i < N; i++) {
        const news = { namePrefix: `v${i}`, name: `${PREFIX}-v${i}.img`, pool: POOL, capacity: "64K" };
        const checked = await build.handler.check({}, news);
        const created = await build.handler.create(checked.inputs as Props);
        states.push({ id: created.id, outs: created.outs ?? {} });
    }
    build.rpc.startCountingCalls();
    const started = performance.now();
    let counts: Map<string, number>;
    try {
        await deleteAll(build, states, mode);
    } finally {
        counts = build.rpc.stopCountingCalls();
    }
    const seconds = (performance.now() - started) / 1000;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const domainCalls = DOMAIN_CALLS.reduce((n, name) => n + (counts.get(name) ?? 0), 0);
    return {
        perDelete: total / N,
        domainPerDelete: domainCalls / N,
        seconds,
        calls: Object.fromEntries([...counts].sort()),
    };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
    const host = loadTestHost();
    const builds = [load("this build", resolve(__dirname, ".."))];
    if (OTHER) builds.push(load(OTHER, resolve(OTHER)));
    removeTestObjects(PREFIX);
    rmSync(POOL_DIR, { recursive: true, force: true });
    mkdirSync(POOL_DIR, { recursive: true });
    virsh(["pool-create-as", POOL, "dir", "--target", POOL_DIR]);
    const client = await builds[0]!.rpc.connect(host.unixUri);
    const doms: unknown[] = [];
    const results = new Map<string, RoundResult[]>();
    const loads: number[] = [];
    try {
        for (let i = 0; i < FOREIGN; i += 20) {
            const batch = Array.from({ length: Math.min(20, FOREIGN - i) }, (_, j) =>
                client.domainDefineXml({ xml: foreignXml(i + j) }),
            );
            doms.push(...(await Promise.all(batch)).map((r) => r.dom));
        }
        for (let r = 0; r < ROUNDS; r++) {
            for (const mode of MODES) {
                for (const build of r % 2 === 0 ? builds : [...builds].reverse()) {
                    loads.push(loadavg()[0]!);
                    const host = hostObjects();
                    const result = await round(build, mode);
                    const key = `${build.label} | ${mode}`;
                    results.set(key, [...(results.get(key) ?? []), result]);
                    console.log(
                        `round ${r + 1}, ${key} (${host} on the host): ${result.perDelete.toFixed(2)} calls per delete, ` +
                            `${result.domainPerDelete.toFixed(2)} of them for domains, ${result.seconds.toFixed(2)} s ${JSON.stringify(result.calls)}`,
                    );
                }
            }
        }
    } finally {
        for (let i = 0; i < doms.length; i += 20) {
            await Promise.all(doms.slice(i, i + 20).map((dom) => client.domainUndefine({ dom }).catch(() => {})));
        }
        await client.close();
        removeTestObjects(PREFIX);
        rmSync(POOL_DIR, { recursive: true, force: true });
        for (const build of builds) await build.rpc.defaultPool.closeAll();
    }
    console.log(
        `${N} Volume deletes with ${FOREIGN} foreign domains (${FOREIGN_DISK} disks) on the host, ${ROUNDS} rounds, load ${loads.map((l) => l.toFixed(1)).join(" ")}`,
    );
    for (const [key, rounds] of results) {
        const of = (f: (r: RoundResult) => number) => rounds.map(f);
        console.log(
            `  ${key}: ${median(of((r) => r.perDelete)).toFixed(2)} calls per delete, ` +
                `${median(of((r) => r.domainPerDelete)).toFixed(2)} for domains, ` +
                `${median(of((r) => r.seconds)).toFixed(2)} s (${of((r) => r.seconds)
                    .map((s) => s.toFixed(2))
                    .join(", ")})`,
        );
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
