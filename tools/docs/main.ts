/**
 * `npm run docs`: regenerates the argument tables in docs/resources.md (from the generator behind
 * the SDK's types and schema.json, tools/schema) and docs/model-reference.md (from the model
 * sources' JSDoc). `--check` only compares, and fails when either file is stale.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
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
import { writeGenerated } from "../schema/write-generated";

function projectRoot(): string {
    // dist/tools/docs/main.js → the repository root
    return join(__dirname, "../../..");
}

function main(): void {
    const root = projectRoot();
    const check = process.argv.includes("--check");
    checkCoverage();
    const schemas = loadSchemas(root);
    const files = {
        [RESOURCES_PATH]: spliceReadme(
            readFileSync(join(root, RESOURCES_PATH), "utf8"),
            renderReadmeSection(generate(), schemas),
        ),
        [REFERENCE_PATH]: `${renderReference(schemas)}\n`,
    };
    if (writeGenerated(root, files, check, "npm run docs") && check) process.exitCode = 1;
}

main();
