/**
 * The README's hand-written parts that can go stale: the program it shows must be the one the build
 * type-checks (examples/quickstart/index.ts), and its resource table must list every kind with the
 * computed outputs its descriptor (tools/schema/kinds.ts) declares, no more and no fewer.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { schemaKinds } from "../../../tools/schema/kinds";
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

test("the README's resource table lists every kind once, with exactly the computed outputs of its descriptor", () => {
    const section = readme.slice(readme.indexOf("## Resources"), readme.indexOf("## How changes apply"));
    const rows = section.split("\n").filter((line) => /^\| `[A-Za-z]+`/.test(line));
    const kinds = rows.map((row) => /^\| `([A-Za-z]+)`/.exec(row)?.[1]);
    assert.deepEqual([...kinds].sort(), schemaKinds.map((k) => k.kind).sort(), "one row per resource kind");
    for (const row of rows) {
        const cells = row.split(/(?<!\\)\|/).map((cell) => cell.trim());
        const kind = /`([A-Za-z]+)`/.exec(cells[1] ?? "")?.[1] ?? "";
        const listed = [...(cells[3] ?? "").matchAll(/`([A-Za-z][A-Za-z0-9]*)`/g)].map((m) => m[1]!);
        const computed = Object.keys(schemaKinds.find((k) => k.kind === kind)!.outputs);
        assert.deepEqual(listed.sort(), computed.sort(), `${kind}: the README's computed outputs`);
    }
});
