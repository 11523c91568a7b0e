/**
 * Every generated codec round-trips synthesised sample values; golden byte checks against the
 * wire facts in libvirt-rpc.md; bounds; the procedure tables and generated methods.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as generated from "../../../provider/rpc/generated";
import {
    KEEPALIVE_PROCEDURES,
    KEEPALIVE_PROGRAM,
    QEMU_PROCEDURES,
    REMOTE_AUTH_TYPE_LIST_MAX,
    REMOTE_PROCEDURE_BY_NUMBER,
    REMOTE_PROCEDURES,
    REMOTE_PROGRAM,
    REMOTE_STRING_MAX,
    RemoteAuthListRet,
    RemoteAuthType,
    RemoteConnectOpenArgs,
    RemoteDomainGetInfoRet,
    RemoteError,
    RemoteNodeGetInfoRet,
    RemoteNonnullString,
    RemoteProcedure,
    type RemoteProcedureArgs,
    RemoteProcedureMethods,
    type RemoteProcedureName,
    type RemoteProcedureRet,
    RemoteTypedParam,
    RemoteTypedParamValue,
    VirErrorDomain,
    VirErrorNumber,
    VirNetMessageError,
    VirTypedParameterType,
} from "../../../provider/rpc/generated";
import { decodeXdr, encodeXdr, type XdrCodec, XdrError, XdrReader, XdrWriter } from "../../../provider/rpc/xdr";
import { enumCodecName, pascalCase } from "../../../tools/rpcgen/naming";
import { defaultProtocolDir } from "../../../tools/rpcgen/paths";
import { loadProtocol } from "../../../tools/rpcgen/protocol";
import { SampleBuilder } from "../../../tools/rpcgen/samples";

const generatedExports = generated as unknown as Record<string, unknown>;
const protocol = loadProtocol(defaultProtocolDir());
const samples = new SampleBuilder(protocol);

function isCodec(value: unknown): value is XdrCodec<unknown> {
    return (
        typeof value === "object" &&
        value !== null &&
        typeof (value as XdrCodec<unknown>).encode === "function" &&
        typeof (value as XdrCodec<unknown>).decode === "function"
    );
}

function hex(words: string): Buffer {
    return Buffer.from(words.replace(/[\s|]/g, ""), "hex");
}

function roundTrip(name: string, codec: XdrCodec<unknown>, value: unknown, label: string): void {
    const bytes = encodeXdr(codec, value);
    // The same bytes from a writer that starts tiny and has to grow in the middle of values.
    const small = new XdrWriter(1);
    codec.encode(small, value);
    assert.deepStrictEqual(small.finish(), bytes, `${name} ${label}: a growing writer wrote different bytes`);
    assert.equal(bytes.length % 4, 0, `${name} ${label}: encoded length ${bytes.length} is not a multiple of 4`);
    const decoded = decodeXdr(codec, bytes, name);
    assert.deepStrictEqual(decoded, value, `${name} ${label}: decode(encode(v)) differs from v`);
    assert.deepStrictEqual(encodeXdr(codec, decoded), bytes, `${name} ${label}: re-encoding differs`);
}

for (const file of protocol.xdrFiles) {
    test(`every codec of ${file.file} round-trips sample values`, () => {
        let checked = 0;
        for (const entry of protocol.types.filter((t) => t.origin === file.file)) {
            const name = pascalCase(entry.def.name);
            const codec = generatedExports[name];
            assert.ok(isCodec(codec), `no generated codec ${name} for ${entry.def.name}`);
            for (let v = 0; v < samples.variantCount(entry.def.name); v++) {
                roundTrip(name, codec, samples.sample(entry.def.name, v), `variant ${v}`);
            }
            checked++;
        }
        for (const e of protocol.enums.filter((x) => x.origin === file.file)) {
            const name = enumCodecName(e.name);
            const codec = generatedExports[name];
            assert.ok(isCodec(codec), `no generated codec ${name}`);
            for (const m of e.members) roundTrip(name, codec, Number(m.value), m.name);
            checked++;
        }
        assert.ok(checked > 0 || file.definitions.every((d) => d.kind === "const"));
    });
}

test("every exported codec belongs to a type of the protocol model", () => {
    const known = new Set<string>([
        ...protocol.types.map((t) => pascalCase(t.def.name)),
        ...protocol.enums.filter((e) => e.source === "xdr").map((e) => enumCodecName(e.name)),
    ]);
    const codecs = Object.entries(generatedExports).filter(([, v]) => isCodec(v));
    assert.ok(codecs.length > 700, `only ${codecs.length} codecs exported`);
    for (const [name] of codecs) assert.ok(known.has(name), `${name} is a codec the round-trip test does not cover`);
    for (const name of known)
        assert.ok(isCodec(generatedExports[name]), `${name} is not exported from the generated index`);
});

test("the sample synthesiser covers every union arm, both optional states and both array sizes", () => {
    const values = Array.from({ length: samples.variantCount("remote_typed_param_value") }, (_, v) =>
        samples.sample("remote_typed_param_value", v),
    ) as { type: number }[];
    assert.deepEqual(
        values.map((v) => v.type).sort(),
        [1, 2, 3, 4, 5, 6, 7].map((n) => n),
    );
    const minimal = samples.sample("remote_domain_interface", 0) as { hwaddr: unknown; addrs: unknown[] };
    const full = samples.sample("remote_domain_interface", 1) as { hwaddr: unknown; addrs: unknown[] };
    assert.equal(minimal.hwaddr, null);
    assert.deepEqual(minimal.addrs, []);
    assert.equal(typeof full.hwaddr, "string");
    assert.equal(full.addrs.length, 2);
});

// ---- golden bytes (libvirt-rpc.md §1.1, §1.4, §2.2) ----

test("AUTH_LIST reply payload: one element, REMOTE_AUTH_NONE", () => {
    const payload = hex("00000001 00000000");
    assert.deepEqual(decodeXdr(RemoteAuthListRet, payload), { types: [RemoteAuthType.REMOTE_AUTH_NONE] });
    assert.deepEqual(encodeXdr(RemoteAuthListRet, { types: [RemoteAuthType.REMOTE_AUTH_NONE] }), payload);
    assert.equal(REMOTE_PROCEDURES.AUTH_LIST.number, 66);
    assert.equal(REMOTE_PROCEDURES.AUTH_LIST.ret, RemoteAuthListRet);
});

test("CONNECT_OPEN args for qemu:///system, flags 0 (also when flags are omitted)", () => {
    const expected = hex("00000001 0000000e 71656d75 3a2f2f2f 73797374 656d0000 00000000");
    assert.deepEqual(encodeXdr(RemoteConnectOpenArgs, { name: "qemu:///system", flags: 0 }), expected);
    assert.deepEqual(encodeXdr(RemoteConnectOpenArgs, { name: "qemu:///system" }), expected);
    assert.deepEqual(decodeXdr(RemoteConnectOpenArgs, expected), { name: "qemu:///system", flags: 0 });
    // An omitted optional pointer is written as absent.
    assert.deepEqual(encodeXdr(RemoteConnectOpenArgs, {}), hex("00000000 00000000"));
    assert.equal(REMOTE_PROCEDURES.CONNECT_OPEN.number, RemoteProcedure.REMOTE_PROC_CONNECT_OPEN);
    assert.equal(REMOTE_PROCEDURES.CONNECT_OPEN.priority, "high");
});

test("DOMAIN_GET_INFO ret is 32 bytes: state and nrVirtCpu take 4 bytes each", () => {
    const payload = hex("00000001 | 00000000 00200000 | 00000000 00100000 | 00000002 | 00000001 2a05f200");
    assert.equal(payload.length, 32);
    const info = decodeXdr(RemoteDomainGetInfoRet, payload);
    assert.deepEqual(info, { state: 1, maxMem: 2097152n, memory: 1048576n, nrVirtCpu: 2, cpuTime: 5000000000n });
    assert.deepEqual(encodeXdr(RemoteDomainGetInfoRet, info), payload);
});

test("NODE_GET_INFO ret is 160 bytes: char model[32] is 32 four-byte ints", () => {
    const model = Buffer.alloc(32);
    model.write("x86_64");
    const value = { model, memory: 16318832n, cpus: 8, mhz: 2400, nodes: 1, sockets: 1, cores: 4, threads: 2 };
    const bytes = encodeXdr(RemoteNodeGetInfoRet, value);
    assert.equal(bytes.length, 160);
    assert.deepEqual(bytes.subarray(0, 8), hex("00000078 00000038"), '"x" then "8", one int each');
    assert.deepEqual(decodeXdr(RemoteNodeGetInfoRet, bytes), value);
});

function xdrString(s: string): string {
    const b = Buffer.from(s, "utf8");
    const padded = Buffer.alloc(Math.ceil(b.length / 4) * 4);
    b.copy(padded);
    return b.length.toString(16).padStart(8, "0") + padded.toString("hex");
}

test("remote_error decodes every field (the DOMAIN_LOOKUP_BY_NAME 'nosuchvm' reply)", () => {
    const message = "Domain not found: no domain with matching name 'nosuchvm'";
    const str2 = "no domain with matching name 'nosuchvm'";
    const payload = hex(
        [
            "0000002a", // code 42
            "0000000a", // domain 10
            `00000001${xdrString(message)}`,
            "00000002", // level
            "00000000", // dom absent
            `00000001${xdrString("Domain not found: %s")}`,
            `00000001${xdrString(str2)}`,
            "00000000", // str3 absent
            "ffffffff",
            "ffffffff",
            "00000000", // net absent
        ].join(""),
    );
    const expected = {
        code: VirErrorNumber.VIR_ERR_NO_DOMAIN,
        domain: VirErrorDomain.VIR_FROM_QEMU,
        message,
        level: 2,
        dom: null,
        str1: "Domain not found: %s",
        str2,
        str3: null,
        int1: -1,
        int2: -1,
        net: null,
    };
    assert.deepEqual(decodeXdr(RemoteError, payload), expected);
    assert.deepEqual(decodeXdr(VirNetMessageError, payload), expected);
    assert.equal(VirErrorNumber.VIR_ERR_NO_DOMAIN, 42);
    assert.equal(VirErrorDomain.VIR_FROM_QEMU, 10);
});

test("typed parameter union: every arm's bytes", () => {
    const T = VirTypedParameterType;
    const cases: [generated.RemoteTypedParamValue, string][] = [
        [{ type: T.VIR_TYPED_PARAM_INT, i: -5 }, "00000001 fffffffb"],
        [{ type: T.VIR_TYPED_PARAM_UINT, ui: 4000000000 }, "00000002 ee6b2800"],
        [{ type: T.VIR_TYPED_PARAM_LLONG, l: -2n }, "00000003 ffffffff fffffffe"],
        [{ type: T.VIR_TYPED_PARAM_ULLONG, ul: (1n << 64n) - 1n }, "00000004 ffffffff ffffffff"],
        [{ type: T.VIR_TYPED_PARAM_DOUBLE, d: 1.5 }, "00000005 3ff80000 00000000"],
        [{ type: T.VIR_TYPED_PARAM_BOOLEAN, b: 1 }, "00000006 00000001"],
        [{ type: T.VIR_TYPED_PARAM_STRING, s: "ab" }, "00000007 00000002 61620000"],
    ];
    for (const [value, bytes] of cases) {
        assert.deepEqual(encodeXdr(RemoteTypedParamValue, value), hex(bytes), `arm ${value.type}`);
        assert.deepEqual(decodeXdr(RemoteTypedParamValue, hex(bytes)), value, `arm ${value.type}`);
    }
    const param = { field: "x", value: { type: T.VIR_TYPED_PARAM_INT, i: 7 } as const };
    assert.deepEqual(encodeXdr(RemoteTypedParam, param), hex("00000001 78000000 00000001 00000007"));
    assert.throws(() => decodeXdr(RemoteTypedParamValue, hex("00000008 00000000")), XdrError);
    assert.throws(
        () => encodeXdr(RemoteTypedParamValue, { type: 8, i: 1 } as unknown as generated.RemoteTypedParamValue),
        XdrError,
    );
});

// ---- bounds ----

test("a string over REMOTE_STRING_MAX is rejected on encode and on decode", () => {
    assert.equal(REMOTE_STRING_MAX, 4194304);
    const atLimit = "a".repeat(REMOTE_STRING_MAX);
    assert.equal(encodeXdr(RemoteNonnullString, atLimit).length, 4 + REMOTE_STRING_MAX);
    assert.throws(() => encodeXdr(RemoteNonnullString, `${atLimit}a`), XdrError);
    const over = Buffer.alloc(4 + REMOTE_STRING_MAX + 4, 0x61);
    over.writeUInt32BE(REMOTE_STRING_MAX + 1, 0);
    assert.throws(() => decodeXdr(RemoteNonnullString, over), XdrError);
});

test("an array over its maximum is rejected on encode and on decode", () => {
    assert.equal(REMOTE_AUTH_TYPE_LIST_MAX, 20);
    const types = new Array<RemoteAuthType>(REMOTE_AUTH_TYPE_LIST_MAX).fill(RemoteAuthType.REMOTE_AUTH_NONE);
    assert.equal(encodeXdr(RemoteAuthListRet, { types }).length, 4 + 4 * REMOTE_AUTH_TYPE_LIST_MAX);
    assert.throws(() => encodeXdr(RemoteAuthListRet, { types: [...types, RemoteAuthType.REMOTE_AUTH_NONE] }), XdrError);
    const over = Buffer.alloc(4 + 4 * (REMOTE_AUTH_TYPE_LIST_MAX + 1));
    over.writeUInt32BE(REMOTE_AUTH_TYPE_LIST_MAX + 1, 0);
    assert.throws(() => decodeXdr(RemoteAuthListRet, over), XdrError);
});

test("fixed-size opaque and char arrays insist on their exact size", () => {
    const w = new XdrWriter();
    assert.throws(() => generated.RemoteUuid.encode(w, Buffer.alloc(15)), XdrError);
    assert.throws(() => generated.RemoteUuid.decode(new XdrReader(Buffer.alloc(12))), XdrError);
});

// ---- procedure tables ----

test("REMOTE_PROCEDURES holds every procedure 1..443 of libvirt 9.0.0 and nothing above", () => {
    for (let n = 1; n <= 443; n++) {
        const p = REMOTE_PROCEDURE_BY_NUMBER.get(n);
        assert.ok(p, `procedure ${n} is missing`);
        assert.equal(p.number, n);
        assert.equal(p.program, REMOTE_PROGRAM);
        assert.equal(p.version, 1);
        assert.equal(RemoteProcedure[`REMOTE_PROC_${p.name}` as keyof typeof RemoteProcedure], n);
        assert.equal((REMOTE_PROCEDURES as Record<string, unknown>)[p.name], p);
    }
    assert.equal(REMOTE_PROCEDURE_BY_NUMBER.get(444), undefined);
    assert.equal(REMOTE_PROCEDURE_BY_NUMBER.get(0), undefined);
    assert.equal(Object.keys(REMOTE_PROCEDURES).length, 443);
    assert.equal(REMOTE_PROGRAM, 0x20008086);
});

test("stream and event annotations", () => {
    assert.equal(REMOTE_PROCEDURES.STORAGE_VOL_UPLOAD.stream, "write");
    assert.equal(REMOTE_PROCEDURES.STORAGE_VOL_DOWNLOAD.stream, "read");
    assert.equal(REMOTE_PROCEDURES.DOMAIN_LOOKUP_BY_NAME.stream, null);
    assert.equal(REMOTE_PROCEDURES.STORAGE_VOL_UPLOAD.number, 208);
    assert.equal(REMOTE_PROCEDURES.STORAGE_VOL_DOWNLOAD.number, 209);
    assert.equal(
        REMOTE_PROCEDURES.DOMAIN_EVENT_CALLBACK_LIFECYCLE.message,
        generated.RemoteDomainEventCallbackLifecycleMsg,
    );
    assert.equal(REMOTE_PROCEDURES.DOMAIN_EVENT_CALLBACK_LIFECYCLE.args, null);
    assert.equal(REMOTE_PROCEDURES.DOMAIN_LOOKUP_BY_NAME.message, null);
    assert.equal(REMOTE_PROCEDURES.DOMAIN_DESTROY.priority, "high");
    assert.equal(REMOTE_PROCEDURES.DOMAIN_CREATE.priority, "low");
    assert.equal(KEEPALIVE_PROGRAM, 0x6b656570);
    assert.equal(KEEPALIVE_PROCEDURES.PING.number, 1);
    assert.equal(KEEPALIVE_PROCEDURES.PONG.number, 2);
    assert.equal(QEMU_PROCEDURES.DOMAIN_MONITOR_COMMAND.number, 1);
    assert.equal(QEMU_PROCEDURES.DOMAIN_MONITOR_EVENT.message, generated.QemuDomainMonitorEventMsg);
});

test("generated methods call through callProcedure with the procedure's name", async () => {
    const calls: [string, unknown][] = [];
    class Recorder extends RemoteProcedureMethods {
        protected override callProcedure<N extends RemoteProcedureName>(
            name: N,
            args: RemoteProcedureArgs[N],
        ): Promise<RemoteProcedureRet[N]> {
            calls.push([name, args]);
            return Promise.resolve(undefined as RemoteProcedureRet[N]);
        }
    }
    const client = new Recorder();
    await client.domainLookupByName({ name: "vm1" });
    await client.connectClose();
    await client.connectOpen();
    assert.deepEqual(calls, [
        ["DOMAIN_LOOKUP_BY_NAME", { name: "vm1" }],
        ["CONNECT_CLOSE", undefined],
        ["CONNECT_OPEN", {}],
    ]);
    const methods = client as unknown as Record<string, unknown>;
    assert.equal(typeof methods.storageVolGetInfo, "function");
    assert.equal(methods.storageVolUpload, undefined, "stream procedures get no generated method");
    assert.equal(methods.storageVolDownload, undefined, "stream procedures get no generated method");
    assert.equal(methods.domainEventCallbackLifecycle, undefined, "events get no generated method");
});
