/**
 * Connection behaviour that the real daemon will not show on demand, against the mock daemon.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LibvirtClient } from "../../provider/rpc/client";
import { CallTimeoutError, ConnectionError, LibvirtError } from "../../provider/rpc/errors";
import {
    KEEPALIVE_PROGRAM,
    KeepaliveProcedure,
    REMOTE_PROGRAM,
    REMOTE_PROTOCOL_VERSION,
    RemoteDomainEventCallbackRebootMsg,
    RemoteProcedure,
    VirErrorDomain,
    VirErrorNumber,
    VirNetMessageStatus,
    VirNetMessageType,
} from "../../provider/rpc/generated";
import { MAX_PACKET_LENGTH } from "../../provider/rpc/packet";
import { encodeXdr } from "../../provider/rpc/xdr";
import { MockDaemon, type ReceivedCall } from "./mock-daemon";

const DOM = { name: "pltest-mock", uuid: Buffer.alloc(16, 1), id: -1 };

async function open(daemon: MockDaemon, options = {}) {
    return LibvirtClient.open(daemon.transport, "qemu:///system", options);
}

/** Looks the names up all at once: each call gets its own reply, and the daemon saw no protocol error. */
async function assertEachLookupAnswered(client: LibvirtClient, daemon: MockDaemon, names: string[]): Promise<void> {
    const results = await Promise.all(names.map((name) => client.domainLookupByName({ name })));
    assert.deepEqual(
        results.map((r) => r.dom.name),
        names,
    );
    assert.deepEqual(daemon.protocolErrors, []);
}

test("the connect sequence is the one libvirt's client uses", async () => {
    const daemon = new MockDaemon();
    const client = await open(daemon);
    assert.deepEqual(
        daemon.calls.map((c) => c.name),
        [
            "AUTH_LIST",
            "CONNECT_SUPPORTS_FEATURE",
            "CONNECT_OPEN",
            "CONNECT_SUPPORTS_FEATURE",
            "CONNECT_GET_LIB_VERSION",
        ],
    );
    assert.equal(daemon.calls[0]!.serial, 0, "libvirt's client starts serials at 0");
    assert.deepEqual(daemon.calls[2]!.args, { name: "qemu:///system", flags: 0 });
    assert.equal(client.session.libVersion, 9000000);
    await client.close();
    assert.equal(daemon.calls.at(-1)!.name, "CONNECT_CLOSE");
    assert.equal(client.isOpen, false);
    assert.deepEqual(daemon.protocolErrors, []);
});

test("SASL is refused with a clear error", async () => {
    const daemon = new MockDaemon().on("AUTH_LIST", () => ({ ok: { types: [1] } }));
    await assert.rejects(open(daemon), /SASL authentication, which pulumi-libvirt does not support/);
});

test("polkit authentication is performed when offered", async () => {
    const daemon = new MockDaemon()
        .on("AUTH_LIST", () => ({ ok: { types: [2] } }))
        .on("AUTH_POLKIT", () => ({ ok: { complete: 1 } }));
    const client = await open(daemon);
    assert.equal(daemon.calls[1]!.name, "AUTH_POLKIT");
    await client.close();
});

test("replies out of order reach the right callers", async () => {
    const daemon = new MockDaemon();
    const held: ReceivedCall[] = [];
    daemon.on("DOMAIN_LOOKUP_BY_NAME", (call) => {
        held.push(call);
        if (held.length === 5) {
            for (const c of held.reverse()) {
                daemon.reply(c, { ok: { dom: { ...DOM, name: c.args.name } } });
            }
        }
        return { none: true };
    });
    const client = await open(daemon);
    const names = ["a", "b", "c", "d", "e"].map((n) => `pltest-${n}`);
    await assertEachLookupAnswered(client, daemon, names);
    await client.close();
});

test("an error reply is decoded whole into a LibvirtError", async () => {
    const daemon = new MockDaemon().on("DOMAIN_LOOKUP_BY_NAME", () => ({
        error: {
            code: VirErrorNumber.VIR_ERR_NO_DOMAIN,
            domain: VirErrorDomain.VIR_FROM_QEMU,
            message: "Domain not found: no domain with matching name 'x'",
            str1: "Domain not found: %s",
            str2: "no domain with matching name 'x'",
            int1: -1,
            int2: 3,
        },
    }));
    const client = await open(daemon);
    const error = await client.domainLookupByName({ name: "x" }).catch((e: unknown) => e);
    assert.ok(LibvirtError.isInstance(error));
    assert.equal(error.code, VirErrorNumber.VIR_ERR_NO_DOMAIN);
    assert.equal(error.domain, VirErrorDomain.VIR_FROM_QEMU);
    assert.equal(error.codeName, "VIR_ERR_NO_DOMAIN");
    assert.equal(error.str1, "Domain not found: %s");
    assert.equal(error.str3, null);
    assert.equal(error.int2, 3);
    assert.equal(error.procedure, "DOMAIN_LOOKUP_BY_NAME");
    assert.ok(error.isNoDomain() && error.isNotFound() && !error.isNoNetwork());
    assert.match(error.message, /Domain not found.*DOMAIN_LOOKUP_BY_NAME/);
    await client.close();
});

