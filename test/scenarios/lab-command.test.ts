/**
 * The README's first command, `npm run lab -- up|preview|refresh|destroy`, as a user runs it on
 * a machine without the Pulumi CLI: tools/lab/main.js (what scripts/lab.sh calls after its set-up)
 * with `--engine emulator`, on a stack and prefix of its own (test/cli/lab-command.test.ts runs it
 * with the real engine). It says which engine it used, brings
 * the lab up with both guests at their reserved addresses, plans nothing on a second up, and
 * destroy leaves nothing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { guestIp } from "../../examples/lab/lab";
import { PROJECT_ROOT } from "../helpers/test-host";
import { listNames, removeTestObjects, virsh } from "../helpers/virsh";
import { poolPath } from "./harness";

const PREFIX = "pltest-labcmd";
const SUBNET = "10.253.205";
const STACK = "pltest-labcmd";
const MAIN = join(PROJECT_ROOT, "dist", "tools", "lab", "main.js");
const STATE = join(PROJECT_ROOT, ".lab-state", "lab", `${STACK}.json`);

/** Runs the lab command with the engine emulator, as on a machine without the Pulumi CLI. */
function lab(operation: string): { output: string; seconds: number } {
    const started = Date.now();
    const run = spawnSync(
        process.execPath,
        [
            MAIN,
            operation,
            "--engine",
            "emulator",
            "--stack",
            STACK,
            "--config",
            `prefix=${PREFIX}`,
            "--config",
            `subnet=${SUBNET}`,
            "--config",
            `poolPath=${poolPath(PREFIX)}`,
            "--config",
            "shutdownTimeoutSeconds=10",
        ],
        { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, `npm run lab -- ${operation} failed:\n${output}`);
    return { output, seconds: (Date.now() - started) / 1000 };
}

function cleanUp(): void {
    removeTestObjects(PREFIX);
    rmSync(poolPath(PREFIX), { recursive: true, force: true });
    rmSync(STATE, { force: true });
}

describe("npm run lab, with the engine emulator", { concurrency: 1 }, () => {
    before(cleanUp);
    after(cleanUp);

    test("up says which engine it used and brings the lab up with the reserved addresses", (t) => {
        const { output, seconds } = lab("up");
        t.diagnostic(`lab up: ${seconds.toFixed(1)} s`);
        assert.match(output, /--engine emulator; using the engine emulator/);
        assert.match(output, /\+ 9 created/);
        const addresses = JSON.stringify({ vm1: guestIp(SUBNET, 1), vm2: guestIp(SUBNET, 2) });
        assert.ok(output.includes(`ipAddresses: ${addresses}`), output);
        for (const vm of ["vm1", "vm2"]) assert.match(virsh(["domstate", `${PREFIX}-${vm}`]), /running/);
    });

    test("a second up and a preview plan nothing; refresh finds nothing changed", (t) => {
        const again = lab("up");
        t.diagnostic(`second lab up: ${again.seconds.toFixed(1)} s`);
        assert.match(again.output, /9 unchanged/);
        assert.doesNotMatch(again.output, /^\s+(\+|~|-|\+-) \d+ /m, again.output);
        assert.match(lab("preview").output, /9 unchanged/);
        const refresh = lab("refresh").output;
        assert.match(refresh, /refreshed/);
        assert.match(lab("preview").output, /9 unchanged/, "refresh found no drift to undo");
    });

    test("destroy leaves nothing of the lab", (t) => {
        const { output, seconds } = lab("destroy");
        t.diagnostic(`lab destroy: ${seconds.toFixed(1)} s`);
        assert.match(output, /- 9 deleted/);
        for (const kind of ["domain", "network", "pool"] as const) assert.deepEqual(listNames(kind, PREFIX), []);
    });
});
