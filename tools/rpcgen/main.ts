/**
 * rpcgen: generates provider/rpc/generated from libvirt's `.x` protocol files and headers.
 *
 *   node dist/tools/rpcgen/main.js --protocol ../shared/libvirt-protocol --out provider/rpc/generated
 *
 * Options: `--libvirt-version X.Y.Z` (default: read from the protocol folder's README.md),
 * `--no-format` (skip biome; for debugging). The output folder is owned by the generator:
 * stale `.ts` files in it are removed.
 */

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { formatWithBiome } from "./format";
import { findProjectRoot } from "./paths";
import { generate } from "./generate";
import { loadProtocol } from "./protocol";

interface Options {
    protocol: string;
    out: string;
    libvirtVersion?: string;
    format: boolean;
}

function parseArgs(argv: readonly string[]): Options {
    let protocol: string | undefined;
    let out: string | undefined;
    let libvirtVersion: string | undefined;
    let format = true;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = (): string => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${arg} needs a value`);
            return v;
        };
        if (arg === "--protocol") protocol = value();
        else if (arg === "--out") out = value();
        else if (arg === "--libvirt-version") libvirtVersion = value();
        else if (arg === "--no-format") format = false;
        else throw new Error(`unknown argument ${arg}`);
    }
    if (protocol === undefined || out === undefined) {
        throw new Error("usage: rpcgen --protocol <dir> --out <dir> [--libvirt-version X.Y.Z] [--no-format]");
    }
    return { protocol, out, format, ...(libvirtVersion !== undefined ? { libvirtVersion } : {}) };
}

/** Generates into `outDir`; returns the names of the files written or changed. */
export function run(options: Options): string[] {
    const protocol = loadProtocol(options.protocol, options.libvirtVersion);
    const files = generate(protocol);
    const root = options.format ? findProjectRoot() : "";
    const outDir = resolve(options.out);
    mkdirSync(outDir, { recursive: true });
    const changed: string[] = [];
    const wanted = new Set(files.map((f) => f.name));
    for (const existing of readdirSync(outDir)) {
        if (existing.endsWith(".ts") && !wanted.has(existing)) {
            rmSync(join(outDir, existing));
            changed.push(`-${existing}`);
        }
    }
    for (const file of files) {
        // Format as the committed file, so that the project's configuration applies wherever we write.
        const text = options.format
            ? formatWithBiome(file.text, `provider/rpc/generated/${file.name}`, root)
            : file.text;
        const path = join(outDir, file.name);
        let previous: string | undefined;
        try {
            previous = readFileSync(path, "utf8");
        } catch {
            previous = undefined;
        }
        if (previous !== text) {
            writeFileSync(path, text);
            changed.push(file.name);
        }
    }
    return changed;
}

if (require.main === module) {
    try {
        const options = parseArgs(process.argv.slice(2));
        const changed = run(options);
        const where = relative(process.cwd(), resolve(options.out)) || ".";
        process.stdout.write(
            changed.length === 0
                ? `rpcgen: ${where} is up to date\n`
                : `rpcgen: updated ${where}: ${changed.join(", ")}\n`,
        );
    } catch (err) {
        process.stderr.write(`rpcgen: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    }
}
