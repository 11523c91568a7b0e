/**
 * Issue 11's scenario under the engine emulator: a running Domain with an explicit name moves from
 * `qemu:///system` to `qemu+tcp://127.0.0.1/system` (the same daemon) with `adopt: true`, as the old
 * create-before-delete failure told the user to do. The guest must survive: the URI change is an
 * update (same UUID, same QEMU process), the next `up` is empty, and destroy through the new URI
 * removes it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Domain } from "pulumi-libvirt";
import { loadTestHost } from "../helpers/test-host";
import { virsh, virshMaybe } from "../helpers/virsh";
import { changes, outputsOf, qemuPid, type Scenario, scenario } from "./harness";

const PREFIX = "pltest-scn-samed";
const NAME = `${PREFIX}-vm`;

let s: Scenario;
before(() => {
    s = scenario(PREFIX);
});
after(() => s.cleanup());

test("a uri change to the same daemon with adopt keeps the guest running (no replacement)", {
    timeout: 180_000,
}, async () => {
    const host = loadTestHost();
    const program = (uri: string, adopt: boolean) => () => {
        new Domain("vm", {
            name: NAME,
            uri,
            adopt,
            type: "qemu",
            memory: 64,
            vcpu: 1,
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            devices: { serials: [{ type: "pty" }] },
            shutdownTimeoutSeconds: 2,
        });
    };

    assert.deepEqual(changes(await s.engine().up(program(host.unixUri, false))), ["create vm"]);
    const uuid = virsh(["domuuid", NAME]).trim();
    const pid = qemuPid(NAME);

    const moved = await s.engine().up(program(host.tcpUri, true));
    assert.deepEqual(changes(moved), ["update vm"], "an update, not a replacement");
    assert.equal(virsh(["domuuid", NAME]).trim(), uuid, "the same domain");
    assert.equal(qemuPid(NAME), pid, "the guest kept running in the same QEMU process");
    assert.match(virsh(["domstate", NAME]), /running/);
    assert.equal(outputsOf(s, "vm").uri, host.tcpUri);
    assert.equal(outputsOf(s, "vm").state, "running");

    assert.deepEqual(changes(await s.engine().up(program(host.tcpUri, true))), [], "the next up is empty");
    assert.equal(qemuPid(NAME), pid);

    await s.engine().destroy();
    assert.equal(virshMaybe(["dominfo", NAME]), undefined, "destroy through the new URI removed it");
});
