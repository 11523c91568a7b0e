/**
 * Preloaded into every test file's process by scripts/test.sh (`--import`): a file whose tests
 * have all ended but which something keeps alive (a libvirt connection's keepalive timer, a child
 * process) would make Node's runner wait for it forever, and CI would be killed at its limit with
 * every later file unreported. This ends such a process 30 s after its tests, saying so.
 *
 * Not `--test-force-exit`: that exits while the file's results are still being written to the
 * runner, and loses some of them (seen here: 41 of 2385 tests missing from a report).
 */
import { after } from "node:test";

/** Long enough for the results to reach the runner, short against CI's limit. */
const GRACE_MS = 30_000;

after(() => {
    const timer = setTimeout(() => {
        process.stderr.write(
            `${process.argv[1] ?? "a test file"}: still running ${GRACE_MS / 1000} s after its tests ended ` +
                "(a timer, socket or child process left open): ended by test/helpers/exit-guard.ts\n",
        );
        process.exit();
    }, GRACE_MS);
    // Only a process that something else keeps alive ever reaches the timer.
    timer.unref();
});
