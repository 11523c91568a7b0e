/**
 * The in-use check of a volume delete (volume/domain-disks.ts `domainsHoldingVolume`) when
 * libvirtd's block statistics of all domains cannot answer, which this machine's libvirtd never
 * does: a daemon that refuses the call (a driver or version without it, or without its flags), and
 * a record without the block group. Either way the domains' XML is read, as before the statistics
 * were used, and a holder is still found. The real daemon's answers are tested in
 * test/integration/resources/volume-delete-foreign-domains.test.ts.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { domainsHoldingVolume } from "../../provider/resources/volume/domain-disks";
import { LibvirtClient } from "../../provider/rpc/client";
import {
    VirConnectListAllDomainsFlags,
    VirDomainXMLFlags,
    VirErrorDomain,
    VirErrorNumber,
    VirTypedParameterType,
} from "../../provider/rpc/generated";
import { MockDaemon } from "./mock-daemon";

const URI = "qemu:///system";
const DOM = { name: "pltest-mockstats-dom", uuid: Buffer.alloc(16, 3), id: -1 };
const VOLUME = {
    path: "/var/lib/libvirt/images/pltest-mockstats.qcow2",
    pool: "images",
    name: "pltest-mockstats.qcow2",
};
const XML = `<domain type='qemu'><name>${DOM.name}</name><devices><disk type='volume' device='disk'><source pool='images' volume='pltest-mockstats.qcow2'/><target dev='vdb' bus='virtio'/></disk></devices></domain>`;

const clients: LibvirtClient[] = [];
afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
});

function daemonWithDomain(): MockDaemon {
    return (
        new MockDaemon()
            // Defined, not running: in the listing of all domains, not in that of the active ones.
            .on("CONNECT_LIST_ALL_DOMAINS", (call) => {
                const active = (call.args.flags & VirConnectListAllDomainsFlags.VIR_CONNECT_LIST_DOMAINS_ACTIVE) !== 0;
                return { ok: active ? { domains: [], ret: 0 } : { domains: [DOM], ret: 1 } };
            })
            .on("DOMAIN_GET_XML_DESC", (call) => {
                assert.equal(call.args.flags, VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE);
                return { ok: { xml: XML } };
            })
    );
}

async function open(daemon: MockDaemon): Promise<LibvirtClient> {
    const client = await LibvirtClient.open(daemon.transport, URI);
    clients.push(client);
    return client;
}

test("a daemon that refuses the block statistics: every domain's XML is read, the holder is found", async () => {
    const daemon = daemonWithDomain().on("CONNECT_GET_ALL_DOMAIN_STATS", () => ({
        error: {
            code: VirErrorNumber.VIR_ERR_NO_SUPPORT,
            domain: VirErrorDomain.VIR_FROM_QEMU,
            message: "this function is not supported by the connection driver",
        },
    }));
    const client = await open(daemon);
    assert.deepEqual(await domainsHoldingVolume(client, VOLUME), [{ domain: DOM.name, target: "vdb" }]);
    const names = daemon.calls.map((c) => c.name).filter((n) => n.includes("DOMAIN"));
    assert.deepEqual(names.sort(), [
        "CONNECT_GET_ALL_DOMAIN_STATS",
        "CONNECT_LIST_ALL_DOMAINS",
        "CONNECT_LIST_ALL_DOMAINS",
        "DOMAIN_GET_XML_DESC",
    ]);
    assert.deepEqual(daemon.protocolErrors, []);
});

test("a record without the block group: that domain's XML is read, the holder is found", async () => {
    const daemon = daemonWithDomain().on("CONNECT_GET_ALL_DOMAIN_STATS", () => ({
        ok: {
            retStats: [
                {
                    dom: DOM,
                    params: [
                        { field: "state.state", value: { type: VirTypedParameterType.VIR_TYPED_PARAM_INT, i: 5 } },
                    ],
                },
            ],
        },
    }));
    const client = await open(daemon);
    assert.deepEqual(await domainsHoldingVolume(client, VOLUME), [{ domain: DOM.name, target: "vdb" }]);
    const names = daemon.calls.map((c) => c.name).filter((n) => n.includes("DOMAIN"));
    assert.deepEqual(names.sort(), ["CONNECT_GET_ALL_DOMAIN_STATS", "DOMAIN_GET_XML_DESC"]);
    assert.deepEqual(daemon.protocolErrors, []);
});
