/**
 * The README's first command, `npm run lab -- up`, on the test host: tools/lab/main.js (what
 * scripts/lab.sh calls after its set-up) picks the Pulumi CLI the test host built and says so in
 * its first line; up prints the stack's outputs, a second up changes nothing, destroy leaves
 * nothing. Run on the minimal example to keep it short (test/cli/examples.test.ts runs them all).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, describe, test } from "node:test";
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

    test("--help explains the options and exits 0", () => {
        const help = spawnSync(process.execPath, [MAIN, "--help"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        assert.equal(help.status, 0);
        assert.match(help.stdout, /--engine auto\|cli\|emulator/);
        assert.match(help.stdout, /--example NAME\|PATH/);
    });
});
