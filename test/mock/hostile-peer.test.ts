/**
 * The client against a broken or hostile peer (issue 16, item 4): whatever the peer sends or fails
 * to read, the client stays within bounded memory, fails the call, the stream or the connection
 * with a LibvirtError, and never throws where nobody can catch it.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { Writable } from "node:stream";
import { test } from "node:test";
import { DEFAULT_SLOW_CALL_TIMEOUT_MS, defaultTimeoutMs } from "../../provider/rpc/call-policy";
import { LibvirtClient } from "../../provider/rpc/client";
import { ConnectionError, LibvirtError } from "../../provider/rpc/errors";
import {
    KEEPALIVE_PROGRAM,
    KeepaliveProcedure,
    QEMU_PROGRAM,
    REMOTE_PROCEDURES,
    REMOTE_PROGRAM,
    REMOTE_PROTOCOL_VERSION,
    RemoteConnectGetHostnameRet,
    RemoteProcedure,
    VirErrorDomain,
    VirErrorNumber,
    VirNetMessageStatus,
    VirNetMessageType,
    VirNetStreamHole,
} from "../../provider/rpc/generated";
import { encodePacket, type Packet, type PacketHeader } from "../../provider/rpc/packet";
import { encodeXdr, XdrError } from "../../provider/rpc/xdr";
import { KEEPALIVE_PING, MockDaemon, type ReceivedCall } from "./mock-daemon";

const URI = "qemu:///system";
const VOL = { pool: "pltest-hostile-pool", name: "pltest-hostile-vol", key: "/var/lib/libvirt/images/pltest-hostile" };
const PACKET_BYTES = encodePacket({ prog: 0, vers: 0, proc: 0, type: 0, serial: 0, status: 0 }).length;

function open(daemon: MockDaemon, options = {}) {
    return LibvirtClient.open(daemon.transport, URI, options);
}

function tick(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

/** A client error raised by the client itself, not by libvirtd: a LibvirtError that is no XdrError. */
function assertClientError(error: unknown, code: VirErrorNumber, pattern: RegExp): asserts error is LibvirtError {
    assert.ok(LibvirtError.isInstance(error), `expected a LibvirtError, got ${String(error)}`);
    assert.ok(!(error instanceof XdrError), "an XdrError escaped");
    assert.equal(error.reportedByDaemon, false);
    assert.equal(error.codeName, VirErrorNumber[code]);
    assert.match(error.message, pattern);
}

function isStream(status: VirNetMessageStatus) {
    return (p: Packet) => p.header.type === VirNetMessageType.VIR_NET_STREAM && p.header.status === status;
}

function hole(length: bigint): Buffer {
    return encodeXdr(VirNetStreamHole, { length, flags: 0 });
}

/** A download the mock serves with `send`; it acknowledges the client's finish or abort. */
function serveDownload(daemon: MockDaemon, send: (call: ReceivedCall) => void): void {
    daemon.on("STORAGE_VOL_DOWNLOAD", (call) => {
        // Listen for the client's last word before sending: the in-memory pair may answer at once.
        void daemon
            .nextPacket((p) => p.header.serial === call.serial && p.header.type === VirNetMessageType.VIR_NET_STREAM)
            .then(() => daemon.sendStream(call, VirNetMessageStatus.VIR_NET_OK));
        setImmediate(() => send(call));
        return { ok: undefined };
    });
}

/** Answers a download with one hole of 2^50 bytes: more zeros than any memory holds. */
function serveHugeHole(daemon: MockDaemon): void {
    serveDownload(daemon, (call) =>
        daemon.sendStream(
            call,
            VirNetMessageStatus.VIR_NET_CONTINUE,
            hole(1n << 50n),
            VirNetMessageType.VIR_NET_STREAM_HOLE,
        ),
    );
}

/** A sink that counts what it is given and can stall; records its largest backlog. */
function countingSink(options: {
    highWaterMark?: number;
    stallFirstMs?: number;
    /** Finish every write at once: the sink never pushes back. */
    eager?: boolean;
    onBytes?: (n: number) => void;
}) {
    let bytes = 0;
    let nonZero = false;
    let maxBacklog = 0;
    let stalled = false;
    const sink = new Writable({
        highWaterMark: options.highWaterMark ?? 16 * 1024,
        write(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            if (!nonZero && (chunk[0] !== 0 || chunk[chunk.length - 1] !== 0)) nonZero = true;
            maxBacklog = Math.max(maxBacklog, sink.writableLength);
            options.onBytes?.(bytes);
            if (options.stallFirstMs !== undefined && !stalled) {
                stalled = true;
                setTimeout(done, options.stallFirstMs);
            } else if (options.eager) done();
            else setImmediate(done);
        },
    });
    return { sink, bytes: () => bytes, nonZero: () => nonZero, maxBacklog: () => maxBacklog };
}

