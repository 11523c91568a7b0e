/**
 * Issue 11's failed-restart scenario under the engine emulator: with `restartPolicy: "force"`, a CPU
 * this TCG host refuses at start (libvirt defines it) is tried; the `up` fails, the guest runs
 * again with its old definition (`virsh dumpxml --inactive`), the state still says what is true,
 * and reverting the program gives no change at all. A guest that was off when a start failed is
 * recorded as off (a partial result), so the next `up` acts on it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Domain } from "pulumi-libvirt";
import { REFUSED_CPU } from "../helpers/refused-cpu";
import { virsh } from "../helpers/virsh";
import { changes, failedUp, outputsOf, type Scenario, scenario } from "./harness";

const PREFIX = "pltest-scn-refused";
const NAME = `${PREFIX}-vm`;

let s: Scenario;
before(() => {
    s = scenario(PREFIX);
});
after(() => s.cleanup());

test("a refused restart is rolled back: the guest runs its old definition and a revert changes nothing", {
    timeout: 180_000,
}, async (t) => {
    const program =
        (extra: Record<string, unknown> = {}) =>
        () => {
            new Domain("vm", {
                name: NAME,
                type: "qemu",
                memory: 64,
                restartPolicy: "force",
                shutdownTimeoutSeconds: 1,
                ...extra,
            });
        };
    assert.deepEqual(changes(await s.engine().up(program())), ["create vm"]);
    const before = virsh(["dumpxml", "--inactive", NAME]);

    const failure = await failedUp(s, program({ cpu: REFUSED_CPU }));
    t.diagnostic(failure.message);
    assert.match(failure.message, /written back and the guest runs again/);
    assert.equal(virsh(["domstate", NAME]).trim(), "running", "the guest runs again");
    assert.equal(virsh(["dumpxml", "--inactive", NAME]), before, "with its old definition");
    assert.equal(outputsOf(s, "vm").state, "running");

    assert.deepEqual(changes(await s.engine().up(program())), [], "a reverted program changes nothing");
    assert.equal(virsh(["domstate", NAME]).trim(), "running");

    // Off, then asked to start with the refused CPU: the start fails after the definition was
    // written; the state records the guest off, so the next (reverted) up starts it.
    await s.engine().up(program({ running: false }));
    assert.equal(virsh(["domstate", NAME]).trim(), "shut off");
    const offFailure = await failedUp(s, program({ cpu: REFUSED_CPU }));
    t.diagnostic(offFailure.message);
    assert.equal(outputsOf(s, "vm").running, false, "the state says the guest is not running");
    assert.equal(outputsOf(s, "vm").state, "shutoff");
    assert.deepEqual(changes(await s.engine().up(program())), ["update vm"], "the next up acts");
    assert.equal(virsh(["domstate", NAME]).trim(), "running", "and converges");
    assert.doesNotMatch(virsh(["dumpxml", "--inactive", NAME]), /Skylake-Server/);
    assert.deepEqual(changes(await s.engine().up(program())), [], "then nothing is left to do");
});
