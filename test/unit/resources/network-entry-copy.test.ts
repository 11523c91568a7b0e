/**
 * The reading of a network that entry creates queued on its lock carry forward
 * (provider/resources/network/entry-copy.ts), without a daemon: it is read once and then reused,
 * each create's plan moves it on both sides as network update does, it is never the shared
 * reading itself, a stopped network's is not kept, and a change of the network or a drop ends
 * it. That the creates use it and still see changes made by hand is tested against libvirtd
 * (test/integration/resources/dhcp-host.test.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DhcpHostEntry } from "../../../provider/model/dhcp-host";
import type { Network } from "../../../provider/model/network";
import { carryEntryCopy, dropEntryCopy, entryCopy } from "../../../provider/resources/network/entry-copy";
import type { NetworkModels, PlacePlan } from "../../../provider/resources/network/libvirt";
import { dhcpHostSection } from "../../../provider/resources/network/sections";
import { dropSharedReads, type LibvirtClient } from "../../../provider/rpc";

const NET = "pltest-copy";

function model(hosts: DhcpHostEntry[]): Network {
    return {
        name: NET,
        ips: [{ address: "10.0.0.1", prefix: 24, dhcp: { hosts } }],
    } as Network;
}

/** A reading as readNetworkDocs would give it, and a counter of how often it was asked for. */
function reader(active = true) {
    const first: DhcpHostEntry = { mac: "52:54:00:00:00:01", ip: "10.0.0.11" };
    const docs: NetworkModels = {
        net: { name: NET, uuid: Buffer.alloc(16) },
        uuid: "00000000-0000-0000-0000-000000000000",
        config: model([first]),
        live: active ? model([first]) : undefined,
        active,
        bridgeName: "virbr9",
    };
    let reads = 0;
    return {
        docs,
        read: async () => {
            reads++;
            return docs;
        },
        reads: () => reads,
    };
}

const hostsOf = (network: Network | undefined) => network?.ips?.[0]?.dhcp?.hosts?.map((h) => h.mac);

function addPlan(host: DhcpHostEntry): PlacePlan[] {
    return [
        {
            place: { spec: dhcpHostSection, parentIndex: 0 },
            config: { deletes: [], adds: [host] },
            live: { deletes: [], adds: [host] },
        },
    ];
}

test("read once, carried forward by each plan on both sides, and reused; the shared reading is never changed", async () => {
    const client = {} as LibvirtClient;
    const source = reader();
    const first = await entryCopy(client, NET, source.read);
    assert.equal(first.reused, false);
    assert.notEqual(first.docs.config, source.docs.config, "the copy is the module's own");
    const added = { mac: "52:54:00:00:00:02", ip: "10.0.0.12" };
    carryEntryCopy(client, NET, first.docs, addPlan(added));
    const second = await entryCopy(client, NET, source.read);
    assert.equal(second.reused, true);
    assert.equal(source.reads(), 1);
    assert.deepEqual(hostsOf(second.docs.config), ["52:54:00:00:00:01", "52:54:00:00:00:02"]);
    assert.deepEqual(hostsOf(second.docs.live), ["52:54:00:00:00:01", "52:54:00:00:00:02"]);
    assert.deepEqual(hostsOf(source.docs.config), ["52:54:00:00:00:01"], "the shared reading is unchanged");
    // A modify replaces the entry of the same MAC where it stands; a delete removes it.
    const moved = { mac: "52:54:00:00:00:01", ip: "10.0.0.21" };
    carryEntryCopy(client, NET, second.docs, [
        {
            place: { spec: dhcpHostSection, parentIndex: 0 },
            config: { deletes: [added], modifies: [moved], adds: [] },
            live: undefined,
        },
    ]);
    const third = await entryCopy(client, NET, source.read);
    assert.deepEqual(third.docs.config.ips?.[0]?.dhcp?.hosts, [moved]);
    assert.deepEqual(hostsOf(third.docs.live), ["52:54:00:00:00:01", "52:54:00:00:00:02"], "live was not planned");
});

test("a change of the network, or a drop, ends the copy: the next create reads again", async () => {
    const client = {} as LibvirtClient;
    const source = reader();
    await entryCopy(client, NET, source.read);
    dropSharedReads(client, [`network:${NET}`]);
    assert.equal((await entryCopy(client, NET, source.read)).reused, false);
    dropSharedReads(client, ["network:another"]);
    assert.equal((await entryCopy(client, NET, source.read)).reused, true, "another network's change leaves it");
    dropEntryCopy(client, NET);
    assert.equal((await entryCopy(client, NET, source.read)).reused, false);
    assert.equal(source.reads(), 3);
});

test("a stopped network's reading is not kept, not even after a create's plan", async () => {
    const client = {} as LibvirtClient;
    const source = reader(false);
    const first = await entryCopy(client, NET, source.read);
    assert.equal(first.reused, false);
    carryEntryCopy(client, NET, first.docs, addPlan({ mac: "52:54:00:00:00:02", ip: "10.0.0.12" }));
    assert.equal((await entryCopy(client, NET, source.read)).reused, false);
    assert.equal(source.reads(), 2);
});