test("a peer that floods keepalive PINGs and reads nothing gets at most one queued PONG", async () => {
    const daemon = new MockDaemon();
    const client = await open(daemon, { keepaliveIntervalMs: 0 });
    daemon.stopReading();
    const ping = encodePacket(KEEPALIVE_PING);
    const batch = Buffer.concat(Array.from({ length: 10_000 }, () => ping));
    for (let i = 0; i < 20; i++) {
        daemon.writeRaw(batch);
        await tick();
    }
    // 200,000 PINGs: answering each would queue 5.6 MB. What waits is what the peer's buffer
    // took before it filled, plus at most one PONG on our side.
    const queuedHere = daemon.transport.stream.writableLength;
    assert.ok(queuedHere <= PACKET_BYTES, `${queuedHere} bytes of keepalive answers queued in the client`);
    assert.ok(daemon.unreadBytes < 128 * 1024, `${daemon.unreadBytes} bytes waiting in the peer`);
    assert.ok(client.isOpen);
    daemon.startReading();
    daemon.on("CONNECT_GET_HOSTNAME", () => ({ ok: { hostname: "still-here" } }));
    assert.deepEqual(await client.connectGetHostname(), { hostname: "still-here" });
    await client.close();
});

test("an event whose payload does not decode fails the connection with a LibvirtError naming it", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ none: true }));
    const client = await open(daemon);
    const events: unknown[] = [];
    client.onEvent("DOMAIN_EVENT_CALLBACK_LIFECYCLE", (event) => events.push(event));
    const pending = client.connectGetHostname().catch((e: unknown) => e);
    await tick();
    daemon.sendPacket(
        {
            prog: REMOTE_PROGRAM,
            vers: REMOTE_PROTOCOL_VERSION,
            proc: RemoteProcedure.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
            type: VirNetMessageType.VIR_NET_MESSAGE,
            serial: 1,
            status: VirNetMessageStatus.VIR_NET_OK,
        },
        Buffer.from([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]),
    );
    const error = await pending;
    assertClientError(error, VirErrorNumber.VIR_ERR_RPC, /DOMAIN_EVENT_CALLBACK_LIFECYCLE/);
    assert.ok(error.isConnectionLost() && error.isOutcomeUnknown());
    assert.match(error.message, /qemu:\/\/\/system/);
    assert.deepEqual(events, []);
    assert.equal(client.isOpen, false);
});

test("an exception in an event handler is the program's, not the connection's", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ ok: { hostname: "h" } }));
    const client = await open(daemon);
    client.onEvent("DOMAIN_EVENT_CALLBACK_REBOOT", () => {
        throw new Error("pltest handler bug");
    });
    // The test runner reports uncaught exceptions as failures: stand in for it for this one.
    const runners = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    const thrown = new Promise<unknown>((resolve) => process.once("uncaughtException", resolve)).finally(() => {
        for (const listener of runners) process.on("uncaughtException", listener);
    });
    daemon.sendPacket(
        {
            prog: REMOTE_PROGRAM,
            vers: REMOTE_PROTOCOL_VERSION,
            proc: RemoteProcedure.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
            type: VirNetMessageType.VIR_NET_MESSAGE,
            serial: 1,
            status: VirNetMessageStatus.VIR_NET_OK,
        },
        encodeXdr(REMOTE_PROCEDURES.DOMAIN_EVENT_CALLBACK_REBOOT.message, {
            callbackID: 1,
            msg: { dom: { name: "pltest-hostile", uuid: Buffer.alloc(16), id: -1 } },
        }),
    );
    assert.match(String(await thrown), /pltest handler bug/);
    assert.ok(client.isOpen, "the connection survives a handler's exception");
    assert.deepEqual(await client.connectGetHostname(), { hostname: "h" });
    await client.close();
});

