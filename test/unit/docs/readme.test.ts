/**
 * The README's hand-written parts that can go stale: the program it shows must be the one the build
 * type-checks (examples/quickstart/index.ts), and the outputs its resource table lists must be outputs
 * the SDK classes declare (the properties of each kind's descriptor, as schema.json lists them).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../helpers/shared-paths";

const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");

test("the README shows examples/quickstart/index.ts verbatim, from its import on", () => {
    const source = readFileSync(join(PROJECT_ROOT, "examples/quickstart/index.ts"), "utf8");
    const program = source.slice(source.indexOf("import "));
    assert.ok(program.includes("new VirtualMachine("), "the quickstart program was not found in its file");
    assert.ok(
        readme.includes(`\`\`\`ts\n${program}\`\`\``),
        "README.md's program differs from examples/quickstart/index.ts: copy the file from its import line into the README",
    );
});

/** The kinds, in the README table's order. */
const README_KINDS = [
    "Domain",
    "Network",
    "StoragePool",
    "Volume",
    "DhcpHost",
    "DnsHost",
    "CloudInit",
    "DomainSnapshot",
];

/** What each class declares: the properties schema.json gives its kind (both are written from one walk). */
const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, "schema.json"), "utf8")) as {
    resources: Record<string, { properties: Record<string, unknown> }>;
};

test("every computed output in the README's resource table is declared by its SDK class", () => {
    const section = readme.slice(readme.indexOf("## Resources"), readme.indexOf("## How changes apply"));
    const rows = section.split("\n").filter((line) => /^\| `[A-Za-z]+`/.test(line));
    assert.deepEqual(
        rows.map((row) => /^\| `([A-Za-z]+)`/.exec(row)?.[1]),
        README_KINDS,
        "the table lists each resource once, in this order",
    );
    for (const row of rows) {
        const cells = row.split(/(?<!\\)\|/).map((cell) => cell.trim());
        const kind = /`([A-Za-z]+)`/.exec(cells[1] ?? "")?.[1] ?? "";
        const outputs = [...(cells[3] ?? "").matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]);
        assert.ok(outputs.length > 0, `${kind}: no outputs listed`);
        const declared = Object.keys(schema.resources[`libvirt:index:${kind}`]?.properties ?? {});
        for (const output of outputs) {
            assert.ok(declared.includes(output), `${kind}.${output} is not a property of ${kind}`);
        }
    }
});
