/**
 * Secrets through the engine emulator with the real SDK classes against the real libvirtd: a VNC
 * password and a LUKS passphrase passed as PLAIN strings never appear in clear in the state file
 * (inputs or outputs), in a printed summary (preview, up, refresh, destroy), in an exported output
 * (`devices` echoes the inputs), in a log line of the provider, or in a check error (which printed
 * the passphrase twice). libvirt got them all the same (virsh dumpxml --security-info).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Domain, Volume } from "../../../sdk";
import { EngineError, formatSummary } from "../../../tools/engine";
import { isSecret } from "../../../tools/engine/values";
import { virsh } from "../../helpers/virsh";
import { secretWatch } from "./secret-watch";
import { uri } from "./volume-helpers";

const PREFIX = "pltest-secreng-";
const PASSWORD = "Vn7pQ2xz";
const NEW_PASSWORD = "Kt4mW9rb";
const PHRASE = "luks-phrase-5b1e7c";
const CLEAR = new RegExp(`${PASSWORD}|${NEW_PASSWORD}|${PHRASE}`);

const watch = secretWatch(PREFIX, CLEAR);

function program(password: string, extra: Record<string, unknown> = {}) {
    return () => {
        const disk = new Volume("disk", {
            uri,
            pool: watch.pool.name,
            name: `${PREFIX}disk`,
            capacity: 8,
            passphrase: PHRASE,
            ...extra,
        });
        const vm = new Domain("vm", {
            uri,
            name: `${PREFIX}vm`,
            type: "qemu",
            memory: 64,
            running: false,
            devices: { graphics: [{ type: "vnc", password }] },
        });
        return {
            devices: vm.devices,
            graphicsPasswords: vm.graphicsPasswords,
            passphrase: disk.passphrase,
            path: disk.path,
        };
    };
}

/** Everything a user could read: the summary as printed, the state file, the provider's lines. */

test("preview, up, update, refresh and destroy never show the password or the passphrase", {
    timeout: 120_000,
}, async () => {
    const preview = await watch.s.engine().preview(program(PASSWORD));
    // Preview answers the checked inputs as outputs: devices holds the password there, so it is secret.
    assert.ok(isSecret(preview.outputs.devices), "devices in preview");
    assert.ok(isSecret(preview.outputs.passphrase));
    assert.doesNotMatch(formatSummary(preview, "lab/pltest"), CLEAR);
    assert.doesNotMatch(watch.logged.join("\n"), CLEAR);

    const up = await watch.s.engine().up(program(PASSWORD));
    watch.assertNoClearValue(up, "up");
    assert.ok(isSecret(up.outputs.graphicsPasswords));
    assert.deepEqual((up.outputs.graphicsPasswords as { value: unknown }).value, [PASSWORD]);
    assert.ok(isSecret(up.outputs.passphrase));
    // devices echoes no password; the engine marks its graphics secret (their input held one).
    assert.ok(isSecret(up.outputs.devices), "an exported devices shows as [secret]");
    const vmState = watch.s.state().find((r) => r.urn.endsWith("::vm"))!;
    const devicesState = vmState.outputs.devices as Record<string, unknown>;
    assert.equal(isSecret(devicesState), false, "in the state, devices is marked part by part");
    assert.ok(isSecret(devicesState.graphics));
    // The inputs the program sent: the secret wrapped, the rest of devices readable.
    const vmReg = up.registrations.find((r) => r.urn.endsWith("::vm"))!;
    const graphics = (vmReg.inputs.devices as { graphics: Array<Record<string, unknown>> }).graphics[0]!;
    assert.ok(isSecret(graphics.password), "the SDK marked the plain password");
    assert.equal(graphics.type, "vnc");
    // libvirt has them: the guest's console password, and a LUKS volume.
    assert.match(
        virsh(["dumpxml", `${PREFIX}vm`, "--inactive", "--security-info"]),
        new RegExp(`passwd='${PASSWORD}'`),
    );
    assert.match(virsh(["vol-dumpxml", `${PREFIX}disk`, watch.pool.name]), /<encryption format='luks'>/);

    const changed = await watch.s.engine().up(program(NEW_PASSWORD));
    assert.deepEqual(
        changed.steps.filter((x) => x.op !== "same").map((x) => x.op),
        ["update"],
    );
    watch.assertNoClearValue(changed, "update");
    assert.match(
        virsh(["dumpxml", `${PREFIX}vm`, "--inactive", "--security-info"]),
        new RegExp(`passwd='${NEW_PASSWORD}'`),
    );

    const refresh = await watch.s.engine().refresh();
    watch.assertNoClearValue(refresh, "refresh");

    // A check failure on the Volume: neither the engine's line nor the provider's reason quotes it.
    const failed = await watch.s
        .engine()
        .up(program(NEW_PASSWORD, { capacity: undefined, sourceImage: { url: "/nonexistent.raw" } }))
        .then(
            () => assert.fail("the check should fail"),
            (e: unknown) => e as EngineError,
        );
    assert.ok(failed instanceof EngineError);
    assert.match(failed.message, /passphrase/);
    assert.doesNotMatch(failed.message, CLEAR);
    watch.assertNoClearValue(failed.summary, "check failure");

    const destroy = await watch.s.engine().destroy();
    watch.assertNoClearValue(destroy, "destroy");
    assert.equal(watch.s.state().length, 0);
});
