/** Validates XML against libvirt's RelaxNG schemas with xmllint; fails loudly when xmllint is missing. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { SCHEMAS_ROOT } from "../../helpers/shared-paths";

/** Schema file per document kind. */
export const SCHEMA_FILES = {
    network: "network.rng",
    storagePool: "storagepool.rng",
    volume: "storagevol.rng",
    domainSnapshot: "domainsnapshot.rng",
} as const;

/** Asserts that `xml` is valid against the named schema; `label` names the document in failures. */
export function assertValidXml(xml: string, schema: keyof typeof SCHEMA_FILES, label = "document"): void {
    const result = spawnSync("xmllint", ["--noout", "--relaxng", join(SCHEMAS_ROOT, SCHEMA_FILES[schema]), "-"], {
        input: xml,
        encoding: "utf8",
    });
    if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
        assert.fail("xmllint is not installed: install libxml2-utils (apt-get install libxml2-utils)");
    }
    assert.equal(
        result.status,
        0,
        `${label} does not validate against ${SCHEMA_FILES[schema]}:\n${result.stderr}\n${xml}`,
    );
}
