/**
 * Every transport against the real libvirtd of the test host (scripts/setup-test-host.sh): open it,
 * send a keepalive PING (the packet the ssh and ext probe sends) and expect the daemon's PONG, which
 * needs no authentication and so proves only that bytes flow both ways. Failure cases check that
 * errors name the URI and a fix.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Duplex } from "node:stream";
import { createServer as createTlsServer } from "node:tls";
import { after, test } from "node:test";
import {
    KEEPALIVE_PROGRAM,
    KEEPALIVE_PROTOCOL_VERSION,
    KeepaliveProcedure,
    VirNetMessageStatus,
    VirNetMessageType,
} from "../../../provider/rpc/generated/constants";
import { VirNetMessageHeader } from "../../../provider/rpc/generated/virnet";
import { openTransport, readConfirmationByte, type Transport, TransportError } from "../../../provider/rpc/transports";
import {
    KEEPALIVE_PACKET_BYTES,
    KEEPALIVE_SERIAL,
    keepalivePingPacket,
} from "../../../provider/rpc/transports/keepalive-probe";
import { parseLibvirtUri } from "../../../provider/rpc/uri";
import { XdrReader } from "../../../provider/rpc/xdr";
import { loadTestHost, PROJECT_ROOT, type TestHost } from "../../helpers/test-host";

/** Generous: an SSH login on a loaded CI machine can take a few seconds. */
const REPLY_TIMEOUT_MS = 20_000;

const EXT_FIXTURE = join(PROJECT_ROOT, "test", "fixtures", "ext-nc.sh");

/** Read exactly `count` bytes, failing on error, end of stream or timeout. */
function readExactly(stream: Duplex, count: number, timeoutMs = REPLY_TIMEOUT_MS): Promise<Buffer> {
    return new Promise((resolvePromise, reject) => {
        const chunks: Buffer[] = [];
        let total = 0;
        const cleanup = () => {
            clearTimeout(timer);
            stream.off("data", onData);
            stream.off("error", onError);
            stream.off("end", onEnd);
        };
        const onData = (chunk: Buffer) => {
            chunks.push(chunk);
            total += chunk.length;
            if (total >= count) {
                cleanup();
                stream.pause();
                resolvePromise(Buffer.concat(chunks).subarray(0, count));
            }
        };
        const onError = (error: Error) => {
            cleanup();
            reject(error);
        };
        const onEnd = () => {
            cleanup();
            reject(new Error(`stream ended after ${total} of ${count} bytes`));
        };
        const timer = setTimeout(() => {
            cleanup();
            reject(new Error(`no ${count} bytes within ${timeoutMs} ms (got ${total})`));
        }, timeoutMs);
        stream.on("data", onData);
        stream.once("error", onError);
        stream.once("end", onEnd);
        // A previous readExactly paused the stream; a new 'data' listener alone would not restart it.
        stream.resume();
    });
}

/** Resolve with the stream's error; fail if it ends cleanly or stays silent. */
function streamError(stream: Duplex, timeoutMs = REPLY_TIMEOUT_MS): Promise<Error> {
    return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`no error within ${timeoutMs} ms`)), timeoutMs);
        stream.once("error", (error) => {
            clearTimeout(timer);
            resolvePromise(error);
        });
        stream.once("end", () => {
            clearTimeout(timer);
            reject(new Error("stream ended without an error"));
        });
        stream.resume();
    });
}

async function assertPingPong(transport: Transport): Promise<void> {
    transport.stream.write(keepalivePingPacket());
    const reply = await readExactly(transport.stream, KEEPALIVE_PACKET_BYTES);
    const r = new XdrReader(reply);
    assert.equal(r.uint(), KEEPALIVE_PACKET_BYTES, "packet length");
    assert.deepEqual(VirNetMessageHeader.decode(r), {
        prog: KEEPALIVE_PROGRAM,
        vers: KEEPALIVE_PROTOCOL_VERSION,
        proc: KeepaliveProcedure.KEEPALIVE_PROC_PONG,
        type: VirNetMessageType.VIR_NET_MESSAGE,
        serial: KEEPALIVE_SERIAL,
        status: VirNetMessageStatus.VIR_NET_OK,
    });
}

