/**
 * The model tables of docs/resources.md and docs/model-reference.md are generated from the model sources;
 * these tests fail when either is stale or when a model field has no documentation.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
    checkCoverage,
    loadSchemas,
    REFERENCE_PATH,
    RESOURCES_PATH,
    RESOURCES,
    renderReadmeSection,
    renderReference,
    spliceReadme,
} from "../../../tools/docs/render";
import { generate } from "../../../tools/schema/generate";
import { PROJECT_ROOT } from "../../helpers/shared-paths";

const schemas = loadSchemas(PROJECT_ROOT);

test("every policy kind is documented as a resource", () => {
    assert.doesNotThrow(() => checkCoverage());
    assert.equal(RESOURCES.length, 8);
});

test("every field of every model schema has a JSDoc line", () => {
    const missing = schemas.flatMap((s) =>
        s.fields.filter((f) => f.doc === "").map((f) => `${s.file} ${s.name}.${f.name}`),
    );
    assert.deepEqual(missing, []);
    // The reader must actually find the schemas: a parser regression would otherwise pass vacuously.
    assert.ok(schemas.length > 50, `only ${schemas.length} schemas found`);
    assert.ok(
        schemas.find((s) => s.name === "dhcpHostSchema")?.fields.some((f) => f.name === "mac"),
        "extend() fields are inherited",
    );
});

test("docs/resources.md's model tables are up to date (run npm run docs)", () => {
    const page = readFileSync(join(PROJECT_ROOT, RESOURCES_PATH), "utf8");
    assert.equal(
        spliceReadme(page, renderReadmeSection(generate(), schemas)),
        page,
        `${RESOURCES_PATH} is stale: run npm run docs`,
    );
});

test("docs/model-reference.md is up to date (run npm run docs)", () => {
    const reference = readFileSync(join(PROJECT_ROOT, REFERENCE_PATH), "utf8");
    assert.equal(`${renderReference(schemas)}\n`, reference, `${REFERENCE_PATH} is stale: run npm run docs`);
});
