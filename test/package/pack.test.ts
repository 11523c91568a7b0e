/**
 * Tier (c): the package as users get it. `npm pack` the repository, install the tarball into fresh
 * projects and run the minimal example there with the engine emulator (which loads each stub from
 * the project folder as Pulumi's provider host does):
 * - a project on the newest @pulumi/pulumi: one copy of the SDK (`npm ls`), up and destroy;
 * - a project on the lowest @pulumi/pulumi the package declares: one copy, a preview;
 * - a project that gets pulumi-libvirt only through a component package, installed by npm's
 *   nested and linked (pnpm-like) strategies: the stub still finds the runtime (a preview, which
 *   runs the provider's check and diff).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
    copyFileSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readFileSync,
    realpathSync,
    rmSync,
    writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import {
    compileUserProgram,
    NODE16_TSCONFIG,
    TEMPLATE_TSCONFIG,
    USER_PROGRAM,
    USER_PROGRAM_FILE,
} from "../helpers/user-program-types";
import { removeTestObjects, virsh, virshMaybe } from "../helpers/virsh";

const PREFIX = "pltest-pack";
const NODE = process.execPath;
const own = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
};
/** The lowest @pulumi/pulumi the declared range admits, e.g. "^3.270.0" -> "3.270.0". */
const LOWEST_SDK = own.dependencies["@pulumi/pulumi"]!.replace(/^[\^~>=]+/, "");

let dir: string;
let tarball: string;

/** npm from PATH (the registry client); its own node may be older, which npm does not mind for these commands. */
function npm(args: string[], cwd: string): string {
    return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function install(app: string, strategy: "hoisted" | "nested" | "linked" = "hoisted"): void {
    npm(
        [
            "install",
            "--prefer-offline",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            `--install-strategy=${strategy}`,
        ],
        app,
    );
}

/** Every installed copy of @pulumi/pulumi, as real folders. */
function sdkCopies(app: string): string[] {
    const out = npm(["ls", "@pulumi/pulumi", "--all", "--parseable"], app);
    return [
        ...new Set(
            out
                .split("\n")
                .filter(Boolean)
                .map((p) => realpathSync(p)),
        ),
    ];
}

function newApp(name: string, dependencies: Record<string, string>): string {
    const app = join(dir, name);
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: `pltest-${name}`, private: true, dependencies }));
    writeFileSync(join(app, "Pulumi.yaml"), `name: libvirt-${name}\nruntime: nodejs\n`);
    return app;
}