async function pingPongOver(uri: string, expectedDescription: RegExp): Promise<void> {
    const transport = await openTransport(parseLibvirtUri(uri));
    try {
        assert.match(transport.description, expectedDescription);
        await assertPingPong(transport);
        // A second round trip on the same transport: nothing is lost or left over.
        await assertPingPong(transport);
    } finally {
        transport.close();
    }
}

async function assertOpenFails(uri: string, pattern: RegExp, options?: Parameters<typeof openTransport>[1]) {
    await assert.rejects(openTransport(parseLibvirtUri(uri), options), (error: unknown) => {
        assert.ok(error instanceof TransportError, `expected a TransportError, got ${String(error)}`);
        assert.equal(error.uri, uri);
        assert.ok(error.message.includes(uri), `message names the URI: ${error.message}`);
        assert.match(error.message, pattern);
        return true;
    });
}

const scratch = mkdtempSync(join(tmpdir(), "transports-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

// ---- the daemon over every transport ----

test("unix: PING → PONG over the libvirtd socket", async () => {
    const host = loadTestHost();
    await pingPongOver(host.unixUri, /^unix socket \/var\/run\/libvirt\/(libvirt|virtqemud)-sock$/);
});

test("unix: explicit ?socket= and the read-only socket", async () => {
    const host = loadTestHost();
    await pingPongOver(`qemu+unix:///system?socket=${host.unixSocket}`, /unix socket/);
    const readOnly = await openTransport(parseLibvirtUri("qemu:///system?mode=legacy"), { readOnly: true });
    try {
        assert.equal(readOnly.description, "unix socket /var/run/libvirt/libvirt-sock-ro");
        await assertPingPong(readOnly);
    } finally {
        readOnly.close();
    }
});

test("tcp: PING → PONG on 127.0.0.1:16509", async () => {
    await pingPongOver(loadTestHost().tcpUri, /^tcp 127\.0\.0\.1:16509$/);
});

test("tls: PING → PONG on 127.0.0.1:16514 after the confirmation byte", async () => {
    await pingPongOver(loadTestHost().tlsUri, /^tls 127\.0\.0\.1:16514$/);
});

test("tls: the name 'localhost' is verified against the server certificate too", async () => {
    const host = loadTestHost();
    await pingPongOver(`qemu+tls://localhost/system?pkipath=${host.pkiPath}`, /^tls localhost:16514$/);
});

test("ssh: PING → PONG through the system ssh and virt-ssh-helper", async () => {
    await pingPongOver(loadTestHost().sshUri, /^ssh root@127\.0\.0\.1:2222$/);
});

test("ssh: netcat mode (?socket=) through OpenBSD nc", async () => {
    const host = loadTestHost();
    await pingPongOver(`${host.sshUri}&socket=${host.unixSocket}`, /^ssh root@127\.0\.0\.1:2222$/);
});

test("ssh: ?command= names another ssh binary", async () => {
    const host = loadTestHost();
    const uri = `qemu+ssh://root@127.0.0.1:${host.sshPort}/system?command=${host.sshCommand}&keyfile=${host.sshKey}`;
    await pingPongOver(uri, /^ssh root@127\.0\.0\.1:2222$/);
});

test("ext: ?command= relays through a local script", async () => {
    loadTestHost();
    await pingPongOver(`qemu+ext:///system?command=${EXT_FIXTURE}`, /^ext command .*ext-nc\.sh$/);
});

// ---- failures with useful messages ----

test("unix: a missing socket says libvirtd is not running", async () => {
    await assertOpenFails(
        "qemu:///system?socket=/nonexistent/libvirt-sock",
        /libvirtd socket \/nonexistent\/libvirt-sock not found: is libvirtd running\? \(for a remote host use qemu\+ssh:\/\//,
    );
});

test("tcp: a closed port says what to enable", async () => {
    const server = createNetServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((done) => server.close(() => done()));
    await assertOpenFails(`qemu+tcp://127.0.0.1:${port}/system`, /nothing listens on 127\.0\.0\.1:\d+.*listen_tcp=1/);
});

test("tls: a CA that did not sign the server certificate is refused clearly", async () => {
    const host = loadTestHost();
    const pki = join(scratch, "wrong-ca");
    execFileSync("mkdir", ["-p", pki]);
    execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"].concat([
            "-subj",
            "/CN=not the test CA",
            "-keyout",
            join(pki, "cakey.pem"),
            "-out",
            join(pki, "cacert.pem"),
        ]),
        { stdio: "ignore" },
    );
    copyFileSync(join(host.pkiPath, "clientcert.pem"), join(pki, "clientcert.pem"));
    copyFileSync(join(host.pkiPath, "clientkey.pem"), join(pki, "clientkey.pem"));
    await assertOpenFails(`qemu+tls://127.0.0.1/system?pkipath=${pki}`, /not signed by the CA in .*cacert\.pem/);
    // no_verify=1 skips our check of the server; the server still accepts our (valid) certificate.
    await pingPongOver(`qemu+tls://127.0.0.1/system?pkipath=${pki}&no_verify=1`, /^tls /);
});

