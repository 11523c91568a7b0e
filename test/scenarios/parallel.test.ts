/**
 * Item 9: 20 volumes in one pool and 20 DhcpHosts on one network, all created in one `up` with
 * every step running at once (the engine's parallel mode), must all succeed: the provider
 * serialises what libvirt cannot do concurrently (per pool, per network) instead of failing. The
 * same for the deletes of an `up` that drops half of them (run side by side, as the engine runs
 * them) and of the destroy.
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

function program(count = COUNT) {
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
    for (let i = 0; i < count; i++) {
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

    const HALF = COUNT / 2;
    const shrunk = await s.engine({ parallel: 2 * COUNT + 2 }).up(() => program(HALF));
    t.diagnostic(`up deleting ${COUNT} of them side by side: ${seconds(shrunk.durationMs)}`);
    assert.equal(libvirtSteps(shrunk, "delete"), COUNT, changes(shrunk).join(", "));
    const kept = virsh(["vol-list", `${PREFIX}-pool`])
        .split("\n")
        .map((l) => l.trim().split(/\s+/)[0]!)
        .filter((name) => name.startsWith(PREFIX))
        .sort();
    assert.deepEqual(
        kept,
        Array.from({ length: HALF }, (_, i) => `${PREFIX}-${String(i).padStart(2, "0")}.qcow2`),
    );
    assert.deepEqual(
        dhcpHosts(`${PREFIX}-net`),
        Array.from({ length: HALF }, (_, i) => `52:54:00:fd:ca:${(0x10 + i).toString(16)} ${SUBNET}.${10 + i}`).sort(),
    );

    const destroyed = await s.engine({ parallel: 2 * COUNT + 2 }).destroy();
    assert.equal(libvirtSteps(destroyed, "delete"), COUNT + 2);
    assert.deepEqual(objectsOf(PREFIX), []);
});
