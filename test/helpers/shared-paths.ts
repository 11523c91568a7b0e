/**
 * Locates the project root (the nearest folder above this file holding package.json) and the
 * read-only reference folder beside it, `../shared`, so tests work from the source and from dist.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function findProjectRoot(start: string): string {
    let folder = start;
    while (!existsSync(join(folder, "package.json"))) {
        const parent = dirname(folder);
        if (parent === folder) throw new Error(`no package.json above ${start}`);
        folder = parent;
    }
    return folder;
}

/** The repository root. */
export const PROJECT_ROOT = findProjectRoot(__dirname);
/** The shared reference folder (libvirt docs, schemas, corpus). */
export const SHARED_ROOT = join(PROJECT_ROOT, "..", "shared");
/** libvirt's own test XML. */
export const CORPUS_ROOT = join(SHARED_ROOT, "corpus");
/** libvirt's RelaxNG schemas. */
export const SCHEMAS_ROOT = join(SHARED_ROOT, "libvirt-schemas");

/** Reads a file of the corpus by its path relative to the corpus folder. */
export function readCorpusFile(relativePath: string): string {
    return readFileSync(join(CORPUS_ROOT, relativePath), "utf8");
}

/** The corpus paths libvirtd 9.0 accepted (accepted.txt), one per entry. */
export function acceptedCorpusPaths(): string[] {
    return readFileSync(join(CORPUS_ROOT, "accepted.txt"), "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "");
}

/** The rows of net-update-cases.tsv, as records keyed by the header's column names. */
export function netUpdateCases(): Record<string, string>[] {
    const [header, ...rows] = readFileSync(join(CORPUS_ROOT, "net-update-cases.tsv"), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "");
    const columns = header!.split("\t");
    return rows.map((row) => {
        const cells = row.split("\t");
        return Object.fromEntries(columns.map((column, index) => [column, cells[index] ?? ""]));
    });
}
