/**
 * libvirtd stops, or restarts, while calls are running. Stopped for good: calls in flight fail
 * with a clear error once the pool's reconnect window has passed, and the pool reconnects when
 * the daemon is back. Restarted: reads in flight are sent again on the new connection and succeed.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, test } from "node:test";
import { promisify } from "node:util";
import { ConnectionError, ConnectionPool } from "../../../provider/rpc";
import { loadTestHost, SETUP_SCRIPT, startLibvirtd, stopLibvirtd } from "../../helpers/test-host";

const host = loadTestHost();
// Short: while the daemon is stopped, reads in flight wait this long for a new connection.
const pool = new ConnectionPool({ reconnectWindowMs: 2000 });

after(async () => {
    startLibvirtd(); // whatever happened, leave the daemon running for the next test file
    await pool.closeAll();
});

for (const [transport, uri] of [
    ["unix", host.unixUri],
    ["tls", host.tlsUri],
] as const) {
    test(`over ${transport}: calls in flight fail clearly when libvirtd stops, and the pool reconnects`, async () => {
        const first = await pool.get(uri);
        assert.ok((await first.connectGetHostname()).hostname);

        // Keep calls flowing while the daemon goes away.
        let stop = false;
        const outcomes: Array<"ok" | ConnectionError> = [];
        const loop = (async () => {
            while (!stop) {
                const batch = Array.from({ length: 10 }, () =>
                    first.connectGetHostname().then(
                        () => "ok" as const,
                        (e: unknown) => {
                            if (!ConnectionError.isInstance(e)) throw e;
                            return e;
                        },
                    ),
                );
                outcomes.push(...(await Promise.all(batch)));
                if (!first.isOpen) break;
            }
        })();
        await new Promise((r) => setTimeout(r, 200));
        stopLibvirtd();
        await loop;
        stop = true;

        const failures = outcomes.filter((o): o is ConnectionError => o !== "ok");
        assert.ok(failures.length > 0, "some calls were in flight when the daemon stopped");
        for (const f of failures) {
            assert.match(f.message, /closed|reset|EOF|EPIPE|ECONNRESET/i);
            // Reads are retried on a new connection, which could not be opened while the daemon was down.
            assert.match(f.message, /reconnecting failed/);
        }
        assert.equal(first.isOpen, false);

        startLibvirtd();
        const second = await pool.get(uri);
        assert.notEqual(second, first, "the pool opened a new connection");
        assert.ok((await second.connectGetHostname()).hostname);
    });
}

test("reads in flight while libvirtd restarts are sent again on the new connection and succeed", async () => {
    const restartPool = new ConnectionPool({ reconnectWindowMs: 60_000 });
    try {
        const client = await restartPool.get(host.unixUri);
        let droppedAt: number | undefined;
        client.onClose(() => {
            droppedAt = Date.now();
        });
        let restarted = false;
        const restart = promisify(execFile)("bash", [SETUP_SCRIPT, "restart-libvirtd"], { timeout: 180_000 }).finally(
            () => {
                restarted = true;
            },
        );
        const spans: Array<{ started: number; ended: number }> = [];
        const failures: unknown[] = [];
        // Four readers keep calls in flight on the client handed out before the restart.
        const reader = async () => {
            while (!restarted) {
                const started = Date.now();
                try {
                    assert.ok((await client.connectGetHostname()).hostname);
                    spans.push({ started, ended: Date.now() });
                } catch (error) {
                    failures.push(error);
                }
            }
        };
        await Promise.all([reader(), reader(), reader(), reader(), restart]);
        assert.deepEqual(failures.map(String), [], "no read failed across the restart");
        assert.ok(droppedAt !== undefined, "the restart dropped the client's connection");
        const carried = spans.filter((s) => s.started < droppedAt! && s.ended > droppedAt!).length;
        assert.ok(carried > 0, "some read was in flight when the connection dropped and still succeeded");
        assert.ok((await client.connectGetHostname()).hostname, "the old client follows the pool's new connection");
    } finally {
        startLibvirtd(); // should the restart have failed half-way, leave a daemon running
        await restartPool.closeAll();
    }
});
