/**
 * The process the fault suite kills: runs `up` of the fault program on the stack in the folder
 * given as the first argument, under the real CLI, and exits. Run as its own process group, so a
 * SIGKILL of the group takes the CLI and its provider plugins with it (as a killed CI job would).
 */
import { join } from "node:path";
import { openCliStack } from "../../tools/lab/automation";
import { PROJECT_ROOT } from "../helpers/test-host";
import { faultProgram } from "./fault-program";
import { PASSPHRASE, testCli } from "./harness";

async function main(dir: string): Promise<void> {
    const stack = await openCliStack({
        cli: testCli(),
        dir,
        project: "pltest-cli",
        stack: "pltest",
        program: join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"),
        stateRoot: join(dir, ".pulumi-state"),
        passphrase: PASSPHRASE,
    });
    // PLTEST_FAULT_HOLD_MS: how long the program keeps the up (and the stack's lock) going;
    // PLTEST_FAULT_WAIT_FOR_LEASE=1: the guest's create waits for its lease (fault-tools.ts startUp).
    // The engine's info, warning and error diagnostics (the provider's log lines among them) go to stdout, one per line, for the test.
    await stack.up({
        program: faultProgram(Number(process.env.PLTEST_FAULT_HOLD_MS ?? 0), {
            waitForLease: process.env.PLTEST_FAULT_WAIT_FOR_LEASE === "1",
        }),
        color: "never",
        onEvent: (e) => {
            const d = e.diagnosticEvent;
            if (d === undefined || !["info", "warning", "error"].includes(d.severity)) return;
            process.stdout.write(`${d.message.replaceAll("\n", " ").trim()}\n`);
        },
    });
}

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: fault-up-child <scenario folder>");
main(dir).then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(error);
        process.exit(1);
    },
);
