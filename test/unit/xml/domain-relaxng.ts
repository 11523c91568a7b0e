/**
 * Validates documents against libvirt's domain RelaxNG schema with xmllint, in one batch.
 * A missing xmllint is a failure with the fix, never a skip: an unchecked writer is not tested.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMAS_ROOT } from "../../helpers/shared-paths";

export const DOMAIN_SCHEMA = join(SCHEMAS_ROOT, "domain.rng");

/** Returns, per document name, xmllint's complaint; an empty object when all validate. */
export function relaxngFailures(documents: ReadonlyMap<string, string>): Record<string, string> {
    const folder = mkdtempSync(join(tmpdir(), "domain-rng-"));
    try {
        const files = [...documents].map(([name, xml], i) => {
            const file = join(folder, `${i}.xml`);
            writeFileSync(file, xml);
            return { name, file };
        });
        let output = "";
        try {
            execFileSync("xmllint", ["--noout", "--relaxng", DOMAIN_SCHEMA, ...files.map((f) => f.file)], {
                stdio: ["ignore", "pipe", "pipe"],
                maxBuffer: 64 * 1024 * 1024,
            });
        } catch (error) {
            const failure = error as NodeJS.ErrnoException & { stderr?: Buffer; status?: number };
            if (failure.code === "ENOENT") {
                assert.fail("xmllint is not installed: install libxml2-utils (apt-get install libxml2-utils)");
            }
            output = failure.stderr?.toString() ?? String(error);
        }
        const failures: Record<string, string> = {};
        for (const { name, file } of files) {
            const lines = output
                .split("\n")
                .filter(
                    (line) =>
                        (line.startsWith(`${file}:`) || line.startsWith(`${file} `)) && !line.endsWith(" validates"),
                );
            if (lines.length > 0) failures[name] = lines.join("\n");
        }
        return failures;
    } finally {
        rmSync(folder, { recursive: true, force: true });
    }
}
