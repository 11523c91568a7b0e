/**
 * Tier (c): the package as users get it. `npm pack` the repository, install the tarball into a
 * fresh project beside @pulumi/pulumi, copy the compiled minimal example there and run it with the
 * engine emulator in that project. The provider stub then has to load `pulumi-libvirt/provider`
 * from the project's node_modules, as it does under the Pulumi CLI.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import { removeTestObjects, virsh, virshMaybe } from "../helpers/virsh";

const PREFIX = "pltest-pack";
const NODE = process.execPath;

let dir: string;
before(() => {
    removeTestObjects(PREFIX);
    dir = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
});
after(() => {
    removeTestObjects(PREFIX);
    rmSync(dir, { recursive: true, force: true });
});

/** npm from PATH (the registry client); its own node may be older, which npm does not mind for these commands. */
function npm(args: string[], cwd: string): string {
    return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

test("the packed tarball installs into a project and runs the minimal example from node_modules", async (t) => {
    const started = Date.now();
    const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", dir], PROJECT_ROOT)) as {
        filename: string;
        files: { path: string }[];
    }[];
    const tarball = join(dir, packed[0]!.filename);
    const files = packed[0]!.files.map((f) => f.path);
    assert.ok(files.includes("dist/provider/index.js"), "the runtime the stubs require is packed");
    assert.ok(files.includes("dist/sdk/index.js"));
    assert.ok(!files.some((f) => f.startsWith("dist/test/")), "tests are not packed");

    const own = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
    const app = join(dir, "app");
    execFileSync("mkdir", ["-p", app]);
    writeFileSync(
        join(app, "package.json"),
        JSON.stringify({
            name: "pltest-pack-app",
            private: true,
            dependencies: { "pulumi-libvirt": `file:${tarball}`, "@pulumi/pulumi": own.dependencies["@pulumi/pulumi"] },
        }),
    );
    npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], app);
    t.diagnostic(`pack and install: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const installed = realpathSync(join(app, "node_modules", "pulumi-libvirt"));
    assert.ok(installed.startsWith(app), `pulumi-libvirt is a real copy in the project, not a link (${installed})`);

    copyFileSync(join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"), join(app, "index.js"));
    writeFileSync(join(app, "Pulumi.yaml"), "name: libvirt-minimal\nruntime: nodejs\n");
    const host = loadTestHost();
    const engine = (op: string) =>
        execFileSync(
            NODE,
            [
                join(PROJECT_ROOT, "dist", "tools", "lab", "run-engine.js"),
                op,
                ...(op === "up" ? ["--program", join(app, "index.js")] : []),
                "--state",
                join(app, "state.json"),
                "--cwd",
                app,
                "--config",
                `prefix=${PREFIX}`,
                "--config",
                `kernel=${host.guestKernel}`,
                "--config",
                `initrd=${host.guestInitrd}`,
                "--config",
                "shutdownTimeoutSeconds=2",
            ],
            { cwd: app, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
    const up = engine("up");
    t.diagnostic(up);
    assert.match(virsh(["domstate", `${PREFIX}-vm`]), /running/);
    const state = JSON.parse(readFileSync(join(app, "state.json"), "utf8"));
    const vm = state.resources.find((r: { urn: string }) => r.urn.endsWith("::vm"));
    assert.match(vm.provider, /require\("pulumi-libvirt\/provider"\)/, "the stub, not the runtime, is serialised");
    assert.ok(!vm.provider.includes(PROJECT_ROOT), "no path of the build tree is baked into the stub");

    engine("destroy");
    assert.equal(virshMaybe(["dominfo", `${PREFIX}-vm`]), undefined);
});
