/**
 * RPCs of one resource refreshed alone, for every kind, and of a lone Volume and Domain create,
 * against the real libvirtd, counted by the client's call counter (`startCountingCalls`). A refresh
 * that runs with others shares its listings (shared-reads.test.ts); alone, nothing is shared, so
 * these are the worst case per resource. The floor for a kind is what its read reports: a Domain
 * reports its definition, power state and autostart flag, and libvirt has no call that returns
 * two of those (neither is in the XML; no listing filters by both); a StoragePool its definition,
 * state with sizes, and autostart; a running Network both its definitions, its activity and
 * autostart. libvirt's C client makes the same calls plus a lookup first.
 * What each read reports is cross-checked with virsh; a gone object is reported gone.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { cloudInitHandler } from "../../../provider/resources/cloud-init/handler";
import { dhcpHostHandler } from "../../../provider/resources/dhcp-host/handler";
import { dnsHostHandler } from "../../../provider/resources/dns-host/handler";
import { domainHandler } from "../../../provider/resources/domain/handler";
import { domainSnapshotHandler } from "../../../provider/resources/domain-snapshot/handler";
import { networkHandler } from "../../../provider/resources/network/handler";
import { clientFor } from "../../../provider/resources/shared/connection";
import type { Properties, ResourceHandler } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { storagePoolHandler } from "../../../provider/resources/storage-pool/handler";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { defaultPool } from "../../../provider/rpc";
import { counted } from "../../helpers/count-calls";
import { removeTestObjects, virsh } from "../../helpers/virsh";

const PREFIX = "pltest-lonerefresh-";
const POOL = `${PREFIX}pool`;
const NET = `${PREFIX}net`;
const IDLE_NET = `${PREFIX}idle`;

let poolDir = "";
let restoreLog: () => void = () => {};

/** check + create, as the engine does; the state a refresh then receives. */
async function created(handler: ResourceHandler, news: Properties): Promise<{ id: string; outs: Properties }> {
    const checked = await handler.check({}, news);
    assert.deepEqual(checked.failures ?? [], [], `check of ${JSON.stringify(news)}`);
    const result = await handler.create(checked.inputs as Properties);
    return { id: result.id, outs: result.outs as Properties };
}

/** A lone refresh: its calls, and the read's result. */
async function refreshed(handler: ResourceHandler, s: { id: string; outs: Properties }) {
    return counted(() => handler.read(s.id, s.outs));
}

before(async () => {
    removeTestObjects(PREFIX);
    restoreLog = setLogSink(() => {});
    poolDir = mkdtempSync(join(tmpdir(), PREFIX));
    await clientFor(); // the connection is open before counting (its handshake is not counted anyway)
});

after(async () => {
    restoreLog();
    removeTestObjects(PREFIX);
    if (poolDir) rmSync(poolDir, { recursive: true, force: true });
    await defaultPool.closeAll();
});

