/**
 * Stream handshakes and failure paths against the mock daemon. Byte-exact transfers against the
 * real daemon are in test/integration/rpc.
 */
import assert from "node:assert/strict";
import { Readable, Writable } from "node:stream";
import { test } from "node:test";
import { LibvirtClient } from "../../provider/rpc/client";
import { LibvirtError } from "../../provider/rpc/errors";
import {
    RemoteError,
    VirErrorDomain,
    VirErrorNumber,
    VirNetMessageStatus,
    VirNetMessageType,
    VirNetStreamHole,
    VirStorageVolDownloadFlags,
} from "../../provider/rpc/generated";
import { STREAM_CHUNK_BYTES } from "../../provider/rpc/stream";
import { decodeXdr, encodeXdr } from "../../provider/rpc/xdr";
import { errorPayload, MockDaemon, type ReceivedCall } from "./mock-daemon";

const VOL = { pool: "pltest-pool", name: "pltest-vol", key: "/var/lib/libvirt/images/pltest-vol" };

function collect(): { sink: Writable; data: () => Buffer } {
    const parts: Buffer[] = [];
    const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
            parts.push(chunk);
            done();
        },
    });
    return { sink, data: () => Buffer.concat(parts) };
}

function isStream(status: VirNetMessageStatus) {
    return (p: { header: { type: number; status: number } }) =>
        p.header.type === VirNetMessageType.VIR_NET_STREAM && p.header.status === status;
}

test("upload sends chunks of at most libvirt's chunk size, then finishes with the handshake", async () => {
    const daemon = new MockDaemon();
    let uploadCall: ReceivedCall | undefined;
    daemon.on("STORAGE_VOL_UPLOAD", (call) => {
        uploadCall = call;
        return { ok: undefined };
    });
    const client = await LibvirtClient.open(daemon.transport, "qemu:///system");
    const payload = Buffer.alloc(STREAM_CHUNK_BYTES * 2 + 1000);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const finish = daemon.nextPacket(isStream(VirNetMessageStatus.VIR_NET_OK)).then(() => {
        daemon.sendStream(uploadCall!, VirNetMessageStatus.VIR_NET_OK);
    });
    const progress: number[] = [];
    const sent = await client.upload(VOL, Readable.from([payload.subarray(0, 5000), payload.subarray(5000)]), {
        length: payload.length,
        onProgress: (p) => progress.push(p.bytes),
    });
    await finish;
    assert.equal(sent, payload.length);
    assert.deepEqual(uploadCall!.args, { vol: VOL, offset: 0n, length: BigInt(payload.length), flags: 0 });
    const data = daemon.otherPackets.filter(isStream(VirNetMessageStatus.VIR_NET_CONTINUE));
    assert.ok(data.every((p) => p.payload.length <= STREAM_CHUNK_BYTES && p.header.serial === uploadCall!.serial));
    assert.deepEqual(Buffer.concat(data.map((p) => p.payload)), payload);
    assert.equal(progress.at(-1), payload.length);
    assert.deepEqual(daemon.protocolErrors, []);
    await client.close();
});

test("upload with sparse sends zero chunks as holes", async () => {
    const daemon = new MockDaemon();
    let uploadCall: ReceivedCall | undefined;
    daemon.on("STORAGE_VOL_UPLOAD", (call) => {
        uploadCall = call;
        daemon.nextPacket(isStream(VirNetMessageStatus.VIR_NET_OK)).then(() => {
            daemon.sendStream(call, VirNetMessageStatus.VIR_NET_OK);
        });
        return { ok: undefined };
    });
    const client = await LibvirtClient.open(daemon.transport, "qemu:///system");
    const payload = Buffer.concat([
        Buffer.alloc(STREAM_CHUNK_BYTES, 1),
        Buffer.alloc(STREAM_CHUNK_BYTES),
        Buffer.alloc(10, 2),
    ]);
    await client.upload(VOL, Readable.from([payload]), { sparse: true });
    assert.equal(uploadCall!.args.flags, 1);
    const holes = daemon.otherPackets.filter((p) => p.header.type === VirNetMessageType.VIR_NET_STREAM_HOLE);
    assert.equal(holes.length, 1);
    assert.deepEqual(decodeXdr(VirNetStreamHole, holes[0]!.payload), { length: BigInt(STREAM_CHUNK_BYTES), flags: 0 });
    await client.close();
});

