/**
 * The SDK's emitted declarations as a user's compiler sees them (dist/, as the package ships it):
 * - no `.d.ts` reachable from `pulumi-libvirt`'s entry point imports zod (the argument types are
 *   the generated plain interfaces), so a project without `skipLibCheck` checks none of zod's files;
 * - a program using every resource class and the component compiles under Pulumi's template
 *   tsconfig (strict, commonjs, `moduleResolution: node`, no `skipLibCheck`, no `esModuleInterop`)
 *   and under `node16` resolution, with `@ts-expect-error` lines proving the types are not `any`.
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
    assert.equal(generated.length, 2, "the generated inputs and outputs are part of the SDK's declarations");
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

/** A program a user might write: every class, the shorthands the README uses, outputs passed on. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as libvirt from "pulumi-libvirt";

const pool = new libvirt.StoragePool("pool", { target: { path: "/var/lib/pltest-types" } });
const net = new libvirt.Network("net", {
    forward: { mode: "nat" },
    ips: [{ address: "10.77.0.1", prefix: 24, dhcp: { ranges: [{ start: "10.77.0.10", end: "10.77.0.99" }] } }],
});
const disk = new libvirt.Volume("disk", { pool: pool.name, capacity: "2GiB", target: { format: "qcow2" } });
const seed = new libvirt.CloudInit("seed", { pool: pool.name, userData: { packages: ["htop"] } });
const vm = new libvirt.Domain("vm", {
    type: "qemu",
    memory: "512MiB",
    vcpu: 2,
    running: true,
    restartPolicy: "graceful",
    waitForIp: true,
    devices: {
        disks: [{ source: { file: disk.path }, target: { dev: "vda", bus: "virtio" } }],
        interfaces: [{ source: { network: net.name } }],
    },
});
new libvirt.DhcpHost("lease", { network: net.name, ip: "10.77.0.5", mac: "52:54:00:00:00:05" });
new libvirt.DnsHost("dns", { network: net.name, ip: "10.77.0.5", hostnames: ["vm.lab"] });
const component = new libvirt.VirtualMachine("lab", {
    image: { url: "https://example.invalid/image.qcow2" },
    pool: pool,
    network: net,
    memory: "1GiB",
    waitForIp: false,
});
const capacity: pulumi.Output<number> = disk.capacityBytes;
const state: pulumi.Output<string> = vm.state;
const mode: pulumi.Output<libvirt.outputs.NetworkOutputs["forward"]> = net.forward;
const forward: libvirt.inputs.Forward = { mode: "route" };
export const outputs = { capacity, state, mode, forward, seed: seed.path, ip: component.ipAddress };

// @ts-expect-error an unknown restart policy is refused (enums are literal unions, not string)
new libvirt.Domain("bad-policy", { memory: 256, restartPolicy: "sometimes" });
// @ts-expect-error memory is a number of MiB or a string, not a boolean
new libvirt.Domain("bad-memory", { memory: true });
// @ts-expect-error a Volume needs its pool
new libvirt.Volume("bad-volume", { capacity: 1 });
`;

let dir: string;

before(() => {
    ensureSelfLink();
    dir = mkdtempSync(join(tmpdir(), "pltest-types-"));
    // The project's node_modules: pulumi-libvirt (a link to this repository, so dist/ as packed),
    // @pulumi/pulumi and @types/node, as a user's project has them.
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, "index.ts"), PROGRAM);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function compile(options: ts.CompilerOptions): string[] {
    const program = ts.createProgram([join(dir, "index.ts")], { ...options, noEmit: true });
    return ts
        .getPreEmitDiagnostics(program)
        .map((d) => `${d.file ? `${d.file.fileName}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

/** Pulumi's TypeScript template (pulumi new typescript): no skipLibCheck, no esModuleInterop. */
const TEMPLATE: ts.CompilerOptions = {
    strict: true,
    outDir: "bin",
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
    // TypeScript 6 (this repository's) warns that node10 resolution is deprecated; the template's TypeScript 5 does not.
    ignoreDeprecations: "6.0",
};

test("a program using every class compiles under Pulumi's template tsconfig (moduleResolution node, no skipLibCheck)", () => {
    assert.deepEqual(compile(TEMPLATE), []);
});

test("the same program compiles under node16 resolution (the package's exports map)", () => {
    assert.deepEqual(
        compile({ ...TEMPLATE, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }),
        [],
    );
});

test("the type check is not vacuous: a wrong argument is reported", () => {
    writeFileSync(join(dir, "index.ts"), `${PROGRAM}\nnew libvirt.Network("typo", { forwrd: { mode: "nat" } });\n`);
    try {
        const errors = compile(TEMPLATE);
        assert.equal(errors.length, 1, errors.join("\n"));
        assert.match(errors[0]!, /forwrd/);
    } finally {
        writeFileSync(join(dir, "index.ts"), PROGRAM);
    }
});
