/**
 * The committed provider/rpc/generated must be exactly what the generator produces from the
 * libvirt protocol files: regenerate into a temporary folder and compare every file.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { defaultProtocolDir, findProjectRoot, generatedDir } from "../../../tools/rpcgen/paths";

const HINT = "provider/rpc/generated is out of date: run `npm run gen:rpc` and commit the result";

test("provider/rpc/generated matches a fresh run of tools/rpcgen", () => {
    const root = findProjectRoot();
    const main = join(__dirname, "..", "..", "..", "tools", "rpcgen", "main.js");
    const out = mkdtempSync(join(tmpdir(), "rpcgen-fresh-"));
    try {
        const run = spawnSync(process.execPath, [main, "--protocol", defaultProtocolDir(root), "--out", out], {
            cwd: root,
            encoding: "utf8",
        });
        assert.equal(run.status, 0, `the generator failed:\n${run.stderr}${run.stdout}`);
        const committedDir = generatedDir(root);
        const list = (dir: string): string[] =>
            readdirSync(dir)
                .filter((f) => f.endsWith(".ts"))
                .sort();
        const fresh = list(out);
        const committed = list(committedDir);
        assert.deepEqual(committed, fresh, `${HINT} (the set of files differs)`);
        const differing: string[] = [];
        for (const file of fresh) {
            const a = readFileSync(join(out, file), "utf8");
            const b = readFileSync(join(committedDir, file), "utf8");
            if (a !== b) {
                const aLines = a.split("\n");
                const bLines = b.split("\n");
                let line = 0;
                while (line < aLines.length && aLines[line] === bLines[line]) line++;
                differing.push(
                    `${file}:${line + 1}: committed ${JSON.stringify(bLines[line] ?? "<eof>")}, generated ${JSON.stringify(aLines[line] ?? "<eof>")}`,
                );
            }
        }
        assert.deepEqual(differing, [], `${HINT}:\n${differing.join("\n")}`);
    } finally {
        rmSync(out, { recursive: true, force: true });
    }
});
