/**
 * The SDK's emitted declarations as a user's compiler sees them (dist/, as the package ships it):
 * - no `.d.ts` reachable from `pulumi-libvirt`'s entry point imports zod (the argument types are
 *   the generated plain interfaces), so a project without `skipLibCheck` checks none of zod's files;
 * - a program using every resource class and the component compiles under Pulumi's template
 *   tsconfig (strict, commonjs, `moduleResolution: node`, no `skipLibCheck`, no `esModuleInterop`)
 *   and under `node16` resolution, with `@ts-expect-error` lines proving the types are not `any`
 *   (an unused one is an error, so a vacuous check fails);
 * - an editor finds each argument's JSDoc (meaning, default, change class) where the user types it.
 * Run after the build (tsc -p tsconfig.json writes dist/).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import * as ts from "typescript";
import { ensureSelfLink } from "../../helpers/self-link";
import { PROJECT_ROOT } from "../../helpers/shared-paths";
import {
    compileUserProgram,
    NODE16_TSCONFIG,
    TEMPLATE_TSCONFIG,
    USER_PROGRAM,
    USER_PROGRAM_FILE,
} from "../../helpers/user-program-types";

const ENTRY = join(PROJECT_ROOT, "dist", "sdk", "index.d.ts");

/** Every declaration file reachable from `entry` through relative imports, with the bare modules each names. */
function declarationClosure(entry: string): Map<string, string[]> {
    const found = new Map<string, string[]>();
    const pending = [entry];
    while (pending.length > 0) {
        const file = pending.pop()!;
        if (found.has(file)) continue;
        const text = readFileSync(file, "utf8");
        const specifiers = [...text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)["']([^"']+)["']/g)].map(
            (m) => m[1]!,
        );
        found.set(
            file,
            specifiers.filter((s) => !s.startsWith(".")),
        );
        for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
            const base = resolve(dirname(file), specifier);
            const candidate = [`${base}.d.ts`, join(base, "index.d.ts")].find((c) => existsSync(c));
            assert.ok(candidate, `${file} imports ${specifier}, which has no declaration file`);
            pending.push(candidate);
        }
    }
    return found;
}

test("no declaration file reachable from the SDK's entry point imports zod", () => {
    assert.ok(existsSync(ENTRY), `${ENTRY} is missing: build first (tsc -p tsconfig.json)`);
    const closure = declarationClosure(ENTRY);
    assert.ok(closure.size >= 10, `only ${closure.size} declaration files found: the walk is broken`);
    const generated = [...closure.keys()].filter((f) => f.includes(join("sdk", "generated")));
    assert.deepEqual(
        generated.map((file) => file.slice(file.lastIndexOf("/") + 1)).sort(),
        ["inputs.d.ts", "outputs.d.ts", "resources.d.ts"],
        "the generated types and classes are part of the SDK's declarations",
    );
    const withZod = [...closure].filter(([, modules]) => modules.some((m) => m === "zod" || m.startsWith("zod/")));
    assert.deepEqual(
        withZod.map(([file]) => file.slice(PROJECT_ROOT.length + 1)),
        [],
        "these shipped declarations import zod",
    );
});

test("the closure walk sees an import of zod where there is one", () => {
    // The provider's model is not part of the SDK's surface, but does import zod: the walk must say so.
    const closure = declarationClosure(join(PROJECT_ROOT, "dist", "provider", "model", "network.d.ts"));
    assert.ok([...closure.values()].some((modules) => modules.includes("zod")));
});

let dir: string;

before(() => {
    ensureSelfLink();
    dir = mkdtempSync(join(tmpdir(), "pltest-types-"));
    // The project's node_modules: pulumi-libvirt (a link to this repository, so dist/ as packed),
    // @pulumi/pulumi and @types/node, as a user's project has them.
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, USER_PROGRAM_FILE), USER_PROGRAM);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("a program using every class compiles under Pulumi's template tsconfig (moduleResolution node, no skipLibCheck)", () => {
    assert.deepEqual(compileUserProgram(dir, TEMPLATE_TSCONFIG), []);
});

test("the same program compiles under node16 resolution (the package's exports map)", () => {
    assert.deepEqual(compileUserProgram(dir, NODE16_TSCONFIG), []);
});

test("an editor shows each argument's JSDoc: the documentation of Domain's memory, as the compiler resolves it", () => {
    const program = ts.createProgram([join(dir, USER_PROGRAM_FILE)], { ...TEMPLATE_TSCONFIG, noEmit: true });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(join(dir, USER_PROGRAM_FILE))!;
    const docs = new Map<string, string>();
    const visit = (node: ts.Node): void => {
        // What hovering a property of an object literal shows: the property of its contextual type.
        if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && ts.isObjectLiteralExpression(node.parent)) {
            const contextual = checker.getContextualType(node.parent);
            const property = contextual && checker.getPropertyOfType(contextual, node.name.text);
            if (property) {
                const text = ts.displayPartsToString(property.getDocumentationComment(checker));
                docs.set(node.name.text, text.replace(/\s+/g, " "));
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    assert.match(docs.get("memory") ?? "", /boot-time memory size.*Change: restart/s);
    assert.match(docs.get("restartPolicy") ?? "", /Default: `"never"`/);
    assert.match(docs.get("capacity") ?? "", /Change: live when it grows, replace when it shrinks/);
    assert.match(docs.get("mode") ?? "", /\S/, "a nested argument (forward.mode) is documented too");
});