test("tls: missing client files name the file and ?pkipath=", async () => {
    await assertOpenFails("qemu+tls://127.0.0.1/system?pkipath=/nonexistent/pki", /\/nonexistent\/pki\/.*pkipath=DIR/);
});

test("ssh: a key the server does not accept fails the open with ssh's stderr", async () => {
    const host = loadTestHost();
    const key = join(scratch, "wrong_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], { stdio: "ignore" });
    // ssh-command pins the test host's known_hosts and offers only the given key (IdentitiesOnly).
    const uri = `qemu+ssh://root@127.0.0.1:${host.sshPort}/system?command=${host.sshCommand}&keyfile=${key}`;
    await assertOpenFails(uri, /exited with code 255: .*Permission denied.*keyfile/s);
});

test("ssh: without the probe the same failure ends the stream with ssh's stderr", async () => {
    const host = loadTestHost();
    const key = join(scratch, "wrong_key_2");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], { stdio: "ignore" });
    const uri = `qemu+ssh://root@127.0.0.1:${host.sshPort}/system?command=${host.sshCommand}&keyfile=${key}`;
    const transport = await openTransport(parseLibvirtUri(uri), { probe: false });
    try {
        transport.stream.write(keepalivePingPacket());
        const error = await streamError(transport.stream);
        assert.ok(error instanceof TransportError, String(error));
        assert.ok(error.message.includes(uri), error.message);
        assert.match(error.message, /exited with code 255: .*Permission denied/s);
    } finally {
        transport.close();
    }
});

test("ssh: an unknown host key fails with 'Host key verification failed'", async () => {
    const host = loadTestHost();
    const uri = `qemu+ssh://root@127.0.0.1:${host.sshPort}/system?keyfile=${host.sshKey}&known_hosts=/dev/null&no_tty=1`;
    await assertOpenFails(uri, /Host key verification failed.*known_hosts/s);
});

test("ssh: a remote socket that does not exist names the socket and the fix", async () => {
    const host = loadTestHost();
    await assertOpenFails(`${host.sshUri}&socket=/nonexistent/sock`, /\/nonexistent\/sock.*install virt-ssh-helper/s);
});

test("ext with the probe: an echo is not a daemon, a silent command times out", async () => {
    await assertOpenFails("qemu+ext:///system?command=/bin/cat", /answered a keepalive PING with something else/, {
        probe: true,
    });
    await assertOpenFails("qemu+ext:///system?command=/usr/bin/tail", /timed out after 300 ms/, {
        probe: true,
        connectTimeoutMs: 300,
    });
});

