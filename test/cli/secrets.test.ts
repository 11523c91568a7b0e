/**
 * Secrets under the real Pulumi engine: a VNC password and a LUKS passphrase passed as PLAIN strings
 * are encrypted in the stack's state (inputs and outputs), and appear in clear in nothing the CLI
 * prints (preview, up, an update, a check failure, refresh, destroy) nor in the diagnostics the
 * providers send; the exported outputs that carry them are secret. libvirt got them all the same.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Domain, Volume } from "pulumi-libvirt";
import { virsh } from "../helpers/virsh";
import { type CliRun, type CliScenario, cliScenario } from "./harness";

const PREFIX = "pltest-cli-secrets";
const PASSWORD = "Jd5wQ1ko";
const NEW_PASSWORD = "Pe8nV3zu";
const PHRASE = "luks-phrase-91fe2d";
const CLEAR = new RegExp(`${PASSWORD}|${NEW_PASSWORD}|${PHRASE}`);

/** Every file under a folder (the file backend's state and its backups). */
function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const path = join(dir, entry);
        return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

function assertNothingInClear(s: CliScenario, run: CliRun<unknown>, what: string): void {
    assert.doesNotMatch(run.output, CLEAR, `${what}: the CLI printed a secret`);
    assert.doesNotMatch(run.diagnostics.join("\n"), CLEAR, `${what}: a diagnostic holds a secret`);
    for (const file of filesUnder(join(s.dir, ".pulumi-state"))) {
        assert.doesNotMatch(readFileSync(file, "utf8"), CLEAR, `${what}: ${file} holds a secret in clear`);
    }
}

test("a console password and a LUKS passphrase stay secret under the real engine", { timeout: 300_000 }, async () => {
    const s = cliScenario(PREFIX);
    const pool = `${PREFIX}-pool`;
    try {
        virsh(["pool-define-as", pool, "dir", "--target", `/var/lib/libvirt/${pool}`]);
        virsh(["pool-build", pool]);
        virsh(["pool-start", pool]);
        const program =
            (password: string, volumeExtra: Record<string, unknown> = {}) =>
            async () => {
                const disk = new Volume("disk", {
                    pool,
                    name: `${PREFIX}-disk`,
                    capacity: 8,
                    passphrase: PHRASE,
                    ...volumeExtra,
                });
                const vm = new Domain("vm", {
                    name: `${PREFIX}-vm`,
                    type: "qemu",
                    memory: 64,
                    running: false,
                    devices: { graphics: [{ type: "vnc", password }] },
                });
                return { devices: vm.devices, graphicsPasswords: vm.graphicsPasswords, passphrase: disk.passphrase };
            };

        assertNothingInClear(s, await s.preview(program(PASSWORD)), "preview");

        const up = await s.up(program(PASSWORD));
        assertNothingInClear(s, up, "up");
        assert.equal(up.result.outputs.graphicsPasswords?.secret, true);
        assert.deepEqual(up.result.outputs.graphicsPasswords?.value, [PASSWORD]);
        assert.equal(up.result.outputs.passphrase?.secret, true);
        assert.equal(up.result.outputs.devices?.secret, true, "devices' graphics are marked by the engine");
        // On disk the stack's state holds them as ciphertext (`stack export` would decrypt them).
        const stateFiles = filesUnder(join(s.dir, ".pulumi-state")).filter((f) => f.endsWith("pltest.json"));
        assert.ok(stateFiles.length > 0, "the stack's state file");
        const state = readFileSync(stateFiles[0]!, "utf8");
        assert.match(state, /"ciphertext"/);
        assert.doesNotMatch(state, CLEAR);
        assert.match(state, /"ciphertext"/);
        assert.match(
            virsh(["dumpxml", `${PREFIX}-vm`, "--inactive", "--security-info"]),
            new RegExp(`passwd='${PASSWORD}'`),
        );
        assert.match(virsh(["vol-dumpxml", `${PREFIX}-disk`, pool]), /<encryption format='luks'>/);

        const changed = await s.up(program(NEW_PASSWORD));
        assert.deepEqual(changed.steps.changes, ["update vm"]);
        assertNothingInClear(s, changed, "update");
        assert.ok(
            changed.diagnostics.some((d) => d.includes("devices.graphics[0].password")),
            "the provider's summary reached the engine",
        );
        assert.match(
            virsh(["dumpxml", `${PREFIX}-vm`, "--inactive", "--security-info"]),
            new RegExp(`passwd='${NEW_PASSWORD}'`),
        );

        // A check failure: the engine's line and the provider's reason name the field, not the value.
        const failure = await s.up(program(NEW_PASSWORD, { capacity: undefined, sourceImage: { url: "/x.raw" } })).then(
            () => assert.fail("the check should fail"),
            (e: Error) => e,
        );
        assert.match(failure.message, /passphrase/);
        assert.doesNotMatch(failure.message, CLEAR);

        assertNothingInClear(s, await s.refresh(), "refresh");
        assertNothingInClear(s, await s.destroy(), "destroy");
    } finally {
        // Also removes the pool (its name has the prefix) and its folder.
        s.cleanup();
    }
});