test("a call that times out fails alone; the connection stays usable and the late reply is dropped", async () => {
    const daemon = new MockDaemon();
    let slow: ReceivedCall | undefined;
    daemon.on("CONNECT_GET_HOSTNAME", (call) => {
        if (!slow) {
            slow = call;
            return { none: true };
        }
        return { ok: { hostname: "fast" } };
    });
    const client = await open(daemon);
    await assert.rejects(client.connectGetHostname({ timeoutMs: 50 }), (e) => CallTimeoutError.isInstance(e));
    daemon.reply(slow!, { ok: { hostname: "late" } });
    assert.deepEqual(await client.connectGetHostname(), { hostname: "fast" });
    assert.equal(client.pendingCalls, 0);
    await client.close();
});

test("an AbortSignal abandons the wait for a reply", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ none: true }));
    const client = await open(daemon);
    const controller = new AbortController();
    const pending = client.connectGetHostname({ signal: controller.signal });
    controller.abort(new Error("user gave up"));
    await assert.rejects(pending, /user gave up/);
    assert.equal(client.pendingCalls, 0);
    client.onClose(() => {});
    await client.close({ timeoutMs: 10 });
});

test("a disconnect mid-call fails every pending call at once with a clear error", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ none: true }));
    const client = await open(daemon);
    const pending = [client.connectGetHostname(), client.connectGetHostname(), client.connectGetHostname()];
    await new Promise((r) => setImmediate(r));
    daemon.disconnect();
    for (const p of pending) {
        await assert.rejects(
            p,
            (e) => ConnectionError.isInstance(e) && e.failure === "eof" && /closed by the other side/.test(e.message),
        );
    }
    assert.equal(client.isOpen, false);
    // Calls after the death fail immediately instead of hanging.
    await assert.rejects(client.connectGetHostname(), (e) => ConnectionError.isInstance(e));
});

test("a garbage frame is fatal to the connection", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ none: true }));
    const client = await open(daemon);
    const pending = client.connectGetHostname();
    daemon.writeRaw(Buffer.from([0, 0, 0, 5, 0xde, 0xad, 0xbe, 0xef]));
    await assert.rejects(pending, (e) => ConnectionError.isInstance(e) && e.failure === "framing");
    assert.equal(client.isOpen, false);
});

test("an oversized frame is fatal to the connection", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ none: true }));
    const client = await open(daemon);
    const pending = client.connectGetHostname();
    const word = Buffer.alloc(4);
    word.writeUInt32BE(MAX_PACKET_LENGTH + 1);
    daemon.writeRaw(word);
    await assert.rejects(
        pending,
        (e) => ConnectionError.isInstance(e) && e.failure === "framing" && /packet length/.test(e.message),
    );
});

test("a hung peer is detected by keepalive", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ none: true }));
    const client = await open(daemon, { keepaliveIntervalMs: 40, keepaliveCount: 3 });
    daemon.hung = true;
    const started = Date.now();
    await assert.rejects(
        client.connectGetHostname(),
        (e) => ConnectionError.isInstance(e) && e.failure === "keepalive",
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2000, `dead peer detected after ${elapsed} ms`);
});

test("keepalive pings are sent on silence and answered when received", async () => {
    const daemon = new MockDaemon();
    const client = await open(daemon, { keepaliveIntervalMs: 30, keepaliveCount: 5 });
    const ping = await daemon.nextPacket((p) => p.header.prog === KEEPALIVE_PROGRAM);
    assert.equal(ping.header.proc, KeepaliveProcedure.KEEPALIVE_PROC_PING);
    // The in-memory pair can deliver the answer before ping() returns: listen first.
    const answer = daemon.nextPacket(
        (p) => p.header.prog === KEEPALIVE_PROGRAM && p.header.proc === KeepaliveProcedure.KEEPALIVE_PROC_PONG,
    );
    daemon.ping();
    const pong = await answer;
    assert.equal(pong.header.type, VirNetMessageType.VIR_NET_MESSAGE);
    assert.equal(pong.header.serial, 0);
    await client.close();
});

test("an event message with a pending call's serial is routed as an event, not as the reply", async () => {
    const daemon = new MockDaemon().on("CONNECT_GET_HOSTNAME", () => ({ none: true }));
    const client = await open(daemon);
    const pending = client.connectGetHostname();
    await new Promise((r) => setImmediate(r));
    const call = daemon.calls.at(-1)!;
    const events: unknown[] = [];
    client.onEvent("DOMAIN_EVENT_CALLBACK_REBOOT", (m) => events.push(m));
    daemon.sendPacket(
        {
            prog: REMOTE_PROGRAM,
            vers: REMOTE_PROTOCOL_VERSION,
            proc: RemoteProcedure.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
            type: VirNetMessageType.VIR_NET_MESSAGE,
            serial: call.serial,
            status: VirNetMessageStatus.VIR_NET_OK,
        },
        encodeXdr(RemoteDomainEventCallbackRebootMsg, { callbackID: 4, msg: { dom: DOM } }),
    );
    daemon.reply(call, { ok: { hostname: "h" } });
    assert.deepEqual(await pending, { hostname: "h" });
    assert.equal(events.length, 1);
    assert.equal((events[0] as { callbackID: number }).callbackID, 4);
    await client.close();
});

test("200 concurrent calls on one connection each get their own reply", async () => {
    const daemon = new MockDaemon().on("DOMAIN_LOOKUP_BY_NAME", (call) => {
        // Answer with a random delay so that replies interleave arbitrarily.
        return new Promise((resolve) =>
            setTimeout(() => resolve({ ok: { dom: { ...DOM, name: call.args.name } } }), Math.random() * 20),
        );
    });
    const client = await open(daemon);
    const names = Array.from({ length: 200 }, (_, i) => `pltest-${i}`);
    await assertEachLookupAnswered(client, daemon, names);
    await client.close();
});