test("ssh and ext: a missing binary is reported at open", async () => {
    await assertOpenFails("qemu+ssh://h/system?command=/nonexistent/ssh", /cannot run '\/nonexistent\/ssh' \(ENOENT\)/);
    await assertOpenFails("qemu+ext:///system?command=/nonexistent/tunnel", /cannot run \/nonexistent\/tunnel/);
});

test("ext: a command that exits with an error ends the stream with its stderr", async () => {
    const uri = "qemu+ext:///system?command=/bin/false";
    const transport = await openTransport(parseLibvirtUri(uri));
    try {
        const error = await streamError(transport.stream);
        assert.match(
            error.message,
            /ext command \/bin\/false for qemu\+ext:\/\/\/system\?command=\/bin\/false exited with code 1/,
        );
    } finally {
        transport.close();
    }
});

// ---- timeouts, abort and the TLS confirmation byte, against local fake servers ----

/** A TCP server that accepts connections and never answers (a hung TLS handshake). */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
    const sockets: Socket[] = [];
    const server = createNetServer((socket) => sockets.push(socket));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    return { server, port: (server.address() as { port: number }).port, sockets };
}

test("connect timeout and AbortSignal are honoured while connecting", async () => {
    const host = loadTestHost();
    const { server, port, sockets } = await silentServer();
    try {
        const uri = `qemu+tls://127.0.0.1:${port}/system?pkipath=${host.pkiPath}`;
        await assertOpenFails(uri, /timed out after 300 ms/, { connectTimeoutMs: 300 });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        await assertOpenFails(uri, /was aborted/, { signal: controller.signal });
        await assertOpenFails("qemu:///system", /was aborted/, { signal: AbortSignal.abort() });
    } finally {
        for (const socket of sockets) socket.destroy();
        server.close();
    }
});

/** A TLS server with the test host's server certificate that sends `firstWrite` after the handshake. */
async function fakeTlsDaemon(host: TestHost, firstWrite: Buffer) {
    const serverDir = join(host.pkiPath, "..", "server");
    const server = createTlsServer(
        {
            key: readFileSync(join(serverDir, "serverkey.pem")),
            cert: readFileSync(join(serverDir, "servercert.pem")),
            ca: readFileSync(join(serverDir, "cacert.pem")),
            requestCert: true,
        },
        (socket) => {
            socket.write(firstWrite);
            if (firstWrite[0] !== 1) socket.end();
            socket.on("error", () => {});
        },
    );
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    return { server, port: (server.address() as { port: number }).port };
}

test("tls: bytes that arrive with the confirmation byte are kept", async () => {
    const host = loadTestHost();
    const early = Buffer.from("first RPC bytes");
    const { server, port } = await fakeTlsDaemon(host, Buffer.concat([Buffer.from([1]), early]));
    try {
        const transport = await openTransport(
            parseLibvirtUri(`qemu+tls://127.0.0.1:${port}/system?pkipath=${host.pkiPath}`),
        );
        try {
            assert.deepEqual(await readExactly(transport.stream, early.length), early);
        } finally {
            transport.close();
        }
    } finally {
        server.close();
    }
});

test("tls: a confirmation byte other than 1 is a clear rejection", async () => {
    const host = loadTestHost();
    const { server, port } = await fakeTlsDaemon(host, Buffer.from([0]));
    try {
        await assertOpenFails(
            `qemu+tls://127.0.0.1:${port}/system?pkipath=${host.pkiPath}`,
            /rejected this client after the TLS handshake \(it answered 0 instead of sending 1\)/,
        );
    } finally {
        server.close();
    }
});

test("readConfirmationByte takes one byte and leaves the rest for 'data' listeners", async () => {
    const stream = new PassThrough();
    stream.write(Buffer.from([1, 2, 3, 4]));
    assert.equal(await readConfirmationByte(stream), 1);
    assert.deepEqual(await readExactly(stream, 3), Buffer.from([2, 3, 4]));
    const empty = new PassThrough();
    empty.end();
    assert.equal(await readConfirmationByte(empty), null);
});
