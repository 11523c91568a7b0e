/**
 * The last step of every generator (`npm run schema`, `npm run docs`): write each file whose text
 * changed, or with `--check` only say which are stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Writes (or, when `check`, compares) each file of `files` (path from `root` -> text); returns true
 * when one differed. `command` is what regenerates them, named in the stale message.
 */
export function writeGenerated(
    root: string,
    files: Readonly<Record<string, string>>,
    check: boolean,
    command: string,
): boolean {
    let changed = false;
    for (const [path, text] of Object.entries(files)) {
        const target = join(root, path);
        let current = "";
        try {
            current = readFileSync(target, "utf8");
        } catch {
            // a missing file is simply stale
        }
        if (current === text) continue;
        changed = true;
        if (check) {
            console.error(`${path} is stale: run ${command}`);
            continue;
        }
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, text);
        console.log(`wrote ${path}`);
    }
    return changed;
}