test("a reply that does not decode fails its call with a LibvirtError; the connection goes on", async () => {
    const daemon = new MockDaemon();
    let first = true;
    daemon.on("CONNECT_GET_HOSTNAME", (call) => {
        if (!first) return { ok: { hostname: "fine" } };
        first = false;
        daemon.sendPacket(
            { ...call.header, type: VirNetMessageType.VIR_NET_REPLY, status: VirNetMessageStatus.VIR_NET_OK },
            Buffer.from([0xff, 0xff, 0xff, 0xf0]),
        );
        return { none: true };
    });
    const client = await open(daemon);
    const error = await client.connectGetHostname().catch((e: unknown) => e);
    assertClientError(error, VirErrorNumber.VIR_ERR_RPC, /reply to CONNECT_GET_HOSTNAME does not decode/);
    assert.deepEqual(await client.connectGetHostname(), { hostname: "fine" });
    await client.close();
});

for (const [what, payload, pattern] of [
    ["a hole that does not decode", Buffer.from([1, 2, 3, 4]), /stream hole .*does not decode/],
    ["a negative hole", hole(-5n), /hole of -5 bytes/],
    ["a hole beyond 2^53", hole(1n << 60n), /hole of 1152921504606846976 bytes/],
] as const) {
    test(`${what} fails the download with a LibvirtError and the connection stays usable`, async () => {
        const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ ok: { hostname: "h" } }));
        serveDownload(daemon, (call) =>
            daemon.sendStream(
                call,
                VirNetMessageStatus.VIR_NET_CONTINUE,
                payload,
                VirNetMessageType.VIR_NET_STREAM_HOLE,
            ),
        );
        const client = await open(daemon);
        const { sink } = countingSink({});
        const error = await client.download(VOL, sink, { sparse: true }).catch((e: unknown) => e);
        assertClientError(error, VirErrorNumber.VIR_ERR_RPC, pattern);
        // The client aborted the stream as the protocol says.
        assert.ok(daemon.otherPackets.some(isStream(VirNetMessageStatus.VIR_NET_ERROR)));
        assert.deepEqual(await client.connectGetHostname(), { hostname: "h" });
        await client.close();
    });
}

test("a stream error whose payload does not decode fails the download with a LibvirtError", async () => {
    const daemon = new MockDaemon();
    daemon.on("STORAGE_VOL_DOWNLOAD", (call) => {
        setImmediate(() => daemon.sendStream(call, VirNetMessageStatus.VIR_NET_ERROR, Buffer.from([0, 0, 0])));
        return { ok: undefined };
    });
    const client = await open(daemon);
    const error = await client.download(VOL, countingSink({}).sink).catch((e: unknown) => e);
    assertClientError(error, VirErrorNumber.VIR_ERR_RPC, /error for STORAGE_VOL_DOWNLOAD that does not decode/);
    await client.close();
});

test("a 2^50-byte hole reaches onHole as a number, allocating nothing", async () => {
    const daemon = new MockDaemon();
    serveDownload(daemon, (call) => {
        daemon.sendStream(
            call,
            VirNetMessageStatus.VIR_NET_CONTINUE,
            hole(1n << 50n),
            VirNetMessageType.VIR_NET_STREAM_HOLE,
        );
        daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE, Buffer.from("x"));
        daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE);
    });
    const client = await open(daemon);
    const holes: number[] = [];
    const counted = countingSink({});
    const received = await client.download(VOL, counted.sink, { sparse: true, onHole: (n) => holes.push(n) });
    assert.deepEqual(holes, [2 ** 50]);
    assert.equal(received, 2 ** 50 + 1);
    assert.equal(counted.bytes(), 1);
    await client.close();
});

test("without onHole a 2^50-byte hole is written as zeros through the sink's backpressure, not into memory", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ ok: { hostname: "h" } }));
    serveHugeHole(daemon);
    const client = await open(daemon);
    const controller = new AbortController();
    const enough = 256 * 1024 * 1024;
    const memory = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = memory();
    let peak = before;
    const counted = countingSink({
        highWaterMark: 1024 * 1024,
        onBytes: (n) => {
            peak = Math.max(peak, memory());
            if (n >= enough) controller.abort(new Error("pltest: enough zeros"));
        },
    });
    await assert.rejects(
        client.download(VOL, counted.sink, { sparse: true, signal: controller.signal }),
        /enough zeros/,
    );
    assert.ok(counted.bytes() >= enough, `only ${counted.bytes()} bytes of the hole were written`);
    assert.equal(counted.nonZero(), false, "a hole is written as zeros");
    assert.ok(counted.maxBacklog() <= 2 * 1024 * 1024, `the sink held ${counted.maxBacklog()} bytes: no backpressure`);
    const grew = peak - before;
    assert.ok(grew < 64 * 1024 * 1024, `memory grew by ${grew} bytes while writing 256 MiB of a hole`);
    assert.deepEqual(await client.connectGetHostname(), { hostname: "h" });
    await client.close();
});

