/**
 * The README's program (examples/quickstart) passes the provider's `check` and `diff`: a preview
 * with the engine emulator plans its five creates. The program is not brought up by the tests (it
 * downloads a cloud image from the internet); a preview creates nothing (check only reads from
 * libvirt what it can tell before anything exists, e.g. whether the reservation's network exists).
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

test("a preview of the README's program plans every resource and fails no check", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pltest-quickstart-"));
    try {
        linkPackage(dir, PROJECT_ROOT);
        const stateFile = join(dir, "state.json");
        const engine = new EngineEmulator({ stateFile, project: "libvirt-quickstart", stack: "pltest", cwd: dir });
        const summary = await engine.preview(join(PROJECT_ROOT, "dist", "examples", "quickstart", "index.js"));
        const planned = summary.steps
            .filter((s) => s.urn.includes("dynamic/libvirt:"))
            .map((s) => `${s.op} ${s.urn.split("::").pop()}`)
            .sort();
        assert.deepEqual(planned, ["create disk", "create net", "create pool", "create vm", "create vm-lease"]);
        assert.equal(existsSync(stateFile), false, "a preview writes no state");
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
