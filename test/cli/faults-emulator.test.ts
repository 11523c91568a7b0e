/**
 * Destroy right after a killed `up`, under the engine emulator (issue 16: destroy removes the
 * objects of pending creates): the emulator's `up` of the fault suite's stack is SIGKILLed while
 * the guest's create is in flight (its state names the create as pending, libvirt holds the guest
 * already); a `destroy` at once (no `up` between) must leave nothing, checked with virsh. The real
 * CLI does not do this (docs/lifecycle.md, "After a killed up"; faults.test.ts runs its route).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { StateFile } from "../../tools/engine";
import { PROJECT_ROOT } from "../helpers/test-host";
import { type Scenario, scenario } from "../scenarios/harness";
import { FAULT_PREFIX } from "./fault-program";
import { awaitMoment, describe, killTree, NO_OBJECTS, objects, running, type UpChild, watch } from "./fault-tools";

const RUN = join(PROJECT_ROOT, "dist", "tools", "lab", "run-engine.js");
const PROGRAM = join(PROJECT_ROOT, "dist", "test", "cli", "fault-program-module.js");
const GUEST = `${FAULT_PREFIX}-vm`;
/**
 * The guest's create lasts until it has its lease (fault-program-module.ts: seconds); a try that
 * misses it anyway (a loaded machine) is made again.
 */
const ATTEMPTS = 3;

function readState(file: string): StateFile | undefined {
    try {
        return JSON.parse(readFileSync(file, "utf8")) as StateFile;
    } catch {
        return undefined; // not written yet
    }
}

function guestPending(state: StateFile | undefined): boolean {
    return (state?.pendingOperations ?? []).some((op) => op.type === "creating" && op.urn.endsWith(`::${GUEST}`));
}

/**
 * Runs the emulator's up in a child and kills it while the guest's create is pending in the state
 * and libvirt holds the guest already (between the define and the end of the start). False when
 * the create finished (or the up ended) before that could be seen.
 */
async function upKilledDuringGuestCreate(s: Scenario): Promise<{ killed: boolean; child: UpChild }> {
    const child = watch(
        spawn(
            process.execPath,
            [
                RUN,
                "up",
                "--program",
                PROGRAM,
                "--state",
                s.stateFile,
                "--cwd",
                s.dir,
                "--project",
                "pltest-cli",
                "--stack",
                "pltest",
            ],
            { stdio: ["ignore", "pipe", "pipe"] },
        ),
    );
    const { reached } = await awaitMoment(child, {
        name: "the guest's create is pending",
        reached: () => guestPending(readState(s.stateFile)),
    });
    if (!reached) return { killed: false, child };
    const deadline = Date.now() + 30_000;
    // As fast as virsh answers: the window is short.
    while (running(child) && Date.now() < deadline && guestPending(readState(s.stateFile))) {
        if (objects().domains > 0) {
            killTree(child);
            await child.exited;
            // The kill may have come after the create's last checkpoint: only a state that still says pending counts.
            return { killed: guestPending(readState(s.stateFile)), child };
        }
    }
    killTree(child);
    await child.exited;
    return { killed: false, child };
}

test("emulator: destroy right after an up killed during the guest's create removes that guest too", {
    timeout: 300_000,
}, async (t) => {
    const s: Scenario = scenario(FAULT_PREFIX, "pltest-cli");
    let child: UpChild | undefined;
    try {
        let attempt = 0;
        for (;;) {
            attempt++;
            const run = await upKilledDuringGuestCreate(s);
            child = run.child;
            if (run.killed) break;
            assert.ok(
                attempt < ATTEMPTS,
                `the guest's create was never seen in flight in ${ATTEMPTS} tries: ${child.stderr()}`,
            );
            await s.engine().destroy();
        }
        const seen = objects();
        assert.equal(seen.domains, 1, "libvirt holds the guest the state does not");

        const summary = await s.engine().destroy();
        const deletes = summary.steps
            .filter((step) => step.op === "delete")
            .map((step) => `${step.urn.split("::").pop()}${step.detail ? ` (${step.detail})` : ""}`);
        t.diagnostic(`try ${attempt}: killed with ${describe(seen)}; destroy: ${deletes.join(", ")}`);
        assert.ok(deletes.includes(`${GUEST} (interrupted create: deleted the object it made)`), deletes.join(", "));
        assert.deepEqual(objects(), NO_OBJECTS, "destroy leaves nothing");
        const after = readState(s.stateFile)!;
        assert.deepEqual(
            [after.resources, after.pendingOperations],
            [[], undefined],
            "an empty state, nothing pending",
        );
    } finally {
        if (running(child)) killTree(child);
        await s.cleanup();
    }
});
