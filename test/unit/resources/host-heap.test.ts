/**
 * In Pulumi's dynamic-provider host, loading the runtime stops V8's young generation from growing
 * past provider/host-heap.ts's cap and makes V8 collect the old generation sooner (the garbage
 * that reads promote); any other process that loads it keeps V8's defaults.
 * Each case runs a fresh Node process whose main file is named like the host's or not, loads the
 * runtime, allocates the way the host does (YOUNG, PROMOTED below) and prints what it measured.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isDynamicProviderHost, YOUNG_GENERATION_CAP_BYTES } from "../../../provider/host-heap";
import { PROJECT_ROOT } from "../../helpers/shared-paths";

const RUNTIME = join(PROJECT_ROOT, "dist", "provider");
const work = mkdtempSync(join(tmpdir(), "pltest-hostheap-"));
after(() => rmSync(work, { recursive: true, force: true }));

const NEW_SPACE = `(require("node:v8").getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size)`;
const OLD_SPACE_USED = `(require("node:v8").getHeapSpaceStatistics().find((s) => s.space_name === "old_space").space_used_size)`;

/**
 * Short-lived strings, some alive across a few scavenges, one batch per task as the host serves one
 * request per task (the cap is applied between tasks): what grows the new space. Prints the new
 * space's size at the end (in a scavenge it can be larger for a moment).
 */
const YOUNG = `
    require(${JSON.stringify(RUNTIME)});
    const kept = [];
    (async () => {
        for (let round = 0; round < 150; round++) {
            await new Promise((resolve) => setImmediate(resolve));
            const batch = [];
            for (let i = 0; i < 5000; i++) batch.push("request field ".repeat(4) + i + "/" + round);
            kept.push(batch);
            if (kept.length > 8) kept.shift();
        }
        process.stdout.write(String(${NEW_SPACE}));
    })();
`;

/**
 * A live heap like the host's (about 40 MB, in the old space before the runtime loads, as
 * @pulumi/pulumi's is), then batches that two scavenges promote and that die in the old space (what
 * a refresh's reads leave there), about 95 MB of them. Prints how far the old space grew beyond
 * its size when the runtime had loaded. Runs with --expose-gc for those collections.
 */
const PROMOTED = `
    const live = [];
    for (let i = 0; i < 500; i++) live.push(new Array(10000).fill(i));
    gc();
    require(${JSON.stringify(RUNTIME)});
    const start = ${OLD_SPACE_USED};
    let growth = 0;
    for (let round = 0; round < 240; round++) {
        let batch = [];
        for (let i = 0; i < 5000; i++) batch.push({ field: "read " + i + "/" + round });
        gc({ type: "minor" });
        gc({ type: "minor" });
        batch = undefined;
        growth = Math.max(growth, ${OLD_SPACE_USED} - start);
    }
    process.stdout.write(String(growth));
`;

/** What a process running `script` as `mainPath` (under `work`) prints, as a number of bytes. */
function bytesPrinted(script: string, mainPath: string, flags: string[] = []): number {
    const file = join(work, mainPath);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, script);
    return Number(execFileSync(process.execPath, [...flags, file], { encoding: "utf8", timeout: 60_000 }));
}

const HOST_MAIN = join("node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
const OTHER_MAIN = join("program", "index.js");
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

test("the host is recognised by its main file, whatever the folder it is installed in", () => {
    assert.ok(isDynamicProviderHost("/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"));
    assert.ok(isDynamicProviderHost("C:\\p\\node_modules\\@pulumi\\pulumi\\cmd\\dynamic-provider\\index.js"));
    assert.ok(!isDynamicProviderHost("/p/dist/test/unit/resources/host-heap.test.js"));
    assert.ok(!isDynamicProviderHost("/p/cmd/dynamic-provider/config.js"));
    assert.ok(!isDynamicProviderHost(undefined), "node -e has no main file");
});

test("in the provider host the new space stays within the cap; elsewhere it grows past it", () => {
    const inHost = bytesPrinted(YOUNG, HOST_MAIN);
    const elsewhere = bytesPrinted(YOUNG, OTHER_MAIN);
    assert.ok(inHost <= YOUNG_GENERATION_CAP_BYTES, `the host's new space reached ${mb(inHost)}`);
    assert.ok(
        elsewhere > YOUNG_GENERATION_CAP_BYTES,
        `without the cap the same work grows it to ${mb(elsewhere)} only`,
    );
});

test("in the provider host the old space is collected sooner; elsewhere promoted garbage piles up", () => {
    const inHost = bytesPrinted(PROMOTED, HOST_MAIN, ["--expose-gc"]);
    const elsewhere = bytesPrinted(PROMOTED, OTHER_MAIN, ["--expose-gc"]);
    assert.ok(
        inHost < elsewhere * 0.8,
        `the old space grew by ${mb(inHost)} in the host, by ${mb(elsewhere)} elsewhere`,
    );
});
