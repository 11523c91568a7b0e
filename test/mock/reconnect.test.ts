/**
 * Calls across a dropped connection (issue 16, item 3), with a mock daemon per connection: a read
 * in flight is sent once more on the pool's new connection; a mutating call in flight is not, and
 * fails saying its outcome is unknown; a client handed out before the drop follows the pool.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isIdempotent } from "../../provider/rpc/call-policy";
import { LibvirtClient } from "../../provider/rpc/client";
import { ConnectionError, LibvirtError } from "../../provider/rpc/errors";
import { ConnectionPool } from "../../provider/rpc/pool";
import { type Handler, MockDaemon } from "./mock-daemon";

const URI = "qemu:///system";
const DOM = { name: "pltest-reconnect", uuid: Buffer.alloc(16, 2), id: -1 };

/** Lookups answer with the daemon's number in the name, so a test sees which connection answered. */
function lookupAnswer(index: number): Handler {
    return (call) => ({ ok: { dom: { ...DOM, name: `${call.args.name}@${index}` } } });
}

/**
 * A pool whose connections are mock daemons, made by `setup(daemon, index)`. `refusals` connect
 * attempts after the first fail, as while libvirtd restarts.
 */
function mockPool(
    setup: (daemon: MockDaemon, index: number) => void,
    options: { refusals?: number; windowMs?: number } = {},
) {
    const daemons: MockDaemon[] = [];
    let refusals = options.refusals ?? 0;
    const pool = new ConnectionPool({
        reconnectWindowMs: options.windowMs ?? 3000,
        connector: async (uri, connectOptions) => {
            if (daemons.length > 0 && refusals-- > 0) throw new Error("pltest: libvirtd is not listening yet");
            const daemon = new MockDaemon();
            setup(daemon, daemons.length);
            daemons.push(daemon);
            return LibvirtClient.open(daemon.transport, uri, connectOptions);
        },
    });
    return { pool, daemons };
}

/** Resolves once `daemon` has received a call of `name`. */
async function received(daemon: MockDaemon, name: string): Promise<void> {
    while (!daemon.calls.some((c) => c.name === name)) await new Promise((r) => setImmediate(r));
}

test("the retry table: reads are idempotent, defines and starts are not", () => {
    for (const read of [
        "DOMAIN_LOOKUP_BY_NAME",
        "DOMAIN_GET_XML_DESC",
        "CONNECT_LIST_ALL_DOMAINS",
        "STORAGE_VOL_GET_INFO",
    ])
        assert.ok(isIdempotent(read), read);
    for (const write of [
        "DOMAIN_DEFINE_XML_FLAGS",
        "DOMAIN_CREATE_WITH_FLAGS",
        "STORAGE_VOL_CREATE_XML",
        "NETWORK_UPDATE",
    ])
        assert.ok(!isIdempotent(write), write);
});

test("a read in flight when the connection drops is sent once more on the new connection", async () => {
    const { pool, daemons } = mockPool(
        (daemon, index) =>
            daemon.on("DOMAIN_LOOKUP_BY_NAME", index === 0 ? () => ({ none: true }) : lookupAnswer(index)),
        { refusals: 2 },
    );
    const client = await pool.get(URI);
    const pending = client.domainLookupByName({ name: "pltest-a" });
    await received(daemons[0]!, "DOMAIN_LOOKUP_BY_NAME");
    daemons[0]!.disconnect();
    assert.equal((await pending).dom.name, "pltest-a@1");
    assert.equal(daemons.length, 2);
    assert.equal(daemons[1]!.calls.filter((c) => c.name === "DOMAIN_LOOKUP_BY_NAME").length, 1);
    // The client handed out before the drop follows the pool to the new connection.
    assert.equal(client.isOpen, false);
    assert.equal((await client.domainLookupByName({ name: "pltest-b" })).dom.name, "pltest-b@1");
    for (const daemon of daemons) assert.deepEqual(daemon.protocolErrors, []);
    await pool.closeAll();
});

