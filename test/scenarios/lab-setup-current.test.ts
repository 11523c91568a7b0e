/**
 * scripts/lab-setup-current.sh, the quick check with which `npm run lab` skips the full set-up
 * script: it passes on this (set-up) test host after the stamp, and sends `npm run lab` to the full
 * set-up whenever something it can see changed: no stamp yet, a set-up script newer than the
 * stamp, host.json rewritten since, another CLI version, a missing CLI or guest file, or libvirtd
 * not answering. Each case runs the script against a host.json copy in a temporary folder.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { HOST_JSON_PATH, PROJECT_ROOT } from "../helpers/test-host";

const SCRIPT = join(PROJECT_ROOT, "scripts", "lab-setup-current.sh");
const dir = mkdtempSync(join(tmpdir(), "pltest-lab-setup-"));
const stamp = join(dir, "setup-passed");
const hostJson = join(dir, "host.json");

interface Case {
    /** Fields of host.json to replace. */
    fields?: Record<string, string>;
    /** The stamp's time, seconds since the epoch (undefined: no stamp). */
    stampTime: number | undefined;
    /** host.json's time (default: a minute before the stamp). */
    hostJsonTime?: number;
    uri?: string;
}

const now = () => Date.now() / 1000;

/** Runs the check for one case; true when it says the set-up is still in place. */
function current(c: Case): boolean {
    const host = JSON.parse(readFileSync(HOST_JSON_PATH, "utf8")) as Record<string, unknown>;
    writeFileSync(hostJson, `${JSON.stringify({ ...host, ...c.fields }, null, 2)}\n`);
    const hostJsonTime = c.hostJsonTime ?? (c.stampTime ?? now()) - 60;
    utimesSync(hostJson, hostJsonTime, hostJsonTime);
    rmSync(stamp, { force: true });
    if (c.stampTime !== undefined) {
        writeFileSync(stamp, "");
        utimesSync(stamp, c.stampTime, c.stampTime);
    }
    const run = spawnSync("bash", [SCRIPT], {
        encoding: "utf8",
        env: {
            ...process.env,
            LAB_SETUP_STAMP: stamp,
            LAB_HOST_JSON: hostJson,
            LAB_LIBVIRT_URI: c.uri ?? "qemu:///system",
        },
    });
    assert.ok(run.status === 0 || run.status === 1, `exit ${run.status}: ${run.stderr}`);
    return run.status === 0;
}

describe("npm run lab's quick set-up check (scripts/lab-setup-current.sh)", () => {
    after(() => rmSync(dir, { recursive: true, force: true }));

    test("passes on the set-up test host once the stamp is newer than the set-up and host.json", () => {
        assert.equal(current({ stampTime: now() }), true);
    });

    test("fails without a stamp: the first run sets up in full", () => {
        assert.equal(current({ stampTime: undefined }), false);
    });

    test("fails when the set-up script changed after the stamp", () => {
        const mtime = (path: string) => statSync(join(PROJECT_ROOT, path)).mtimeMs / 1000;
        const changed = mtime("scripts/setup-test-host.sh");
        // The other files the check watches, so that the stamp just after them all passes.
        const watched = ["scripts/build-tiny-guest.sh", "scripts/build-cloud-guest.sh", "tools/pulumi-cli/go.mod"];
        const lastChange = Math.max(changed, ...watched.map(mtime), mtime("tools/pulumi-cli/go.sum"));
        assert.equal(current({ stampTime: changed - 1 }), false);
        assert.equal(current({ stampTime: lastChange + 1 }), true);
    });

    test("fails when host.json was rewritten after the stamp", () => {
        assert.equal(current({ stampTime: now() - 60, hostJsonTime: now() - 10 }), false);
    });

    test("fails when host.json names another CLI version than tools/pulumi-cli/go.mod", () => {
        assert.equal(current({ stampTime: now(), fields: { pulumiCliVersion: "v3.1.0" } }), false);
    });

    test("fails when the CLI or a guest file host.json names is missing", () => {
        assert.equal(current({ stampTime: now(), fields: { pulumiCli: join(dir, "no-such-pulumi") } }), false);
        assert.equal(current({ stampTime: now(), fields: { guestKernel: join(dir, "no-such-vmlinuz") } }), false);
    });

    test("fails when libvirtd does not answer", () => {
        const uri = `qemu:///system?socket=${join(dir, "no-such-socket")}`;
        assert.equal(current({ stampTime: now(), uri }), false);
    });
});
