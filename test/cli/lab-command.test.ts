/**
 * The README's first command, `npm run lab -- up`, on the test host: tools/lab/main.js (what
 * scripts/lab.sh calls after its set-up) picks the Pulumi CLI the test host built and says so in
 * its first line; up prints the stack's outputs, a second up changes nothing, destroy leaves
 * nothing. Run on the minimal example to keep it short (test/cli/examples.test.ts runs them all).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { linkPackage } from "../../tools/lab/project";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import { listNames, removeTestObjects, virsh } from "../helpers/virsh";

const PREFIX = "pltest-labcli";
const MAIN = join(PROJECT_ROOT, "dist", "tools", "lab", "main.js");

function lab(...args: string[]): string {
    const host = loadTestHost();
    const run = spawnSync(
        process.execPath,
        [
            MAIN,
            ...args,
            "--example",
            "minimal",
            "--stack",
            PREFIX,
            "--config",
            `prefix=${PREFIX}`,
            "--config",
            `kernel=${host.guestKernel}`,
            "--config",
            `initrd=${host.guestInitrd}`,
            "--config",
            "shutdownTimeoutSeconds=5",
        ],
        { cwd: PROJECT_ROOT, encoding: "utf8" },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, `npm run lab -- ${args.join(" ")} failed:\n${output}`);
    return output;
}

describe("npm run lab with the real Pulumi engine", { concurrency: 1 }, () => {
    removeTestObjects(PREFIX);
    after(() => removeTestObjects(PREFIX));

    test("up says it runs the real engine, creates the guest and prints the outputs", () => {
        const output = lab("up");
        const first = output.split("\n")[0] ?? "";
        assert.match(first, /^lab: the real Pulumi engine: .*pulumi through the Automation API/, first);
        assert.match(output, /"name": "pltest-labcli-vm"/);
        assert.match(virsh(["domstate", `${PREFIX}-vm`]), /running/);
    });

    test("a second up changes nothing; destroy leaves nothing", () => {
        const again = lab("up");
        assert.match(again, /2 unchanged|1 unchanged/, again);
        assert.doesNotMatch(again, /\d+ (created|updated|deleted|replaced)/, again);
        lab("destroy");
        assert.deepEqual(listNames("domain", PREFIX), []);
    });

    test("up prints a program's outputs as the engine reported them, secrets as [secret] only", () => {
        const dir = mkdtempSync(join(tmpdir(), "pltest-labcli-outputs-"));
        try {
            linkPackage(dir, PROJECT_ROOT);
            writeFileSync(join(dir, "Pulumi.yaml"), "name: pltest-labcli-outputs\nruntime: nodejs\n");
            writeFileSync(
                join(dir, "index.js"),
                [
                    'const pulumi = require("@pulumi/pulumi");',
                    'exports.plain = "visible";',
                    'exports.hidden = pulumi.secret("hunter2-top");',
                    'exports.nested = { a: pulumi.secret("hunter2-deep"), b: [1, "two"] };',
                    "",
                ].join("\n"),
            );
            const run = (operation: string) =>
                spawnSync(process.execPath, [MAIN, operation, "--example", dir, "--stack", `${PREFIX}-outputs`], {
                    cwd: PROJECT_ROOT,
                    encoding: "utf8",
                });
            const up = run("up");
            const output = `${up.stdout}\n${up.stderr}`;
            assert.equal(up.status, 0, output);
            const printed = output.slice(output.lastIndexOf("\noutputs: ") + "\noutputs: ".length);
            assert.deepEqual(JSON.parse(printed), {
                plain: "visible",
                hidden: "[secret]",
                nested: { a: "[secret]", b: [1, "two"] },
            });
            assert.doesNotMatch(output, /hunter2/);
            assert.equal(run("destroy").status, 0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("--help explains the options and exits 0", () => {
        const help = spawnSync(process.execPath, [MAIN, "--help"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        assert.equal(help.status, 0);
        assert.match(help.stdout, /--engine auto\|cli\|emulator/);
        assert.match(help.stdout, /--example NAME\|PATH/);
    });
});