describe("one resource refreshed alone", { timeout: 120_000 }, () => {
    let pool: { id: string; outs: Properties };
    let net: { id: string; outs: Properties };

    test("StoragePool: definition, state with sizes, autostart (3; the lookup is gone)", async () => {
        pool = await created(storagePoolHandler, {
            namePrefix: "pool",
            name: POOL,
            type: "dir",
            target: { path: poolDir },
        });
        const { result, calls, total } = await refreshed(storagePoolHandler, pool);
        assert.deepEqual(calls, {
            STORAGE_POOL_GET_AUTOSTART: 1,
            STORAGE_POOL_GET_INFO: 1,
            STORAGE_POOL_GET_XML_DESC: 1,
        });
        assert.equal(total, 3);
        assert.equal(result.id, pool.id);
        const props = result.props as Properties;
        assert.equal(props.active, true);
        assert.match(virsh(["pool-info", POOL]), /^State:\s+running/m);
        assert.equal(props.autostart, true);
        assert.match(virsh(["pool-info", POOL]), /^Autostart:\s+yes/m);
    });

    test("Network, running: both definitions, activity, autostart (4; the lookup is gone)", async () => {
        net = await created(networkHandler, {
            namePrefix: "net",
            name: NET,
            ips: [{ address: "10.253.171.1", prefix: 24 }],
        });
        const { result, calls, total } = await refreshed(networkHandler, net);
        assert.deepEqual(calls, { NETWORK_GET_AUTOSTART: 1, NETWORK_GET_XML_DESC: 2, NETWORK_IS_ACTIVE: 1 });
        assert.equal(total, 4);
        assert.equal(result.id, net.id);
        assert.equal((result.props as Properties).active, true);
        assert.match(virsh(["net-info", NET]), /^Active:\s+yes/m);
    });

    test("Network, stopped: one definition, activity, autostart (3)", async () => {
        const idle = await created(networkHandler, {
            namePrefix: "idle",
            name: IDLE_NET,
            ips: [{ address: "10.253.172.1", prefix: 24 }],
        });
        virsh(["net-destroy", IDLE_NET]);
        const { result, calls, total } = await refreshed(networkHandler, idle);
        assert.deepEqual(calls, { NETWORK_GET_AUTOSTART: 1, NETWORK_GET_XML_DESC: 1, NETWORK_IS_ACTIVE: 1 });
        assert.equal(total, 3);
        assert.equal((result.props as Properties).active, false);
        virsh(["net-undefine", IDLE_NET]);
        const gone = await refreshed(networkHandler, idle);
        assert.equal(gone.result.id, "", "an undefined network is reported gone");
    });

    test("DhcpHost and DnsHost on a running network: both definitions and activity, no lookup, no autostart (3 each)", async () => {
        const dhcp = await created(dhcpHostHandler, {
            namePrefix: "h",
            network: NET,
            mac: "52:54:00:5e:17:01",
            ip: "10.253.171.10",
        });
        const dns = await created(dnsHostHandler, {
            namePrefix: "dns",
            network: NET,
            ip: "10.253.171.11",
            hostnames: [`${PREFIX}db`],
        });
        for (const [handler, state] of [
            [dhcpHostHandler, dhcp],
            [dnsHostHandler, dns],
        ] as const) {
            const { result, calls, total } = await refreshed(handler, state);
            assert.deepEqual(calls, { NETWORK_GET_XML_DESC: 2, NETWORK_IS_ACTIVE: 1 });
            assert.equal(total, 3);
            assert.equal(result.id, state.id, "the entry is found");
            assert.equal((result.props as Properties).networkActive, true);
        }
        assert.match(virsh(["net-dumpxml", NET]), /52:54:00:5e:17:01/);
        // Refreshed together, the network and its entries share one set of reads.
        const together = await counted(() =>
            Promise.all([
                networkHandler.read(net.id, net.outs),
                dhcpHostHandler.read(dhcp.id, dhcp.outs),
                dnsHostHandler.read(dns.id, dns.outs),
            ]),
        );
        assert.deepEqual(together.calls, { NETWORK_GET_AUTOSTART: 1, NETWORK_GET_XML_DESC: 2, NETWORK_IS_ACTIVE: 1 });
        assert.deepEqual(
            together.result.map((r) => r.id),
            [net.id, dhcp.id, dns.id],
        );
        // A state naming a network UUID that is gone: the name is looked up, and the entry found there.
        const elsewhere = { ...dhcp.outs, networkUuid: "0badc0de-0000-4000-8000-000000000017" };
        const found = await dhcpHostHandler.read(dhcp.id, elsewhere);
        assert.equal(found.id, dhcp.id);
        assert.equal((found.props as Properties).networkUuid, net.id, "the network found by name");
    });

    test("Volume: one definition (1)", async () => {
        const vol = await created(volumeHandler, {
            namePrefix: "v",
            name: `${PREFIX}v.img`,
            pool: POOL,
            capacity: "4M",
            target: { format: "raw" },
        });
        const { result, calls } = await refreshed(volumeHandler, vol);
        assert.deepEqual(calls, { STORAGE_VOL_GET_XML_DESC: 1 });
        assert.equal(result.id, vol.id);
    });

    test("CloudInit: its volume's definition and content (2; the pool and volume lookups are gone)", async () => {
        const seed = await created(cloudInitHandler, {
            namePrefix: "seed",
            name: `${PREFIX}seed`,
            pool: POOL,
            userData: {},
            metaData: { "local-hostname": "lone" },
        });
        const { result, calls, total } = await refreshed(cloudInitHandler, seed);
        assert.deepEqual(calls, { STORAGE_VOL_DOWNLOAD: 1, STORAGE_VOL_GET_XML_DESC: 1 });
        assert.equal(total, 2);
        assert.equal(result.id, seed.id);
        assert.equal((result.props as Properties).sha256, seed.outs.sha256, "the content read is the seed's");
    });

    test("Domain: definition, then state and autostart (3), and DomainSnapshot: description and current (2)", async () => {
        const disk = join(poolDir, `${PREFIX}disk.qcow2`);
        execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", disk, "16M"]);
        const dom = await created(domainHandler, {
            namePrefix: `${PREFIX}d`,
            type: "qemu",
            memory: 64,
            running: false,
            devices: {
                disks: [{ source: { file: disk }, target: { dev: "vda", bus: "virtio" }, driver: { type: "qcow2" } }],
            },
        });
        const lone = await refreshed(domainHandler, dom);
        assert.deepEqual(lone.calls, {
            CONNECT_GET_ALL_DOMAIN_STATS: 1,
            CONNECT_LIST_ALL_DOMAINS: 1,
            DOMAIN_GET_XML_DESC: 1,
        });
        assert.equal(lone.total, 3);
        assert.equal((lone.result.props as Properties).state, "shutoff");

        const snap = await created(domainSnapshotHandler, { namePrefix: "s", domain: dom.outs.name as string });
        const read = await refreshed(domainSnapshotHandler, snap);
        assert.deepEqual(read.calls, { DOMAIN_SNAPSHOT_GET_XML_DESC: 1, DOMAIN_SNAPSHOT_IS_CURRENT: 1 });
        assert.equal(read.result.id, snap.id);
        const name = snap.outs.name as string;
        assert.match(virsh(["snapshot-list", dom.outs.name as string, "--name"]), new RegExp(name));
        virsh(["snapshot-delete", dom.outs.name as string, name]);
        const gone = await refreshed(domainSnapshotHandler, snap);
        assert.equal(gone.result.id, "", "a snapshot deleted with virsh is reported gone");
        assert.deepEqual(gone.calls, { DOMAIN_SNAPSHOT_GET_XML_DESC: 1, DOMAIN_SNAPSHOT_IS_CURRENT: 1 });
    });

    test("a pool removed with virsh is reported gone, in the same calls", async () => {
        virsh(["pool-destroy", POOL]);
        virsh(["pool-undefine", POOL]);
        const gone = await refreshed(storagePoolHandler, pool);
        assert.equal(gone.result.id, "");
        assert.ok(gone.total <= 3, JSON.stringify(gone.calls));
    });
});

