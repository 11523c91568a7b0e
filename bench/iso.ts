/**
 * `npm run bench:iso`: how long the NoCloud seed writer takes for a 1 MiB user-data, next to
 * genisoimage (the tool cloud-localds runs) making the same image from files, when it is installed.
 *
 * Rows: the bare ISO writer; the whole seed (documents, instance-id hash, image, sha256) from a
 * 1 MiB string and from an object rendered as about 1 MiB of #cloud-config YAML; the checks
 * (a YAML parse) of that #cloud-config. Each row runs WARMUP times unmeasured, then RUNS times.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { writeIsoImage } from "../provider/cloudinit/iso9660";
import { buildNoCloudSeed } from "../provider/cloudinit/seed";
import { checkNoCloudSeed } from "../provider/cloudinit/seed-checks";

const MIB = 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);

/** A #cloud-config of about `bytes` bytes: write_files entries of 1 KiB text each. */
function largeCloudConfig(bytes: number): { write_files: { path: string; content: string }[] } {
    const line = `${"x".repeat(63)}\n`;
    const content = line.repeat(16);
    const count = Math.ceil(bytes / (content.length + 60));
    return {
        write_files: Array.from({ length: count }, (_, i) => ({ path: `/var/lib/bench/file-${i}.txt`, content })),
    };
}

interface Row {
    what: string;
    times: number[];
}

function measure(what: string, run: () => unknown, runs = RUNS, warmup = WARMUP): Row {
    for (let i = 0; i < warmup; i++) run();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        run();
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return { what, times };
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function printTable(rows: Row[], payloadBytes: number): void {
    const header = ["what (1 MiB user-data)", "runs", "median ms", "p95 ms", "MiB/s (median)"];
    const cells = rows.map(({ what, times }) => {
        const sorted = [...times].sort((a, b) => a - b);
        const median = percentile(sorted, 50);
        return [
            what,
            String(times.length),
            median.toFixed(2),
            percentile(sorted, 95).toFixed(2),
            (payloadBytes / MIB / (median / 1000)).toFixed(0),
        ];
    });
    const all = [header, ...cells];
    const widths = header.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
    const line = (c: string[]) =>
        `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(" | ")} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const c of cells) console.log(line(c));
}

function genisoimageRow(userData: Buffer, metaData: Buffer): Row | undefined {
    try {
        execFileSync("genisoimage", ["-version"], { stdio: "ignore" });
    } catch {
        console.log("(genisoimage is not installed: no reference row; apt-get install genisoimage)");
        return undefined;
    }
    const dir = mkdtempSync(join(tmpdir(), "pltest-bench-iso-"));
    try {
        writeFileSync(join(dir, "user-data"), userData);
        writeFileSync(join(dir, "meta-data"), metaData);
        const args = [
            "-quiet",
            "-output",
            join(dir, "seed.iso"),
            "-volid",
            "cidata",
            "-joliet",
            "-rock",
            join(dir, "user-data"),
            join(dir, "meta-data"),
        ];
        // A process per image: fewer runs, as the spawn dominates.
        return measure(
            "genisoimage -joliet -rock (process, files on disk)",
            () => execFileSync("genisoimage", args),
            Math.min(RUNS, 20),
            2,
        );
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

function main(): void {
    const userDataText = `#cloud-config\n# ${"y".repeat(MIB - 20)}\n`;
    const userData = Buffer.from(userDataText);
    const metaData = Buffer.from("instance-id: iid-bench\nlocal-hostname: bench\n");
    const objectUserData = largeCloudConfig(MIB);
    const objectBytes = Buffer.byteLength(buildNoCloudSeed({ userData: objectUserData }).documents["user-data"]!);

    console.log(
        `ISO writer benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}`,
    );
    console.log(
        `user-data: ${(userData.length / MIB).toFixed(2)} MiB string; object form renders ${(objectBytes / MIB).toFixed(2)} MiB of YAML\n`,
    );
    const rows: Row[] = [
        measure("writeIsoImage (user-data + meta-data)", () =>
            writeIsoImage({
                volumeId: "cidata",
                files: [
                    { name: "user-data", data: userData },
                    { name: "meta-data", data: metaData },
                ],
            }),
        ),
        measure("buildNoCloudSeed, string user-data", () =>
            buildNoCloudSeed({ userData: userDataText, metaData: { "local-hostname": "bench" } }),
        ),
        measure("buildNoCloudSeed, object user-data (YAML)", () =>
            buildNoCloudSeed({ userData: objectUserData, metaData: { "local-hostname": "bench" } }),
        ),
        measure("checkNoCloudSeed, object user-data (YAML)", () => checkNoCloudSeed({ userData: objectUserData })),
    ];
    const reference = genisoimageRow(userData, metaData);
    if (reference) rows.push(reference);
    printTable(rows, MIB);
}

main();