test("a mutating call in flight is not repeated: it fails as 'connection lost, outcome unknown'", async () => {
    const { pool, daemons } = mockPool((daemon, index) => {
        daemon.on("DOMAIN_LOOKUP_BY_NAME", lookupAnswer(index));
        daemon.on("DOMAIN_DEFINE_XML_FLAGS", index === 0 ? () => ({ none: true }) : () => ({ ok: { dom: DOM } }));
    });
    const client = await pool.get(URI);
    const pending = client.domainDefineXmlFlags({ xml: "<domain/>", flags: 0 }).catch((e: unknown) => e);
    await received(daemons[0]!, "DOMAIN_DEFINE_XML_FLAGS");
    daemons[0]!.disconnect();
    const error = await pending;
    assert.ok(LibvirtError.isInstance(error), String(error));
    assert.ok(error.isConnectionLost() && error.isOutcomeUnknown() && !error.reportedByDaemon);
    assert.equal(error.procedure, "DOMAIN_DEFINE_XML_FLAGS");
    assert.match(error.message, /DOMAIN_DEFINE_XML_FLAGS was sent and may or may not have been carried out/);
    // A higher layer can now look: the lookup goes to the new connection.
    assert.equal((await client.domainLookupByName({ name: "pltest-c" })).dom.name, "pltest-c@1");
    assert.ok(!daemons[1]!.calls.some((c) => c.name === "DOMAIN_DEFINE_XML_FLAGS"), "the define was repeated");
    // A mutating call made after the drop was never sent on the old connection: it goes to the new one.
    await client.domainDefineXmlFlags({ xml: "<domain/>", flags: 0 });
    assert.equal(daemons[1]!.calls.filter((c) => c.name === "DOMAIN_DEFINE_XML_FLAGS").length, 1);
    await pool.closeAll();
});

test("a read is retried once only: a second drop fails it with its outcome unknown", async () => {
    const { pool, daemons } = mockPool((daemon, index) =>
        daemon.on("DOMAIN_LOOKUP_BY_NAME", index < 2 ? () => ({ none: true }) : lookupAnswer(index)),
    );
    const client = await pool.get(URI);
    const pending = client.domainLookupByName({ name: "pltest-d" }).catch((e: unknown) => e);
    await received(daemons[0]!, "DOMAIN_LOOKUP_BY_NAME");
    daemons[0]!.disconnect();
    while (daemons.length < 2) await new Promise((r) => setImmediate(r));
    await received(daemons[1]!, "DOMAIN_LOOKUP_BY_NAME");
    daemons[1]!.disconnect();
    const error = await pending;
    assert.ok(ConnectionError.isInstance(error) && error.isOutcomeUnknown(), String(error));
    assert.equal(daemons.length, 2, "no third connection was opened for the same call");
    await pool.closeAll();
});

test("the wait for a new connection is bounded by the pool's reconnect window", async () => {
    const { pool, daemons } = mockPool((daemon) => daemon.on("DOMAIN_LOOKUP_BY_NAME", () => ({ none: true })), {
        refusals: Number.POSITIVE_INFINITY,
        windowMs: 400,
    });
    const client = await pool.get(URI);
    const pending = client.domainLookupByName({ name: "pltest-e" }).catch((e: unknown) => e);
    await received(daemons[0]!, "DOMAIN_LOOKUP_BY_NAME");
    const dropped = Date.now();
    daemons[0]!.disconnect();
    const error = await pending;
    const waited = Date.now() - dropped;
    assert.ok(ConnectionError.isInstance(error) && error.isConnectionLost(), String(error));
    assert.match(error.message, /reconnecting failed: pltest: libvirtd is not listening yet/);
    assert.ok(waited >= 200 && waited < 3000, `gave up after ${waited} ms`);
});

test("a client opened outside a pool does not reconnect: a read in flight fails with its outcome unknown", async () => {
    const daemon = new MockDaemon().on("DOMAIN_LOOKUP_BY_NAME", () => ({ none: true }));
    const client = await LibvirtClient.open(daemon.transport, URI);
    const pending = client.domainLookupByName({ name: "pltest-f" }).catch((e: unknown) => e);
    await received(daemon, "DOMAIN_LOOKUP_BY_NAME");
    daemon.disconnect();
    const error = await pending;
    assert.ok(ConnectionError.isInstance(error) && error.isOutcomeUnknown() && error.failure === "eof", String(error));
    // A call after the death was never sent, and says so.
    const after = await client.domainLookupByName({ name: "pltest-g" }).catch((e: unknown) => e);
    assert.ok(
        ConnectionError.isInstance(after) && after.isConnectionLost() && !after.isOutcomeUnknown(),
        String(after),
    );
    assert.match(after.message, /DOMAIN_LOOKUP_BY_NAME was not sent/);
});