test("a destination that never pushes back does not stop timers and I/O while a huge hole is written", async () => {
    const daemon = new MockDaemon();
    serveHugeHole(daemon);
    const client = await open(daemon);
    // The abort comes from a timer: it fires only if the zero writes give the event loop a turn.
    const counted = countingSink({ eager: true });
    const signal = AbortSignal.timeout(200);
    await assert.rejects(
        client.download(VOL, counted.sink, { sparse: true, signal }),
        (e: Error) => e.name === "TimeoutError",
    );
    assert.ok(counted.bytes() > 0);
    await client.close();
});

test("a destination that stalls keeps the connection alive: keepalive pings go on, libvirtd is not blamed", async () => {
    const daemon = new MockDaemon();
    const chunk = Buffer.alloc(64 * 1024, 7);
    serveDownload(daemon, (call) => {
        for (let i = 0; i < 4; i++) daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE, chunk);
        daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE);
    });
    // Keepalive would declare a silent peer dead after about 3 x 30 ms; the destination stalls 600 ms.
    const client = await open(daemon, { keepaliveIntervalMs: 30, keepaliveCount: 3 });
    const pingsBefore = daemon.otherPackets.filter((p) => p.header.prog === KEEPALIVE_PROGRAM).length;
    const counted = countingSink({ highWaterMark: 16 * 1024, stallFirstMs: 600 });
    const received = await client.download(VOL, counted.sink);
    assert.equal(received, 4 * chunk.length);
    assert.equal(counted.bytes(), 4 * chunk.length);
    const pings = daemon.otherPackets.filter(
        (p) => p.header.prog === KEEPALIVE_PROGRAM && p.header.proc === KeepaliveProcedure.KEEPALIVE_PROC_PING,
    ).length;
    assert.ok(pings - pingsBefore >= 3, `the client sent ${pings - pingsBefore} PINGs while its reader stalled`);
    assert.ok(client.isOpen);
    await client.close();
});

test("a peer that answers keepalives but never replies: the default call timeout names the procedure and URI", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ none: true }));
    const client = await open(daemon, { keepaliveIntervalMs: 20, keepaliveCount: 3, callTimeoutMs: 300 });
    const started = Date.now();
    const error = await client.connectGetHostname().catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    assertClientError(error, VirErrorNumber.VIR_ERR_OPERATION_TIMEOUT, /CONNECT_GET_HOSTNAME on qemu:\/\/\/system/);
    assert.ok(error.isTimeout());
    assert.ok(elapsed >= 290 && elapsed < 3000, `timed out after ${elapsed} ms`);
    assert.ok(client.isOpen, "keepalive kept the connection: only the call timed out");
    // A call's own timeout wins over the connection's, and 0 waits for as long as it takes.
    await assert.rejects(
        client.connectGetHostname({ timeoutMs: 30 }),
        (e) => LibvirtError.isInstance(e) && e.isTimeout(),
    );
    const patient = client.connectGetHostname({ timeoutMs: 0 });
    await new Promise((r) => setTimeout(r, 500));
    daemon.reply(daemon.calls.at(-1)!, { ok: { hostname: "late" } });
    assert.deepEqual(await patient, { hostname: "late" });
    await client.close();
});

test("long storage calls get the long default timeout; stream data is never timed", async () => {
    assert.equal(defaultTimeoutMs("STORAGE_VOL_WIPE", 1000), DEFAULT_SLOW_CALL_TIMEOUT_MS);
    assert.equal(defaultTimeoutMs("DOMAIN_LOOKUP_BY_NAME", 1000), 1000);
    assert.equal(defaultTimeoutMs("STORAGE_VOL_WIPE", 0), 0);
    const daemon = new MockDaemon();
    serveDownload(daemon, (call) => {
        let sent = 0;
        const timer = setInterval(() => {
            if (sent++ < 3) return daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE, Buffer.from("slow"));
            clearInterval(timer);
            daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE);
        }, 100);
    });
    const client = await open(daemon, { callTimeoutMs: 50 });
    assert.equal(await client.download(VOL, countingSink({}).sink), 12);
    await client.close();
});

