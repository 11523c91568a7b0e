/**
 * libvirtd stops and starts again while calls are running: pending calls fail at once with a
 * clear error, and the connection pool reconnects.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ConnectionError, ConnectionPool } from "../../../provider/rpc";
import { loadTestHost, startLibvirtd, stopLibvirtd } from "../../helpers/test-host";

const host = loadTestHost();
const pool = new ConnectionPool({ reconnectWindowMs: 30_000 });

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
        for (const f of failures) assert.match(f.message, /closed|reset|EOF|EPIPE|ECONNRESET/i);
        assert.equal(first.isOpen, false);

        startLibvirtd();
        const second = await pool.get(uri);
        assert.notEqual(second, first, "the pool opened a new connection");
        assert.ok((await second.connectGetHostname()).hostname);
    });
}
