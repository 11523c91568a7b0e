/**
 * The multi-host example: one stack whose resources name their host with `uri`. The two "hosts"
 * are the test host's libvirtd over the UNIX socket and over TCP.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadTestHost } from "../helpers/test-host";
import { virsh } from "../helpers/virsh";
import { changes, exampleProgram, libvirtSteps, objectsOf, type Scenario, scenario } from "./harness";

const PREFIX = "pltest-scn-mh";

let s: Scenario;
before(() => {
    s = scenario(PREFIX, "libvirt-multi-host");
});
after(() => s.cleanup());

test("the multi-host example puts each resource on its own URI", async () => {
    const host = loadTestHost();
    const config = {
        prefix: PREFIX,
        hostA: host.unixUri,
        hostB: host.tcpUri,
        subnetA: "10.253.203",
        subnetB: "10.253.204",
        kernel: host.guestKernel,
        initrd: host.guestInitrd,
        // The tiny guest powers off on ACPI within seconds; do not wait long if it has not booted that far.
        shutdownTimeoutSeconds: "2",
    };
    const summary = await s.engine({ config }).up(exampleProgram("multi-host"));
    assert.equal(libvirtSteps(summary, "create"), 4, changes(summary).join(", "));
    const uris = Object.fromEntries(s.state().map((r) => [r.urn.split("::").pop(), r.outputs.uri]));
    assert.equal(uris["vm-a"], host.unixUri);
    assert.equal(uris["vm-b"], host.tcpUri);
    assert.match(virsh(["domstate", `${PREFIX}-b-vm`], host.tcpUri), /running/);
    assert.match(virsh(["domstate", `${PREFIX}-a-vm`], host.unixUri), /running/);

    const again = await s.engine({ config }).up(exampleProgram("multi-host"));
    assert.deepEqual(changes(again), []);

    await s.engine({ config }).destroy();
    assert.deepEqual(objectsOf(PREFIX), []);
});
