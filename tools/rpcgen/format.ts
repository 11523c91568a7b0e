/**
 * Formats generated sources with the project's biome (same version and configuration as
 * `npm run lint`), so that committed files pass the linter and regeneration is byte-stable.
 */

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { findProjectRoot } from "./paths";

/**
 * Formats `source` as if it were the file `virtualPath` (relative to the project root), which
 * selects the configuration that applies there.
 */
export function formatWithBiome(source: string, virtualPath: string, root = findProjectRoot()): string {
    const biome = join(root, "node_modules", ".bin", "biome");
    const result = spawnSync(biome, ["format", `--stdin-file-path=${virtualPath}`], {
        cwd: root,
        input: source,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    if (result.status !== 0) {
        throw new Error(`biome format failed for ${virtualPath} (exit ${result.status}):\n${result.stderr}`);
    }
    return result.stdout;
}
