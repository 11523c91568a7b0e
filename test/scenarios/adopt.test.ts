/**
 * Item 9: adopting an existing domain. A domain defined outside Pulumi (here by virsh) is taken
 * over by a Domain with `adopt: true`: same UUID, brought to the declaration (started), and from
 * then on owned by the stack (destroy removes it). `Domain.get` reads one without owning it.
 */
import assert from "node:assert/strict";
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Domain } from "pulumi-libvirt";
import { loadTestHost } from "../helpers/test-host";
import { virsh, virshMaybe } from "../helpers/virsh";
import { changes, outputsOf, type Scenario, scenario } from "./harness";

const PREFIX = "pltest-scn-adopt";
const NAME = `${PREFIX}-vm`;

let s: Scenario;
before(() => {
    s = scenario(PREFIX);
});
after(() => s.cleanup());

test("a Domain with adopt takes over a domain that virsh defined, and a get reads it", async () => {
    const host = loadTestHost();
    const xml = `<domain type='qemu'><name>${NAME}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type><kernel>${host.guestKernel}</kernel><initrd>${host.guestInitrd}</initrd>
  <cmdline>console=ttyS0</cmdline></os><devices><serial type='pty'/></devices></domain>`;
    const file = join(s.dir, "domain.xml");
    writeFileSync(file, xml);
    virsh(["define", file]);
    unlinkSync(file);
    const uuid = virsh(["domuuid", NAME]).trim();

    const summary = await s.engine().up(() => {
        new Domain("vm", {
            name: NAME,
            adopt: true,
            type: "qemu",
            memory: 64,
            vcpu: 1,
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            devices: { serials: [{ type: "pty" }] },
            running: true,
            // The tiny guest powers off on ACPI within seconds; do not wait long if it has not booted that far.
            shutdownTimeoutSeconds: 2,
        });
    });
    assert.deepEqual(changes(summary), ["create vm"]);
    assert.equal(outputsOf(s, "vm").uuid, uuid, "the existing domain was adopted, not recreated");
    assert.match(virsh(["domstate", NAME]), /running/, "the declaration (running) was applied");

    // A get of the same domain in another stack reads it and owns nothing.
    const reader = scenario(`${PREFIX}-get`);
    try {
        const got = await reader.engine().up(() => {
            const seen = Domain.get("seen", uuid);
            return { name: seen.name, uuid: seen.uuid, state: seen.state };
        });
        assert.deepEqual(got.outputs, { name: NAME, uuid, state: "running" });
        await reader.engine().destroy();
        assert.match(virsh(["domstate", NAME]), /running/, "destroying the reader left the domain alone");
    } finally {
        await reader.cleanup();
    }

    await s.engine().destroy();
    assert.equal(virshMaybe(["dominfo", NAME]), undefined, "the adopted domain belongs to the stack now");
});
