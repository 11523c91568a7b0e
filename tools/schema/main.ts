/**
 * `npm run schema`: writes schema.json and the SDK's generated types (sdk/generated/) from the
 * registered kinds. `--check` only compares, and fails when a file is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { forgetGenerated, generate, projectRoot } from "./generate";
import { schemaKinds } from "./kinds";

const root = projectRoot();
const check = process.argv.includes("--check");
let stale = false;
/** Writes (or, with --check, compares) every generated file; true when one differed. */
function writeAll(): boolean {
    let changed = false;
    for (const [path, text] of Object.entries(generate().files)) {
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
            console.error(`${path} is stale: run npm run schema`);
            continue;
        }
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, text);
        console.log(`wrote ${path}`);
    }
    return changed;
}
stale = writeAll();
// The component's types refer to the generated interfaces: once those changed, generate again.
if (stale && !check) {
    forgetGenerated();
    writeAll();
}
if (check && stale) process.exitCode = 1;
else console.log(`kinds: ${schemaKinds.map((k) => k.kind).join(", ")}`);
