/**
 * Item 9: 20 volumes in one pool and 20 DhcpHosts on one network, all created in one `up` with
 * every step running at once (the engine's parallel mode), must all succeed: the provider
 * serialises what libvirt cannot do concurrently (per pool, per network) instead of failing.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DhcpHost, Network, StoragePool, Volume } from "pulumi-libvirt";
import { virsh } from "../helpers/virsh";
import { changes, dhcpHosts, libvirtSteps, objectsOf, poolPath, type Scenario, scenario, seconds } from "./harness";

const PREFIX = "pltest-scn-par";
const SUBNET = "10.253.202";
const COUNT = 20;

let s: Scenario;
before(() => {
    s = scenario(PREFIX);
});
after(() => s.cleanup());

function program() {
    const net = new Network("net", {
        name: `${PREFIX}-net`,
        // Isolated: no forward mode, guests (there are none) would reach only the bridge.
        ips: [
            {
                address: `${SUBNET}.1`,
                prefix: 24,
                dhcp: { ranges: [{ start: `${SUBNET}.200`, end: `${SUBNET}.250` }] },
            },
        ],
    });
    const pool = new StoragePool("pool", { name: `${PREFIX}-pool`, type: "dir", target: { path: poolPath(PREFIX) } });
    for (let i = 0; i < COUNT; i++) {
        const n = String(i).padStart(2, "0");
        new Volume(`vol${n}`, {
            pool: pool.name,
            name: `${PREFIX}-${n}.qcow2`,
            capacity: 16,
            target: { format: "qcow2" },
        });
        new DhcpHost(`host${n}`, {
            network: net.name,
            mac: `52:54:00:fd:ca:${(0x10 + i).toString(16)}`,
            ip: `${SUBNET}.${10 + i}`,
        });
    }
}

test(`${COUNT} volumes in one pool and ${COUNT} DhcpHosts on one network in one parallel up`, async (t) => {
    const summary = await s.engine({ parallel: 2 * COUNT + 2 }).up(program);
    t.diagnostic(`parallel up of ${2 * COUNT + 2} resources: ${seconds(summary.durationMs)}`);
    assert.equal(libvirtSteps(summary, "create"), 2 * COUNT + 2, changes(summary).join(", "));
    const volumes = virsh(["vol-list", `${PREFIX}-pool`, "--details"])
        .split("\n")
        .filter((l) => l.trim().startsWith(PREFIX));
    assert.equal(volumes.length, COUNT);
    assert.equal(dhcpHosts(`${PREFIX}-net`).length, COUNT);

    const again = await s.engine({ parallel: 2 * COUNT + 2 }).up(program);
    assert.deepEqual(changes(again), []);

    const destroyed = await s.engine({ parallel: 2 * COUNT + 2 }).destroy();
    assert.equal(libvirtSteps(destroyed, "delete"), 2 * COUNT + 2);
    assert.deepEqual(objectsOf(PREFIX), []);
});
