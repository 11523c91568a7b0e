/**
 * The runtime loads a kind's handler (its schemas, readers and writers) at the kind's first call,
 * and xmlbuilder2 at the first XML write: the provider host of a stack that only checks and diffs
 * (an `up` with nothing to change) or never uses a kind does not pay for them. Each case runs in a
 * fresh Node process, whose module cache shows what was loaded.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../helpers/shared-paths";

const RUNTIME = join(PROJECT_ROOT, "dist", "provider");

/** Runs `body` after loading the runtime in a new process; returns which watched modules were loaded. */
function loadedAfter(body: string): Record<string, boolean> {
    const script = `
        const runtime = require(${JSON.stringify(RUNTIME)});
        const run = async () => { ${body} };
        run().finally(() => {
            const files = Object.keys(require.cache);
            const has = (part) => files.some((f) => f.includes(part));
            process.stdout.write(JSON.stringify({
                domain: has("/dist/provider/resources/domain/handler.js"),
                volume: has("/dist/provider/resources/volume/handler.js"),
                cloudInit: has("/dist/provider/resources/cloud-init/handler.js"),
                yaml: has("/node_modules/yaml/"),
                xmlbuilder2: has("/node_modules/xmlbuilder2/"),
            }));
            process.exit(0);
        });
    `;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 }));
}

test("loading the runtime loads no kind's handler, no YAML and no XML writer", () => {
    assert.deepEqual(loadedAfter(""), {
        domain: false,
        volume: false,
        cloudInit: false,
        yaml: false,
        xmlbuilder2: false,
    });
});

test("a kind's first call loads that kind's handler only, and its check still answers", () => {
    const loaded = loadedAfter(`
        const result = await runtime.cloudInit.check({}, {});
        if (!(result.failures && result.failures.length > 0)) throw new Error("check of empty inputs gave no failures");
    `);
    assert.equal(loaded.cloudInit, true, "the CloudInit handler was loaded by its check");
    assert.equal(loaded.yaml, true, "CloudInit's handler brings the YAML library");
    assert.equal(loaded.domain, false, "the Domain handler was not loaded");
    assert.equal(loaded.volume, false, "the Volume handler was not loaded");
});

test("xmlbuilder2 is loaded by the first XML write", () => {
    const loaded = loadedAfter(`
        const { serializeTree, el } = require(${JSON.stringify(join(RUNTIME, "xml", "tree"))});
        if (serializeTree(el("pool", { type: "dir" })) !== '<pool type="dir"/>') throw new Error("unexpected XML");
    `);
    assert.equal(loaded.xmlbuilder2, true);
});
