/**
 * In Pulumi's dynamic-provider host, loading the runtime stops V8's young generation from growing
 * past provider/young-generation.ts's cap; any other process that loads it keeps V8's defaults.
 * Each case runs a fresh Node process whose main file is named like the host's or not, loads the
 * runtime, then allocates the way the host does in a refresh (short-lived strings, some of them
 * alive across a few collections, one batch per task as the host serves one request per task) and
 * reports the largest new space it saw.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isDynamicProviderHost, YOUNG_GENERATION_CAP_BYTES } from "../../../provider/young-generation";
import { PROJECT_ROOT } from "../../helpers/shared-paths";

const RUNTIME = join(PROJECT_ROOT, "dist", "provider");
const work = mkdtempSync(join(tmpdir(), "pltest-younggen-"));
after(() => rmSync(work, { recursive: true, force: true }));

const ALLOCATE = `
    require(${JSON.stringify(RUNTIME)});
    const { getHeapSpaceStatistics } = require("node:v8");
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
    const kept = [];
    let largest = newSpace();
    (async () => {
    for (let round = 0; round < 150; round++) {
        // The host serves each request in its own task; the cap is applied between tasks.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = [];
        for (let i = 0; i < 5000; i++) batch.push("request field ".repeat(4) + i + "/" + round);
        kept.push(batch);
        if (kept.length > 8) kept.shift();
        largest = Math.max(largest, newSpace());
    }
    process.stdout.write(String(largest));
    })();
`;

/** The largest new space, in bytes, of a process running ALLOCATE as `mainPath` (under `work`). */
function largestNewSpace(mainPath: string): number {
    const file = join(work, mainPath);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, ALLOCATE);
    return Number(execFileSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 }));
}

test("the host is recognised by its main file, whatever the folder it is installed in", () => {
    assert.ok(isDynamicProviderHost("/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"));
    assert.ok(isDynamicProviderHost("C:\\p\\node_modules\\@pulumi\\pulumi\\cmd\\dynamic-provider\\index.js"));
    assert.ok(!isDynamicProviderHost("/p/dist/test/unit/resources/young-generation.test.js"));
    assert.ok(!isDynamicProviderHost("/p/cmd/dynamic-provider/config.js"));
    assert.ok(!isDynamicProviderHost(undefined), "node -e has no main file");
});

test("in the provider host the new space stays within the cap; elsewhere it grows past it", () => {
    const host = largestNewSpace(join("node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js"));
    const other = largestNewSpace(join("program", "index.js"));
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    assert.ok(host <= YOUNG_GENERATION_CAP_BYTES, `the host's new space reached ${mb(host)}`);
    assert.ok(other > YOUNG_GENERATION_CAP_BYTES, `without the cap the same work grows it to ${mb(other)} only`);
});
