/**
 * What a booted cloud-init guest shows when it consumed a NoCloud seed, read through the QEMU guest
 * agent (never the network): shared by the seed test (test/integration/cloud-guest.test.ts) and the
 * real-engine CloudInit test (test/cli/cloudinit-guest.test.ts).
 */
import assert from "node:assert/strict";
import { guestExec, guestReadFile } from "./guest-agent";

/** cloud-init finished without errors, from the seed on the cdrom, with this instance-id. */
export async function assertCloudInitDone(domain: string, instanceId: string): Promise<void> {
    const status = await guestExec(domain, "/usr/bin/cloud-init", ["status"]);
    assert.equal(status.stdout.trim(), "status: done", status.stdout + status.stderr);
    assert.equal(status.exitCode, 0);
    const result = JSON.parse(guestReadFile(domain, "/run/cloud-init/result.json")) as {
        v1: { datasource: string; errors: string[] };
    };
    assert.deepEqual(result.v1.errors, []);
    assert.match(result.v1.datasource, /^DataSourceNoCloud \[seed=\/dev\/sr0\]/);
    const id = await guestExec(domain, "/usr/bin/cloud-init", ["query", "instance_id"]);
    assert.equal(id.stdout.trim(), instanceId);
}

/** The user exists with a home and bash, and holds exactly these authorized keys (in any order). */
export async function assertUserWithKeys(domain: string, user: string, keys: readonly string[]): Promise<void> {
    const passwd = await guestExec(domain, "/usr/bin/getent", ["passwd", user]);
    assert.equal(passwd.exitCode, 0, `getent passwd ${user}: ${passwd.stderr}`);
    assert.match(passwd.stdout, new RegExp(`^${user}:x:\\d+:\\d+:.*:/home/${user}:/bin/bash$`, "m"));
    const held = guestReadFile(domain, `/home/${user}/.ssh/authorized_keys`)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"));
    // cloud-init does not keep the declared order; the set, and no more, is what counts.
    assert.deepEqual([...held].sort(), [...keys].sort());
}

/** The guest's hostname is this one. */
export async function assertHostname(domain: string, hostname: string): Promise<void> {
    const shown = await guestExec(domain, "/bin/hostname");
    assert.equal(shown.stdout.trim(), hostname);
}
