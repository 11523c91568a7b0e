/**
 * Tier (d): the examples under the real Pulumi CLI (`pulumi up --yes` on a local file backend):
 * up, an empty preview, destroy, with nothing of the example left. This machine cannot install
 * the CLI; the tests then skip and say so (tiers (a)-(c) run the same examples without it).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type Example, prepareExampleProject } from "../../tools/lab/project";
import { pulumiCliPath } from "../../tools/lab/pulumi-cli";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import { listNames, removeTestObjects } from "../helpers/virsh";

const PREFIX = "pltest-cli";
const cli = pulumiCliPath();
const skip = cli ? false : "the pulumi CLI is not on PATH (install it to run this tier); tiers (a)-(c) cover the rest";

/** Each example's stack config: its own prefix and subnets, the test host's guest, short shutdowns. */
function configFor(example: Example): Record<string, string> {
    const host = loadTestHost();
    const prefix = `${PREFIX}-${example}`;
    const guest = { kernel: host.guestKernel, initrd: host.guestInitrd, shutdownTimeoutSeconds: "5" };
    switch (example) {
        case "lab":
            return { prefix, subnet: "10.253.206", poolPath: `/var/lib/libvirt/${prefix}-pool`, ...guest };
        case "minimal":
            return { prefix, ...guest };
        case "multi-host":
            return {
                prefix,
                hostA: host.unixUri,
                hostB: host.tcpUri,
                subnetA: "10.253.207",
                subnetB: "10.253.208",
                ...guest,
            };
    }
}

for (const example of ["minimal", "lab", "multi-host"] as const) {
    test(`the ${example} example under the real Pulumi CLI`, { skip }, () => {
        const prefix = `${PREFIX}-${example}`;
        removeTestObjects(prefix);
        const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
        const backend = join(dir, "backend");
        const env = { ...process.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "" };
        const project = prepareExampleProject(PROJECT_ROOT, example, join(dir, "project"));
        const pulumi = (...args: string[]) => {
            const r = spawnSync(cli!, [...args, "--cwd", project.dir, "--non-interactive"], { env, encoding: "utf8" });
            assert.equal(r.status, 0, `pulumi ${args.join(" ")}: ${r.stdout}\n${r.stderr}`);
            return r.stdout;
        };
        try {
            mkdirSync(backend, { recursive: true });
            pulumi("stack", "init", "pltest");
            for (const [key, value] of Object.entries(configFor(example))) pulumi("config", "set", key, value);
            pulumi("up", "--yes");
            assert.ok(listNames("domain", prefix).length > 0, "the example's guests exist");
            assert.doesNotMatch(pulumi("preview", "--diff"), /[+~-] \d+ to /, "a second run plans nothing");
            pulumi("destroy", "--yes");
            for (const kind of ["domain", "network", "pool"] as const) assert.deepEqual(listNames(kind, prefix), []);
        } finally {
            removeTestObjects(prefix);
            rmSync(`/var/lib/libvirt/${prefix}-pool`, { recursive: true, force: true });
            rmSync(dir, { recursive: true, force: true });
        }
    });
}
