/**
 * The README's programs pass the provider's `check` and `diff`: a preview with the engine emulator
 * plans every resource. The component program (examples/quickstart) plans the VirtualMachine's
 * children; the exact-resource program (examples/quickstart-exact) its five resources. Neither is
 * brought up by the tests (they download a cloud image from the internet); a preview creates
 * nothing (check only reads from libvirt what it can tell before anything exists).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { defaultPool } from "../../provider/rpc";
import { EngineEmulator } from "../../tools/engine";
import { linkPackage } from "../../tools/lab/project";
import { PROJECT_ROOT } from "../helpers/shared-paths";

// check's reads go through the shared pool, whose connection would keep the test process alive.
after(() => defaultPool.closeAll());

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpkgcltXecXRXxiDDNMhIJaemggtBQYSJ/AqIC3yFvf quickstart@pltest";

async function plannedSteps(example: string, config: Record<string, string> = {}): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), `pltest-${example}-`));
    try {
        linkPackage(dir, PROJECT_ROOT);
        const stateFile = join(dir, "state.json");
        const engine = new EngineEmulator({
            stateFile,
            project: `libvirt-${example}`,
            stack: "pltest",
            cwd: dir,
            config,
        });
        const summary = await engine.preview(join(PROJECT_ROOT, "dist", "examples", example, "index.js"));
        assert.equal(existsSync(stateFile), false, "a preview writes no state");
        return summary.steps
            .filter((s) => s.urn.includes("dynamic/libvirt:"))
            .map((s) => `${s.op} ${s.urn.split("::").pop()}`)
            .sort();
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

test("a preview of the README's program plans the VirtualMachine's children and fails no check", async () => {
    assert.deepEqual(await plannedSteps("quickstart", { sshKey: SSH_KEY }), [
        "create net",
        "create pool",
        "create vm-base",
        "create vm-disk",
        "create vm-domain",
        "create vm-ip",
        "create vm-seed",
    ]);
});

test("a preview of the exact-resource program plans every resource and fails no check", async () => {
    assert.deepEqual(await plannedSteps("quickstart-exact"), [
        "create disk",
        "create net",
        "create pool",
        "create vm",
        "create vm-lease",
    ]);
});
