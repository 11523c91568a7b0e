/**
 * `npm run bench:define-validate`: what libvirt's schema check (VIR_DOMAIN_DEFINE_VALIDATE) costs a
 * domain define, the reason the provider defines domains without it (DOMAIN_DEFINE_FLAGS in
 * provider/resources/domain/libvirt.ts). COUNT small domains like bench:stack's members are
 * defined one after another with the check and without, alternating, ROUNDS times; the table shows
 * the wall time and libvirtd's CPU seconds per define, medians of the rounds.
 *
 *   BENCH_COUNT (100)  defines per batch
 *   BENCH_ROUNDS (3)   batches of each kind
 *
 * Domains are named pltest-bdefine-* and undefined after each batch (and before, if left by a crash).
 */
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { defaultPool } from "../provider/rpc";
import { VirDomainDefineFlags } from "../provider/rpc/generated";
import { DOMAIN_DEFINE_FLAGS } from "../provider/resources/domain/libvirt";
import { loadTestHost } from "../test/helpers/test-host";
import { removeTestObjects } from "../test/helpers/virsh";

const PREFIX = "pltest-bdefine";
const URI = "qemu:///system";
const COUNT = Number(process.env.BENCH_COUNT ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function libvirtdCpu(): number {
    const pid = readFileSync("/var/lib/pulumi-libvirt-testhost/libvirtd.pid", "utf8").trim();
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function domainXml(i: number, kernel: string, initrd: string): string {
    return `<domain type='qemu'><name>${PREFIX}-${i}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><kernel>${kernel}</kernel><initrd>${initrd}</initrd></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='/var/lib/libvirt/${PREFIX}-${i}.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>`;
}

interface Batch {
    seconds: number;
    daemonCpu: number;
}

async function batch(flags: number): Promise<Batch> {
    const host = loadTestHost();
    const client = await defaultPool.get(URI);
    const cpu = libvirtdCpu();
    const started = performance.now();
    const doms = [];
    for (let i = 0; i < COUNT; i++) {
        doms.push(
            (await client.domainDefineXmlFlags({ xml: domainXml(i, host.guestKernel, host.guestInitrd), flags })).dom,
        );
    }
    const result = { seconds: (performance.now() - started) / 1000, daemonCpu: libvirtdCpu() - cpu };
    for (const dom of doms) await client.domainUndefine({ dom });
    return result;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
    removeTestObjects(PREFIX);
    const load = [loadavg()[0]!];
    const kinds = [
        { what: "without the schema check (the provider)", flags: DOMAIN_DEFINE_FLAGS, batches: [] as Batch[] },
        {
            what: "VIR_DOMAIN_DEFINE_VALIDATE",
            flags: VirDomainDefineFlags.VIR_DOMAIN_DEFINE_VALIDATE,
            batches: [] as Batch[],
        },
    ];
    try {
        for (let round = 0; round < ROUNDS; round++) {
            for (const kind of kinds) kind.batches.push(await batch(kind.flags));
        }
    } finally {
        removeTestObjects(PREFIX);
        await defaultPool.closeAll();
    }
    load.push(loadavg()[0]!);
    console.log(
        `domain defines, ${COUNT} per batch, ${ROUNDS} rounds alternating, load ${load.map((l) => l.toFixed(1)).join(" -> ")}`,
    );
    console.log("| define flags | wall per define | libvirtd CPU per define |");
    console.log("|---|---|---|");
    for (const kind of kinds) {
        const wall = median(kind.batches.map((b) => b.seconds)) / COUNT;
        const cpu = median(kind.batches.map((b) => b.daemonCpu)) / COUNT;
        console.log(`| ${kind.what} | ${(wall * 1000).toFixed(1)} ms | ${(cpu * 1000).toFixed(1)} ms |`);
    }
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
