/**
 * The README's hand-written parts that can go stale: the program it shows must be the one the build
 * type-checks (examples/quickstart/index.ts), and the outputs its resource table lists must be outputs
 * the SDK classes declare.
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

const sdkFiles: Record<string, string> = {
    Domain: "domain.ts",
    Network: "network.ts",
    StoragePool: "storage-pool.ts",
    Volume: "volume.ts",
    DhcpHost: "dhcp-host.ts",
    DnsHost: "dns-host.ts",
    CloudInit: "cloud-init.ts",
    DomainSnapshot: "domain-snapshot.ts",
};

test("every computed output in the README's resource table is declared by its SDK class", () => {
    const section = readme.slice(readme.indexOf("## Resources"), readme.indexOf("## How changes apply"));
    const rows = section.split("\n").filter((line) => /^\| `[A-Za-z]+`/.test(line));
    assert.deepEqual(
        rows.map((row) => /^\| `([A-Za-z]+)`/.exec(row)?.[1]),
        Object.keys(sdkFiles),
        "the table lists each resource once, in this order",
    );
    for (const row of rows) {
        const cells = row.split(/(?<!\\)\|/).map((cell) => cell.trim());
        const kind = /`([A-Za-z]+)`/.exec(cells[1] ?? "")?.[1] ?? "";
        const outputs = [...(cells[3] ?? "").matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]);
        assert.ok(outputs.length > 0, `${kind}: no outputs listed`);
        const sdk = readFileSync(join(PROJECT_ROOT, "sdk", sdkFiles[kind] ?? ""), "utf8");
        for (const output of outputs) {
            assert.match(
                sdk,
                new RegExp(`declare (public )?readonly ${output}:`),
                `${kind}.${output} is not declared in sdk/`,
            );
        }
    }
});