test("a daemon error during upload rejects with the LibvirtError and stops sending", async () => {
    const daemon = new MockDaemon();
    daemon.on("STORAGE_VOL_UPLOAD", (call) => {
        daemon.nextPacket(isStream(VirNetMessageStatus.VIR_NET_CONTINUE)).then(() => {
            daemon.sendStream(
                call,
                VirNetMessageStatus.VIR_NET_ERROR,
                encodeXdr(
                    RemoteError,
                    errorPayload({
                        code: VirErrorNumber.VIR_ERR_SYSTEM_ERROR,
                        domain: VirErrorDomain.VIR_FROM_STREAMS,
                        message: "cannot write to stream: No space left on device",
                    }),
                ),
            );
        });
        return { ok: undefined };
    });
    const client = await LibvirtClient.open(daemon.transport, "qemu:///system");
    async function* endless() {
        for (;;) {
            yield Buffer.alloc(STREAM_CHUNK_BYTES, 3);
            await new Promise((r) => setTimeout(r, 5));
        }
    }
    const error = await client.upload(VOL, endless()).catch((e: unknown) => e);
    assert.ok(LibvirtError.isInstance(error), String(error));
    assert.equal(error.code, VirErrorNumber.VIR_ERR_SYSTEM_ERROR);
    assert.match(error.message, /No space left/);
    assert.ok(client.isOpen, "a stream error does not kill the connection");
    await client.close();
});

test("download writes data, holes as zeros, and completes the finish handshake", async () => {
    const daemon = new MockDaemon();
    daemon.on("STORAGE_VOL_DOWNLOAD", (call) => {
        // Listen for the client's finish before sending: the in-memory pair may answer synchronously.
        daemon.nextPacket(isStream(VirNetMessageStatus.VIR_NET_OK)).then(() => {
            daemon.sendStream(call, VirNetMessageStatus.VIR_NET_OK);
        });
        setImmediate(() => {
            daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE, Buffer.from("hello "));
            daemon.sendStream(
                call,
                VirNetMessageStatus.VIR_NET_CONTINUE,
                encodeXdr(VirNetStreamHole, { length: 4n, flags: 0 }),
                VirNetMessageType.VIR_NET_STREAM_HOLE,
            );
            daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE, Buffer.from("world"));
            daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE); // end of data
        });
        return { ok: undefined };
    });
    const client = await LibvirtClient.open(daemon.transport, "qemu:///system");
    const { sink, data } = collect();
    const received = await client.download(VOL, sink, { sparse: true });
    assert.equal(received, 15);
    assert.deepEqual(data(), Buffer.concat([Buffer.from("hello "), Buffer.alloc(4), Buffer.from("world")]));
    assert.equal(daemon.calls.at(-1)!.args.flags, VirStorageVolDownloadFlags.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
    await client.close();
});

test("aborting a download sends the abort packet and leaves the connection usable", async () => {
    const daemon = new MockDaemon();
    daemon.on("STORAGE_VOL_DOWNLOAD", (call) => {
        const timer = setInterval(
            () => daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE, Buffer.alloc(1000)),
            2,
        );
        daemon.nextPacket(isStream(VirNetMessageStatus.VIR_NET_ERROR)).then(() => {
            clearInterval(timer);
            daemon.sendStream(call, VirNetMessageStatus.VIR_NET_OK);
        });
        return { ok: undefined };
    });
    daemon.on("CONNECT_GET_HOSTNAME", () => ({ ok: { hostname: "still-here" } }));
    const client = await LibvirtClient.open(daemon.transport, "qemu:///system");
    const controller = new AbortController();
    const { sink } = collect();
    const pending = client.download(VOL, sink, {
        signal: controller.signal,
        onProgress: (p) => {
            if (p.bytes >= 5000) controller.abort(new Error("enough"));
        },
    });
    await assert.rejects(pending, /enough/);
    assert.deepEqual(await client.connectGetHostname(), { hostname: "still-here" });
    await client.close();
});

test("a connection that dies mid-download fails the download at once", async () => {
    const daemon = new MockDaemon();
    daemon.on("STORAGE_VOL_DOWNLOAD", (call) => {
        setImmediate(() => {
            daemon.sendStream(call, VirNetMessageStatus.VIR_NET_CONTINUE, Buffer.alloc(100));
            setImmediate(() => daemon.disconnect());
        });
        return { ok: undefined };
    });
    const client = await LibvirtClient.open(daemon.transport, "qemu:///system");
    const { sink } = collect();
    await assert.rejects(client.download(VOL, sink), /closed by the other side/);
});