describe("one Volume and one Domain created alone", () => {
    test("a Volume create: the running pools listed, the create, its definition (3)", async () => {
        const dir = mkdtempSync(join(tmpdir(), `${PREFIX}p2-`));
        try {
            virsh(["pool-create-as", `${PREFIX}pool2`, "dir", "--target", dir]);
            const checked = await volumeHandler.check(
                {},
                { namePrefix: "v2", name: `${PREFIX}v2.img`, pool: `${PREFIX}pool2`, capacity: "4M" },
            );
            const { calls, total } = await counted(() => volumeHandler.create(checked.inputs as Properties));
            assert.deepEqual(calls, {
                CONNECT_LIST_ALL_STORAGE_POOLS: 1,
                STORAGE_VOL_CREATE_XML: 1,
                STORAGE_VOL_GET_XML_DESC: 1,
            });
            assert.equal(total, 3);
            assert.match(virsh(["vol-list", `${PREFIX}pool2`]), new RegExp(`${PREFIX}v2.img`));
        } finally {
            removeTestObjects(`${PREFIX}pool2`);
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("a Domain create without interfaces after its check: define, state (2; no MAC to read back)", async () => {
        const checked = await domainHandler.check(
            {},
            { namePrefix: `${PREFIX}d2`, type: "qemu", memory: 64, running: false },
        );
        const { result, calls, total } = await counted(() => domainHandler.create(checked.inputs as Properties));
        assert.deepEqual(calls, { DOMAIN_DEFINE_XML_FLAGS: 1, DOMAIN_GET_STATE: 1 });
        assert.equal(total, 2);
        assert.match(virsh(["domstate", (result.outs as Properties).name as string]), /shut off/);
    });
});
