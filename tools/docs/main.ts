/**
 * `npm run docs`: regenerates the argument tables in docs/resources.md (from the generator behind
 * the SDK's types and schema.json, tools/schema) and docs/model-reference.md (from the model
 * sources' JSDoc). `--check` only compares, and fails when either file is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
    checkCoverage,
    loadSchemas,
    REFERENCE_PATH,
    RESOURCES_PATH,
    renderReadmeSection,
    renderReference,
    spliceReadme,
} from "./render";
import { generate } from "../schema/generate";

function projectRoot(): string {
    // dist/tools/docs/main.js → the repository root
    return join(__dirname, "../../..");
}

function main(): void {
    const root = projectRoot();
    const check = process.argv.includes("--check");
    checkCoverage();
    const schemas = loadSchemas(root);
    const outputs = [
        {
            path: join(root, RESOURCES_PATH),
            text: spliceReadme(
                readFileSync(join(root, RESOURCES_PATH), "utf8"),
                renderReadmeSection(generate(), schemas),
            ),
        },
        { path: join(root, REFERENCE_PATH), text: `${renderReference(schemas)}\n` },
    ];
    let stale = false;
    for (const { path, text } of outputs) {
        let current = "";
        try {
            current = readFileSync(path, "utf8");
        } catch {
            // a missing file is simply stale
        }
        if (current === text) continue;
        stale = true;
        if (!check) {
            mkdirSync(dirname(path), { recursive: true });
            writeFileSync(path, text);
            console.log(`wrote ${path}`);
        } else {
            console.error(`${path} is stale: run npm run docs`);
        }
    }
    if (check && stale) process.exitCode = 1;
}

main();
