/** Unit tests of the C header parser, the constant-expression evaluator and symbol resolution. */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { evaluateCExpr, ExprError } from "../../../tools/rpcgen/c-expr";
import { generate } from "../../../tools/rpcgen/generate";
import { parseHeader, stripCComments } from "../../../tools/rpcgen/header-parser";
import { findProjectRoot } from "../../../tools/rpcgen/paths";
import { buildProtocol, ProtocolError } from "../../../tools/rpcgen/protocol";

const none = (): undefined => undefined;

test("C expressions: literals with suffixes, shifts, arithmetic, names", () => {
    assert.equal(evaluateCExpr("1 << 3", none).value, 8n);
    assert.equal(evaluateCExpr("(1U << 31)", none).value, 2147483648n);
    assert.equal(evaluateCExpr("0x10 | 0x01", none).value, 17n);
    assert.equal(evaluateCExpr("(4096 + 1)", none).value, 4097n);
    assert.equal(evaluateCExpr("-2", none).value, -2n);
    assert.equal(evaluateCExpr("~0 & 0xff", none).value, 255n);
    assert.equal(evaluateCExpr("2 + 3 * 4", none).value, 14n);
    const ll = evaluateCExpr("9007199254740991LL", none);
    assert.deepEqual(ll, { value: 9007199254740991n, longLong: true });
    assert.equal(evaluateCExpr("A + 1", (n) => (n === "A" ? { value: 41n, longLong: false } : undefined)).value, 42n);
    assert.throws(() => evaluateCExpr("B", none), ExprError);
    assert.throws(() => evaluateCExpr("((cpumap)[0])", none), ExprError);
    assert.throws(() => evaluateCExpr("1 +", none), ExprError);
});

test("comments are blanked without moving lines; string literals survive", () => {
    const out = stripCComments('a /* x\ny */ b // c\n"/* not a comment */"');
    assert.equal(out.split("\n").length, 3);
    assert.match(out, /^a +\n +b +\n"\/\* not a comment \*\/"$/);
});

const HEADER = `
/**
 * virDemoFlags: doc
 */
typedef enum {
    VIR_DEMO_A = 0,          /* first (Since: 1.0.0) */
    VIR_DEMO_B = 1 << 0,
    VIR_DEMO_C = (1 << 3),   /* shift in parentheses */
    VIR_DEMO_D,              /* implicit: previous + 1 */
    VIR_DEMO_E = 0x20,
    VIR_DEMO_F = VIR_DEMO_C, /* alias */
    VIR_DEMO_G = -2,
# ifdef VIR_ENUM_SENTINELS
    VIR_DEMO_LAST
# endif
} virDemoFlags;

typedef enum {
    VIR_OTHER_X = VIR_LATER_Y,  /* a forward reference into a later header */
} virOther;

# define VIR_DEMO_BUFLEN (16)
# define VIR_DEMO_NAME "demo.name"
# define VIR_DEMO_ALIAS VIR_DEMO_BUFLEN
# define VIR_DEMO_MACRO(x) ((x) + 1)
# define VIR_DEMO_CAST _virSomething
# define VIR_DEMO_BIG 9007199254740991LL /* comment */
# define VIR_DEMO_LONG \\
    (1 + 2)
`;

test("header parser: typedef enum blocks, sentinels dropped, object-like defines", () => {
    const h = parseHeader(HEADER, "demo.h");
    assert.deepEqual(
        h.enums.map((e) => e.name),
        ["virDemoFlags", "virOther"],
    );
    assert.deepEqual(h.enums[0]!.members, [
        { name: "VIR_DEMO_A", expr: "0" },
        { name: "VIR_DEMO_B", expr: "1 << 0" },
        { name: "VIR_DEMO_C", expr: "(1 << 3)" },
        { name: "VIR_DEMO_D" },
        { name: "VIR_DEMO_E", expr: "0x20" },
        { name: "VIR_DEMO_F", expr: "VIR_DEMO_C" },
        { name: "VIR_DEMO_G", expr: "-2" },
    ]);
    assert.deepEqual(
        h.defines.map((d) => [d.name, d.expr]),
        [
            ["VIR_DEMO_BUFLEN", "(16)"],
            ["VIR_DEMO_NAME", '"demo.name"'],
            ["VIR_DEMO_ALIAS", "VIR_DEMO_BUFLEN"],
            ["VIR_DEMO_CAST", "_virSomething"],
            ["VIR_DEMO_BIG", "9007199254740991LL"],
            ["VIR_DEMO_LONG", "(1 + 2)"],
        ],
    );
    assert.throws(() => parseHeader("typedef enum {\n# if FOO\n A = 1,\n# endif\n} x;"), /unsupported "#if"/);
});

const LATER = "typedef enum { VIR_LATER_Y = 5 } virLater;";

const XDR = `
const DEMO_MAX = VIR_DEMO_BUFLEN;
const DEMO_PROGRAM = 0x1234;
const DEMO_PROTOCOL_VERSION = 1;
typedef string demo_str<DEMO_MAX>;
union demo_value switch (int type) {
case VIR_DEMO_B:
    int i;
case VIR_DEMO_C:
    demo_str s;
default:
    void;
};
struct demo_thing_args { demo_str *name; demo_value v; unsigned int flags; };
struct demo_thing_ret { demo_str names<>; };
struct demo_event_msg { int x; };
enum demo_procedure {
    /** @priority: high */
    DEMO_PROC_THING = 1,
    /** @writestream: 1 */
    DEMO_PROC_PUT = 2,
    DEMO_PROC_EVENT = 3
};
`;