/** Runs the engine emulator in the project; returns what it printed. */
function engine(app: string, op: "up" | "preview" | "destroy", program = join(app, "index.js")): string {
    const host = loadTestHost();
    return execFileSync(
        NODE,
        [
            join(PROJECT_ROOT, "dist", "tools", "lab", "run-engine.js"),
            op,
            ...(op === "destroy" ? [] : ["--program", program]),
            ...["--state", join(app, "state.json"), "--cwd", app],
            ...["--config", `prefix=${PREFIX}-${app.split("/").pop()}`],
            ...["--config", `kernel=${host.guestKernel}`, "--config", `initrd=${host.guestInitrd}`],
            ...["--config", "shutdownTimeoutSeconds=2"],
        ],
        { cwd: app, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
}

describe("the packed package in users' projects", { concurrency: 1 }, () => {
    before(() => {
        removeTestObjects(PREFIX);
        dir = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
        const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", dir], PROJECT_ROOT)) as {
            filename: string;
            files: { path: string }[];
        }[];
        tarball = join(dir, packed[0]!.filename);
        const files = packed[0]!.files.map((f) => f.path);
        assert.ok(files.includes("dist/provider/index.js"), "the runtime the stubs require is packed");
        assert.ok(files.includes("dist/sdk/index.js"));
        assert.ok(files.includes("LICENSE"), "the license is packed");
        assert.ok(!files.some((f) => f.startsWith("dist/test/")), "tests are not packed");
        assert.deepEqual(
            files.filter((f) => f.endsWith(".map")),
            [],
            "no source maps pointing at sources that are not shipped",
        );
    });
    after(() => {
        removeTestObjects(PREFIX);
        rmSync(dir, { recursive: true, force: true });
    });

    test("on the newest @pulumi/pulumi: one copy of the SDK, and the minimal example runs", (t) => {
        const newest = npm(["view", "@pulumi/pulumi", "version"], dir).trim();
        const app = newApp("newest", { "pulumi-libvirt": `file:${tarball}`, "@pulumi/pulumi": `^${newest}` });
        install(app);
        const installed = realpathSync(join(app, "node_modules", "pulumi-libvirt"));
        assert.ok(installed.startsWith(app), `pulumi-libvirt is a real copy in the project, not a link (${installed})`);
        assert.equal(sdkCopies(app).length, 1, `one @pulumi/pulumi: ${sdkCopies(app).join(", ")}`);
        t.diagnostic(
            `@pulumi/pulumi ${JSON.parse(readFileSync(join(app, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version}`,
        );

        copyFileSync(join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"), join(app, "index.js"));
        engine(app, "up");
        const vm = `${PREFIX}-newest-vm`;
        assert.match(virsh(["domstate", vm]), /running/);
        const state = JSON.parse(readFileSync(join(app, "state.json"), "utf8"));
        const res = state.resources.find((r: { urn: string }) => r.urn.endsWith("::vm"));
        const stub: string = res.outputs.__provider;
        assert.match(stub, /"pulumi-libvirt\/provider"/, "the stub, not the runtime, is stored");
        assert.ok(stub.length < 2048, `the stub is ${stub.length} characters`);
        assert.ok(!stub.includes(PROJECT_ROOT), "no path of the build tree is baked into the stub");
        engine(app, "destroy");
        assert.equal(virshMaybe(["dominfo", vm]), undefined);
    });

    test(`on the lowest declared @pulumi/pulumi (${LOWEST_SDK}): one copy, and a preview runs`, () => {
        const app = newApp("lowest", { "pulumi-libvirt": `file:${tarball}`, "@pulumi/pulumi": LOWEST_SDK });
        install(app);
        const copies = sdkCopies(app);
        assert.equal(copies.length, 1, `one @pulumi/pulumi: ${copies.join(", ")}`);
        const version = JSON.parse(readFileSync(join(copies[0]!, "package.json"), "utf8")).version;
        assert.equal(version, LOWEST_SDK);
        copyFileSync(join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"), join(app, "index.js"));
        assert.match(engine(app, "preview"), /\+ 1 to create/);
    });

    test("a TypeScript program using every class type-checks against the installed package (Pulumi's template tsconfig, no skipLibCheck; node16)", () => {
        // As `pulumi new typescript` sets a project up: @pulumi/pulumi and @types/node beside the package.
        const newest = npm(["view", "@pulumi/pulumi", "version"], dir).trim();
        const types = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).devDependencies[
            "@types/node"
        ];
        const app = newApp("types", {
            "pulumi-libvirt": `file:${tarball}`,
            "@pulumi/pulumi": `^${newest}`,
            "@types/node": types,
        });
        install(app);
        writeFileSync(join(app, USER_PROGRAM_FILE), USER_PROGRAM);
        assert.deepEqual(compileUserProgram(app, TEMPLATE_TSCONFIG), []);
        assert.deepEqual(compileUserProgram(app, NODE16_TSCONFIG), []);
    });

    for (const strategy of ["nested", "linked"] as const) {
        test(`through a component package, installed ${strategy}: the provider host still finds the runtime`, () => {
            // A component package depending on pulumi-libvirt; the project depends only on it.
            const component = join(dir, `component-${strategy}`);
            mkdirSync(component, { recursive: true });
            writeFileSync(
                join(component, "package.json"),
                JSON.stringify({
                    name: "pltest-component",
                    version: "1.0.0",
                    main: "index.js",
                    dependencies: {
                        "pulumi-libvirt": `file:${tarball}`,
                        "@pulumi/pulumi": own.dependencies["@pulumi/pulumi"],
                    },
                }),
            );
            writeFileSync(
                join(component, "index.js"),
                [
                    'const { Domain } = require("pulumi-libvirt");',
                    "exports.vm = (name, kernel, initrd) => new Domain(name, {",
                    '    type: "qemu", memory: 64, vcpu: 1, running: false,',
                    '    os: { kernel, initrd, cmdline: "console=ttyS0" },',
                    "});",
                    "",
                ].join("\n"),
            );
            // Packed, as a registry would serve it (a file: folder would be linked, not installed).
            const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", dir], component)) as {
                filename: string;
            }[];
            const app = newApp(`via-${strategy}`, {
                "pltest-component": `file:${join(dir, packed[0]!.filename)}`,
                "@pulumi/pulumi": own.dependencies["@pulumi/pulumi"]!,
            });
            install(app, strategy);
            assert.ok(
                !existsSync(join(app, "node_modules", "pulumi-libvirt")),
                "pulumi-libvirt is not in the project's own node_modules (where the old stub looked)",
            );
            const host = loadTestHost();
            writeFileSync(
                join(app, "index.js"),
                `require("pltest-component").vm("vm", ${JSON.stringify(host.guestKernel)}, ${JSON.stringify(host.guestInitrd)});\n`,
            );
            assert.match(engine(app, "preview"), /\+ 1 to create/);
        });
    }
});