for (const [what, change] of [
    ["procedure", { proc: RemoteProcedure.REMOTE_PROC_CONNECT_GET_TYPE }],
    ["program", { prog: QEMU_PROGRAM }],
    ["version", { vers: REMOTE_PROTOCOL_VERSION + 1 }],
] as const) {
    test(`a reply with the right serial but the wrong ${what} is a protocol error on the connection`, async () => {
        const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", (call) => {
            const header: PacketHeader = {
                ...call.header,
                ...change,
                type: VirNetMessageType.VIR_NET_REPLY,
                status: VirNetMessageStatus.VIR_NET_OK,
            };
            daemon.sendPacket(header, encodeXdr(RemoteConnectGetHostnameRet, { hostname: "wrong" }));
            return { none: true };
        });
        const client = await open(daemon);
        const error = await client.connectGetHostname().catch((e: unknown) => e);
        assertClientError(
            error,
            VirErrorNumber.VIR_ERR_RPC,
            /reply to CONNECT_GET_HOSTNAME \(serial \d+\) came back as/,
        );
        assert.ok(ConnectionError.isInstance(error) && error.failure === "protocol");
        assert.equal(client.isOpen, false);
    });
}

test("a stream packet with the right serial but another procedure is a protocol error", async () => {
    const daemon = new MockDaemon();
    serveDownload(daemon, (call) =>
        daemon.sendPacket(
            {
                ...call.header,
                proc: RemoteProcedure.REMOTE_PROC_STORAGE_VOL_UPLOAD,
                type: VirNetMessageType.VIR_NET_STREAM,
                status: VirNetMessageStatus.VIR_NET_CONTINUE,
            },
            Buffer.from("data"),
        ),
    );
    const client = await open(daemon);
    const error = await client.download(VOL, countingSink({}).sink).catch((e: unknown) => e);
    assertClientError(error, VirErrorNumber.VIR_ERR_RPC, /stream packet of STORAGE_VOL_DOWNLOAD .* STORAGE_VOL_UPLOAD/);
    assert.equal(client.isOpen, false);
});

/** A TCP listener on 127.0.0.1 that accepts and then says nothing. */
async function silentServer(): Promise<{ server: Server; port: number }> {
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    assert.ok(address && typeof address === "object");
    return { server, port: address.port };
}

test("a connect timeout names the URI and the step it waited for", async () => {
    const { server, port } = await silentServer();
    try {
        const uri = `qemu+tcp://127.0.0.1:${port}/system`;
        const error = await LibvirtClient.connect(uri, { connectTimeoutMs: 300 }).catch((e: unknown) => e);
        assert.ok(error instanceof Error);
        assert.doesNotMatch(error.message, /The operation was aborted/);
        assert.ok(error.message.startsWith(`${uri}: connecting timed out after 300 ms`), error.message);
        assert.match(error.message, /AUTH_LIST/);
        assert.ok(LibvirtError.isInstance(error) && error.isConnectionLost() && !error.reportedByDaemon);
    } finally {
        server.close();
    }
});

test("errors of the connect sequence name the URI", async () => {
    const refusing = new MockDaemon().on("CONNECT_OPEN", () => ({
        error: {
            code: VirErrorNumber.VIR_ERR_NO_CONNECT,
            domain: VirErrorDomain.VIR_FROM_RPC,
            message: "no connection driver available",
        },
    }));
    const refused = await open(refusing).catch((e: unknown) => e);
    assert.ok(LibvirtError.isInstance(refused) && refused.reportedByDaemon, String(refused));
    assert.match(refused.message, /^qemu:\/\/\/system: no connection driver available/);

    const closing = new MockDaemon().on("AUTH_LIST", (_call, daemon) => {
        daemon.disconnect();
        return { none: true };
    });
    const closed = await open(closing).catch((e: unknown) => e);
    assert.ok(ConnectionError.isInstance(closed), String(closed));
    assert.match(closed.message, /^qemu:\/\/\/system \(mock libvirtd\): connection closed by the other side/);
});
