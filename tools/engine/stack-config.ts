/**
 * Reads the `config:` block of `Pulumi.<stack>.yaml` so the CLI sees the same stack config `pulumi up` would.
 * Only flat scalar entries (`  ns:key: value`) are understood; secure (encrypted) values and nested objects
 * are not, and are reported instead of guessed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function readStackConfig(dir: string, stack: string): Record<string, string> {
    const file = join(dir, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) return {};
    const config: Record<string, string> = {};
    let inConfig = false;
    for (const line of readFileSync(file, "utf8").split("\n")) {
        if (/^\S/.test(line)) {
            inConfig = /^config:\s*$/.test(line);
            continue;
        }
        // The key ends at the first colon followed by a space: keys themselves hold colons (`ns:key`).
        const m = /^ {2}([^\s#][^\s#]*?):(?:\s+(.*?))?\s*$/.exec(line);
        if (!inConfig || !m) continue;
        const key = m[1]!;
        const raw = m[2] ?? "";
        if (raw === "" || raw.startsWith("secure:"))
            throw new Error(`${file}: ${key} is not a plain value; the engine emulator reads scalar config only`);
        config[key] = raw.replace(/^"(.*)"$|^'(.*)'$/, "$1$2");
    }
    return config;
}
