/**
 * URIs without a transport of their own: libvirt's test driver through the local daemon, and
 * the default URI from LIBVIRT_DEFAULT_URI.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect, VirConnectListAllDomainsFlags } from "../../../provider/rpc";
import { loadTestHost } from "../../helpers/test-host";

test("test:///default reaches libvirt's test driver through the local daemon", async () => {
    const client = await connect("test:///default");
    try {
        const { type } = await client.connectGetType();
        assert.equal(type, "TEST");
        const { domains } = await client.connectListAllDomains({
            need_results: 1,
            flags: VirConnectListAllDomainsFlags.VIR_CONNECT_LIST_DOMAINS_ACTIVE,
        });
        // The test driver always starts with one running domain called "test".
        assert.deepEqual(
            domains.map((d) => d.name),
            ["test"],
        );
    } finally {
        await client.close();
    }
});

test("without a URI, LIBVIRT_DEFAULT_URI decides where to connect", async () => {
    const host = loadTestHost();
    const client = await connect(undefined, { env: { LIBVIRT_DEFAULT_URI: host.tcpUri } });
    try {
        assert.equal(client.uri.transport, "tcp");
        const { type } = await client.connectGetType();
        assert.equal(type, "QEMU");
    } finally {
        await client.close();
    }
});