function demoProtocol() {
    return buildProtocol({
        libvirtVersion: "0.0.1",
        xdr: [{ file: "qemu_protocol.x", text: XDR }],
        headers: [
            { file: "demo.h", text: HEADER },
            { file: "later.h", text: LATER },
        ],
    });
}

test("symbol resolution: forward references, aliases, implicit values, .x consts from headers", () => {
    const p = demoProtocol();
    const value = (name: string) => p.symbols.get(name)?.value;
    assert.equal(value("VIR_DEMO_D"), 9n);
    assert.equal(value("VIR_DEMO_F"), 8n);
    assert.equal(value("VIR_DEMO_G"), -2n);
    assert.equal(value("VIR_OTHER_X"), 5n);
    assert.equal(value("VIR_DEMO_LAST"), undefined);
    assert.equal(value("VIR_DEMO_ALIAS"), 16n);
    assert.equal(value("VIR_DEMO_NAME"), "demo.name");
    assert.equal(value("VIR_DEMO_LONG"), 3n);
    assert.equal(p.symbols.get("VIR_DEMO_CAST"), undefined, "a define that is no constant is dropped");
    assert.equal(p.symbols.get("VIR_DEMO_MACRO"), undefined, "function-like macros are ignored");
    assert.equal(value("DEMO_MAX"), 16n);
    const program = p.programs.find((x) => x.key === "demo");
    assert.ok(program);
    assert.equal(program.program, 0x1234);
    assert.deepEqual(
        program.procedures.map((x) => [x.name, x.number, x.args, x.ret, x.msg, x.stream, x.priority]),
        [
            ["THING", 1, "demo_thing_args", "demo_thing_ret", null, null, "high"],
            ["PUT", 2, null, null, null, "write", "low"],
            ["EVENT", 3, null, null, "demo_event_msg", null, "low"],
        ],
    );
});

test("resolution errors: unknown types and constants, duplicates", () => {
    const build = (xdr: string, header = "") =>
        buildProtocol({
            libvirtVersion: "0.0.1",
            xdr: [{ file: "qemu_protocol.x", text: xdr }],
            headers: [{ file: "h.h", text: header }],
        });
    assert.throws(() => build("struct s { missing_t x; };"), /unknown type missing_t/);
    assert.throws(() => build("struct s { int x<NOPE>; };"), /unknown constant NOPE/);
    assert.throws(() => build("const A = 1;", "# define A 2"), ProtocolError);
    assert.throws(() => build("", "typedef enum { X = Y } a;"), /unknown name Y/);
});

test("emitter output for the small protocol: enums, codecs, args with optional flags, union default", () => {
    const files = new Map(generate(demoProtocol()).map((f) => [f.name, f.text]));
    assert.deepEqual(
        [...files.keys()],
        ["constants.ts", "virnet.ts", "remote-types.ts", "qemu.ts", "procedures.ts", "methods.ts", "index.ts"],
    );
    const constants = files.get("constants.ts")!;
    assert.match(constants, /^\/\/ Generated by tools\/rpcgen from libvirt 0\.0\.1's protocol definitions and headers/);
    assert.match(constants, /Do not edit: run `npm run gen:rpc`/);
    assert.match(
        constants,
        /export enum VirDemoFlags \{\n {4}VIR_DEMO_A = 0,\n {4}VIR_DEMO_B = 1,\n {4}VIR_DEMO_C = 8,/,
    );
    assert.match(constants, /export const DEMO_PROGRAM = 0x1234;/);
    assert.match(constants, /export const VIR_DEMO_BIG = 9007199254740991n;/);
    assert.match(constants, /export const VIR_DEMO_NAME = "demo\.name";/);
    assert.match(constants, /export const DemoProcedureCodec: XdrCodec<DemoProcedure>/);
    const types = files.get("qemu.ts")!;
    assert.match(
        types,
        /export interface DemoThingArgs \{\n {4}name\?: string \| null;\n {4}v: DemoValue;\n {4}flags\?: number;\n\}/,
    );
    assert.match(types, /w\.uint\(v\.flags \?\? 0\);/);
    assert.match(types, /\| \{ type: VirDemoFlags\.VIR_DEMO_B; i: number \}/);
    assert.match(types, /\| \{ type: number \};/);
    assert.match(types, /names: string\[\];/);
    assert.match(types, /r\.array\(XDR_UNBOUNDED, DemoStr\.decode\)/);
    const procedures = files.get("procedures.ts")!;
    assert.match(procedures, /export const DEMO_PROCEDURES = \{/);
    assert.match(procedures, /stream: "write"/);
    assert.match(procedures, /message: DemoEventMsg,/);
    const methods = files.get("methods.ts")!;
    assert.match(methods, /thing\(args: DemoThingArgs, options\?: CallOptions\): Promise<DemoThingRet> \{/);
    assert.doesNotMatch(methods, /\bput\(/);
    assert.doesNotMatch(methods, /\bevent\(/);
});

test("the small protocol's generated code type-checks under the project's strict settings", () => {
    const root = findProjectRoot();
    const dir = mkdtempSync(join(tmpdir(), "rpcgen-demo-"));
    try {
        mkdirSync(join(dir, "rpc", "generated"), { recursive: true });
        for (const f of ["xdr.ts", "call-options.ts"])
            copyFileSync(join(root, "provider", "rpc", f), join(dir, "rpc", f));
        for (const f of generate(demoProtocol())) writeFileSync(join(dir, "rpc", "generated", f.name), f.text);
        const tsconfig = {
            extends: join(root, "tsconfig.json"),
            compilerOptions: { noEmit: true, rootDir: dir, typeRoots: [join(root, "node_modules", "@types")] },
            include: [join(dir, "rpc", "**", "*.ts")],
        };
        writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
        const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(dir, "tsconfig.json")], {
            encoding: "utf8",
        });
        assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
