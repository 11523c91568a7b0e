/**
 * Tier (d): the examples under the real Pulumi CLI (`pulumi up --yes` on a local file backend).
 * This machine cannot install the CLI; the test then skips and says so.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { prepareExampleProject } from "../../tools/lab/project";
import { pulumiCliPath } from "../../tools/lab/pulumi-cli";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import { removeTestObjects, virsh, virshMaybe } from "../helpers/virsh";

const PREFIX = "pltest-cli";
const cli = pulumiCliPath();

test("the minimal example under the real Pulumi CLI", {
    skip: cli ? false : "the pulumi CLI is not on PATH (install it to run this tier); tiers (a)-(c) cover the rest",
}, () => {
    removeTestObjects(PREFIX);
    const dir = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
    const backend = join(dir, "backend");
    const env = { ...process.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "" };
    const project = prepareExampleProject(PROJECT_ROOT, "minimal", join(dir, "project"));
    const pulumi = (...args: string[]) => {
        const r = spawnSync(cli!, [...args, "--cwd", project.dir, "--non-interactive"], { env, encoding: "utf8" });
        assert.equal(r.status, 0, `pulumi ${args.join(" ")}: ${r.stdout}\n${r.stderr}`);
        return r.stdout;
    };
    try {
        spawnSync("mkdir", ["-p", backend]);
        const host = loadTestHost();
        pulumi("stack", "init", "pltest");
        pulumi("config", "set", "prefix", PREFIX);
        pulumi("config", "set", "kernel", host.guestKernel);
        pulumi("config", "set", "initrd", host.guestInitrd);
        pulumi("up", "--yes");
        assert.match(virsh(["domstate", `${PREFIX}-vm`]), /running/);
        assert.match(pulumi("preview", "--diff"), /unchanged/);
        pulumi("destroy", "--yes");
        assert.equal(virshMaybe(["dominfo", `${PREFIX}-vm`]), undefined);
    } finally {
        removeTestObjects(PREFIX);
        rmSync(dir, { recursive: true, force: true });
    }
});
