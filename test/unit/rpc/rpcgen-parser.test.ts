/** Unit tests of the `.x` lexer and parser on small inline inputs. */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { StructDef, UnionDef } from "../../../tools/rpcgen/model";
import { parseXdrNumber, tokenize, XdrSyntaxError } from "../../../tools/rpcgen/xdr-lexer";
import { parseAnnotations, parseXdr } from "../../../tools/rpcgen/xdr-parser";

test("lexer: skips % passthrough lines and attaches comments to the next token", () => {
    const tokens = tokenize('%#include "x.h"\n/* one */ // two\nconst A = 0x10;\n');
    assert.deepEqual(
        tokens.map((t) => t.text),
        ["const", "A", "=", "0x10", ";", ""],
    );
    assert.deepEqual(tokens[0]!.comments, [" one ", " two"]);
    assert.equal(tokens[0]!.line, 3);
    assert.throws(() => tokenize("const A = 1; /* open"), XdrSyntaxError);
    assert.throws(() => tokenize("const A = 1 $;"), XdrSyntaxError);
});

test("numbers: decimal, hex, octal, negative", () => {
    assert.equal(parseXdrNumber("42"), 42n);
    assert.equal(parseXdrNumber("0x6b656570"), 0x6b656570n);
    assert.equal(parseXdrNumber("010"), 8n);
    assert.equal(parseXdrNumber("-1"), -1n);
    assert.throws(() => parseXdrNumber("0x"), XdrSyntaxError);
});

test("const, enum and typedef", () => {
    const file = parseXdr(`
        const MAX = 16;
        const PROG = 0x20008086;
        enum color { RED = 0, GREEN = 1, BLUE };
        typedef string name_t<MAX>;
        typedef opaque uuid_t[16];
        typedef name_t *opt_name;
        typedef int unbounded<>;
    `);
    const [max, prog, color, name, uuid, opt, unbounded] = file.definitions;
    assert.deepEqual(max, { kind: "const", name: "MAX", value: { kind: "number", value: 16n, text: "16" } });
    assert.equal(prog?.kind === "const" && prog.value.kind === "number" && prog.value.value, 0x20008086n);
    assert.ok(color?.kind === "enum");
    assert.deepEqual(
        color.members.map((m) => [m.name, m.value?.kind === "number" ? m.value.value : undefined]),
        [
            ["RED", 0n],
            ["GREEN", 1n],
            ["BLUE", undefined],
        ],
    );
    assert.deepEqual(name, {
        kind: "typedef",
        name: "name_t",
        decl: { name: "name_t", type: { kind: "string" }, shape: "variable", size: { kind: "ref", name: "MAX" } },
    });
    assert.ok(uuid?.kind === "typedef" && uuid.decl.shape === "fixed" && uuid.decl.type.kind === "opaque");
    assert.ok(opt?.kind === "typedef" && opt.decl.shape === "optional");
    assert.deepEqual(opt.decl.type, { kind: "named", name: "name_t" });
    assert.ok(
        unbounded?.kind === "typedef" && unbounded.decl.shape === "variable" && unbounded.decl.size === undefined,
    );
});

test("struct fields: every primitive and shape", () => {
    const file = parseXdr(`
        struct s {
            int a;
            unsigned int b;
            unsigned c;
            hyper d;
            unsigned hyper e;
            unsigned char f;
            unsigned short g;
            char h[32];
            char i<64>;
            bool j;
            double k;
            float l;
            other *m;
            other n<>;
            other o[2];
            opaque p<8>;
            struct other q;
        };
    `);
    const s = file.definitions[0] as StructDef;
    const summary = s.fields.map((f) => {
        const type = f.type.kind === "primitive" || f.type.kind === "named" ? f.type.name : f.type.kind;
        return `${f.name}:${type}:${f.shape}${f.size ? `:${f.size.kind === "number" ? f.size.value : f.size.name}` : ""}`;
    });
    assert.deepEqual(summary, [
        "a:int:scalar",
        "b:unsigned int:scalar",
        "c:unsigned int:scalar",
        "d:hyper:scalar",
        "e:unsigned hyper:scalar",
        "f:unsigned char:scalar",
        "g:unsigned short:scalar",
        "h:char:fixed:32",
        "i:char:variable:64",
        "j:bool:scalar",
        "k:double:scalar",
        "l:float:scalar",
        "m:other:optional",
        "n:other:variable",
        "o:other:fixed:2",
        "p:opaque:variable:8",
        "q:other:scalar",
    ]);
});

test("union switch with shared case labels, void arms and a default", () => {
    const file = parseXdr(`
        union u switch (int kind) {
        case A:
            int i;
        case B:
        case 7:
            string s<>;
        case C:
            void;
        default:
            hyper h;
        };
        union v switch (unsigned int d) { case 1: int x; };
    `);
    const u = file.definitions[0] as UnionDef;
    assert.deepEqual(u.discriminant, { name: "kind", type: { kind: "primitive", name: "int" }, shape: "scalar" });
    assert.equal(u.arms.length, 3);
    assert.deepEqual(u.arms[1]!.cases, [
        { kind: "ref", name: "B" },
        { kind: "number", value: 7n, text: "7" },
    ]);
    assert.equal(u.arms[2]!.decl, null);
    assert.equal(u.defaultArm?.name, "h");
    const v = file.definitions[1] as UnionDef;
    assert.equal(v.defaultArm, undefined);
});

test("procedure annotations come from the comment right before each member", () => {
    const file = parseXdr(`
        enum demo_procedure {
            /* Explanation:
             * - @generate: none|client|server|both
             */
            /**
             * @generate: both
             * @priority: high
             * @acl: connect:getattr
             * @acl: connect:read
             */
            DEMO_PROC_OPEN = 1,

            /**
             * @generate: none
             * @readstream: 1
             * @sparseflag: VIR_X
             */
            DEMO_PROC_DOWNLOAD = 2,
            DEMO_PROC_PLAIN = 3
        };
    `);
    const e = file.definitions[0];
    assert.ok(e?.kind === "enum");
    assert.deepEqual(e.members[0]!.annotations, [
        { key: "generate", value: "both" },
        { key: "priority", value: "high" },
        { key: "acl", value: "connect:getattr" },
        { key: "acl", value: "connect:read" },
    ]);
    assert.deepEqual(e.members[1]!.annotations, [
        { key: "generate", value: "none" },
        { key: "readstream", value: "1" },
        { key: "sparseflag", value: "VIR_X" },
    ]);
    assert.deepEqual(e.members[2]!.annotations, []);
    assert.deepEqual(parseAnnotations([" * @priority: low "]), [{ key: "priority", value: "low" }]);
});

test("syntax errors name the file and line", () => {
    assert.throws(() => parseXdr("struct s {\n int a\n};", "bad.x"), /bad\.x:3: expected ";"/);
    assert.throws(() => parseXdr("typedef string s;", "bad.x"), /string needs/);
    assert.throws(() => parseXdr("program P { };", "bad.x"), /unexpected keyword "program"/);
    assert.throws(() => parseXdr("union u switch (int d) { int x; };", "bad.x"), /expected "case" or "default"/);
});
