/**
 * Many calls in flight on one connection to the real daemon.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, type LibvirtClient } from "../../../provider/rpc";
import { loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh } from "../../helpers/virsh";

const PREFIX = "pltest-rpcconc-";
const COUNT = 10;
let client: LibvirtClient;

before(async () => {
    removeTestObjects(PREFIX);
    client = await connect(loadTestHost().unixUri);
    for (let i = 0; i < COUNT; i++) {
        await client.domainDefineXmlFlags({
            xml: `<domain type='qemu'><name>${PREFIX}${i}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`,
        });
    }
});

after(async () => {
    await client?.close();
    removeTestObjects(PREFIX);
});

test("200 concurrent lookups and XML reads on one connection all return the right object", async () => {
    const names = Array.from({ length: 200 }, (_, i) => `${PREFIX}${i % COUNT}`);
    const results = await Promise.all(
        names.map(async (name) => {
            const { dom } = await client.domainLookupByName({ name });
            const { xml } = await client.domainGetXmlDesc({ dom });
            return { name: dom.name, xml };
        }),
    );
    for (const [i, r] of results.entries()) {
        assert.equal(r.name, names[i]);
        assert.match(r.xml, new RegExp(`<name>${names[i]}</name>`));
    }
    assert.equal(client.pendingCalls, 0);
    // virsh sees the same set of domains.
    const listed = virsh(["list", "--all", "--name"])
        .split("\n")
        .filter((n) => n.startsWith(PREFIX));
    assert.equal(listed.length, COUNT);
});
