/**
 * Independent readers of ISO 9660 images for the writer's tests: isoinfo (genisoimage), xorriso
 * and blkid. A missing tool fails the test saying which package to install.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PACKAGE_OF: Record<string, string> = { isoinfo: "genisoimage", xorriso: "xorriso", blkid: "util-linux" };

/** Runs a reader; stdout and stderr together (xorriso reports on stderr). */
export function runTool(tool: "isoinfo" | "xorriso" | "blkid", args: readonly string[]): string {
    try {
        return execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
    } catch (error) {
        const e = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
        if (e.code === "ENOENT") {
            throw new Error(
                `${tool} is not installed: apt-get install ${PACKAGE_OF[tool]} (scripts/setup-test-host.sh installs it)`,
            );
        }
        throw new Error(`${tool} ${args.join(" ")} failed: ${e.stderr ?? ""}${e.stdout ?? ""}`);
    }
}

/** xorriso with its report (stderr) captured too, to check it complains about nothing. */
export function runXorriso(args: readonly string[]): { stdout: string; report: string } {
    const r = spawnSync("xorriso", args, { encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new Error("xorriso is not installed: apt-get install xorriso (scripts/setup-test-host.sh installs it)");
    }
    if (r.status !== 0) throw new Error(`xorriso ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return { stdout: r.stdout, report: r.stderr };
}

/** A temporary folder holding the image as `seed.iso`; removed by the returned cleanup. */
export function imageFile(image: Buffer): { dir: string; path: string; cleanup: () => void } {
    const dir = mkdtempSync(join(tmpdir(), "pltest-iso-"));
    const path = join(dir, "seed.iso");
    writeFileSync(path, image);
    return { dir, path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
