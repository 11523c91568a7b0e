/**
 * RPCs per resource against the real libvirtd, counted by the client's call counter
 * (`startCountingCalls`): concurrent reads of one network share one read of it, a change the
 * provider makes drops the shared read, a Domain refresh reads its definition once (and the power
 * states of all domains refreshed together in two calls), a Volume refresh is one call, and the
 * creates of Volumes and Domains stay within three calls each. What is read is cross-checked with
 * virsh. Counts only: how fast this goes is bench:stack's business.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { dhcpHostHandler } from "../../../provider/resources/dhcp-host/handler";
import { domainHandler } from "../../../provider/resources/domain/handler";
import { findNetwork, readNetworkState } from "../../../provider/resources/network/libvirt";
import { clientFor } from "../../../provider/resources/shared/connection";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import {
    defaultPool,
    sharedRead,
    VirNetworkUpdateCommand,
    VirNetworkUpdateFlags,
    VirNetworkUpdateSection,
} from "../../../provider/rpc";
import { counted } from "../../helpers/count-calls";
import { removeTestObjects, virsh } from "../../helpers/virsh";
import { virshNetwork } from "./network-helpers";
import { volInfo } from "./volume-helpers";

const PREFIX = "pltest-shreads-";
const NET = `${PREFIX}net`;
const SUBNET = "10.253.161";
const POOL = `${PREFIX}pool`;
const HOSTS = 20;
const DOMAINS = 20;
const VOLUMES = 10;

let poolDir = "";
let restoreLog: () => void = () => {};

function mac(i: number): string {
    return `52:54:00:5e:00:${i.toString(16).padStart(2, "0")}`;
}

before(() => {
    removeTestObjects(PREFIX);
    restoreLog = setLogSink(() => {});
    const hosts = Array.from(
        { length: HOSTS },
        (_, i) => `<host mac='${mac(i)}' ip='${SUBNET}.${10 + i}' name='${PREFIX}h${i}'/>`,
    ).join("");
    virshNetwork(NET, SUBNET, hosts);
    poolDir = mkdtempSync(join(tmpdir(), PREFIX));
    virsh(["pool-define-as", POOL, "dir", "--target", poolDir]);
    virsh(["pool-start", POOL]);
});

after(async () => {
    restoreLog();
    removeTestObjects(PREFIX);
    if (poolDir) rmSync(poolDir, { recursive: true, force: true });
    await defaultPool.closeAll();
});

/** A DhcpHost's state after a create: its inputs and outputs, as a refresh receives them. */
function reservation(i: number): Properties {
    return { network: NET, mac: mac(i), ip: `${SUBNET}.${10 + i}`, name: `${PREFIX}h${i}`, namePrefix: `h${i}` };
}

describe("one network, many entries", () => {
    test(`${HOSTS} DhcpHost refreshes at once read the network once`, async () => {
        await clientFor(); // the connection is open before counting (its handshake is not counted anyway)
        const { result, calls, total } = await counted(() =>
            Promise.all(
                Array.from({ length: HOSTS }, (_, i) => dhcpHostHandler.read(`${NET}/${mac(i)}`, reservation(i))),
            ),
        );
        assert.deepEqual(
            result.map((r) => r.id),
            Array.from({ length: HOSTS }, (_, i) => `${NET}/${mac(i)}`),
            "every reservation is found",
        );
        assert.deepEqual(
            result.map((r) => (r.props as Properties).ip),
            Array.from({ length: HOSTS }, (_, i) => `${SUBNET}.${10 + i}`),
        );
        // One lookup (these states hold no network UUID); the configuration and the running network
        // once each; activity (an entry does not need the network's autostart flag).
        assert.deepEqual(calls, {
            NETWORK_GET_XML_DESC: 2,
            NETWORK_IS_ACTIVE: 1,
            NETWORK_LOOKUP_BY_NAME: 1,
        });
        assert.equal(total, 4);
    });

    test(`${HOSTS} DhcpHost checks against the live network at once share one read, and a clash is still found`, async () => {
        const news = Array.from({ length: HOSTS }, (_, i) => ({
            network: NET,
            mac: `52:54:00:5e:01:${i.toString(16).padStart(2, "0")}`,
            ip: `${SUBNET}.${50 + i}`,
        }));
        // The last one asks for an address a reservation of the network already has.
        news[HOSTS - 1]!.ip = `${SUBNET}.10`;
        const { result, calls } = await counted(() => Promise.all(news.map((n) => dhcpHostHandler.check({}, n))));
        assert.equal(calls.NETWORK_GET_XML_DESC, 2, JSON.stringify(calls));
        assert.equal(calls.NETWORK_LOOKUP_BY_NAME, 1, JSON.stringify(calls));
        assert.ok(
            result.slice(0, -1).every((r) => (r.failures ?? []).length === 0),
            "the free addresses pass",
        );
        const clash = result.at(-1)?.failures ?? [];
        assert.equal(clash.length, 1, JSON.stringify(clash));
        assert.equal(clash[0]?.property, "ip");
        assert.match(clash[0]!.reason, new RegExp(mac(0)));
    });

    test("a change the provider makes drops the shared read: a read after it sees the change", async () => {
        const client = await clientFor();
        const net = await findNetwork(client, NET);
        assert.ok(net);
        const added = `<host mac='52:54:00:5e:02:01' ip='${SUBNET}.90'/>`;
        const { result, calls } = await counted(async () => {
            const before = readNetworkState(client, net); // in flight while the update is made
            await client.networkUpdate({
                net,
                command: VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                section: VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_HOST,
                parentIndex: -1,
                xml: added,
                flags:
                    VirNetworkUpdateFlags.VIR_NETWORK_UPDATE_AFFECT_LIVE |
                    VirNetworkUpdateFlags.VIR_NETWORK_UPDATE_AFFECT_CONFIG,
            });
            const after = await readNetworkState(client, net);
            return { before: await before, after };
        });
        assert.notEqual(result.after, result.before, "the read after the change is a new one");
        const hosts = result.after.config.ips?.[0]?.dhcp?.hosts ?? [];
        assert.ok(
            hosts.some((h) => h.mac === "52:54:00:5e:02:01"),
            "the new read has the added reservation",
        );
        assert.match(virsh(["net-dumpxml", "--inactive", NET]), /52:54:00:5e:02:01/);
        assert.equal(calls.NETWORK_GET_XML_DESC, 4, `two reads of both documents: ${JSON.stringify(calls)}`);
    });
});

describe("what a change drops", () => {
    test("a read still in flight when the provider changes its network is not shared after the change; other changes leave it shared", async () => {
        const client = await clientFor();
        const net = await findNetwork(client, NET);
        assert.ok(net);
        let release: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
            release = resolve;
        });
        // A read held in flight until the test lets it go.
        const slowRead = () =>
            sharedRead(client, "test network read", { tags: [`network:${NET}`] }, async () => {
                await gate;
                return (await client.networkGetXmlDesc({ net, flags: 0 })).xml;
            });
        const first = slowRead();
        assert.equal(slowRead(), first, "a read asked for while one is in flight joins it");
        // Changes elsewhere: a pool, and another network (one that does not exist: the call is sent, libvirt refuses it).
        const { pool } = await client.storagePoolLookupByName({ name: POOL });
        await client.storagePoolRefresh({ pool, flags: 0 });
        assert.equal(slowRead(), first, "a change to a pool leaves it shared");
        await client
            .networkSetAutostart({ net: { name: `${PREFIX}other`, uuid: Buffer.alloc(16, 7) }, autostart: 0 })
            .then(
                () => assert.fail("no such network"),
                () => {},
            );
        assert.equal(slowRead(), first, "a change to another network leaves it shared");
        await client.networkSetAutostart({ net, autostart: 0 });
        const second = slowRead();
        assert.notEqual(second, first, "after a change to this network, a new read starts");
        release();
        assert.match(await first, new RegExp(NET));
        assert.match(await second, new RegExp(NET));
    });
});

describe("Domains: create in three calls at most, refresh reading each definition once", { timeout: 120_000 }, () => {
    const states: { id: string; outs: Properties }[] = [];

    test(`${DOMAINS} creates (one with a NIC whose MAC libvirt generates): two calls each after check, three for that one`, async () => {
        const news = (i: number): Properties => ({
            namePrefix: `${PREFIX}d${i}`,
            type: "qemu",
            memory: 64,
            running: false,
            ...(i === 0 ? { devices: { interfaces: [{ source: { network: NET } }] } } : {}),
            // Declared on one domain only: setting it is one more call at create.
            ...(i === 2 ? { autostart: false } : {}),
        });
        const checked = await Promise.all(Array.from({ length: DOMAINS }, (_, i) => domainHandler.check({}, news(i))));
        for (const c of checked) assert.deepEqual(c.failures ?? [], []);
        const { result, calls, total } = await counted(() =>
            Promise.all(checked.map((c) => domainHandler.create(c.inputs as Properties))),
        );
        // The host's capabilities were read by check and are still shared; define and state, and
        // the definition read back only by the domain whose MAC libvirt generated.
        assert.deepEqual(calls, {
            DOMAIN_DEFINE_XML_FLAGS: DOMAINS,
            DOMAIN_GET_STATE: DOMAINS,
            DOMAIN_GET_XML_DESC: 1,
            DOMAIN_SET_AUTOSTART: 1,
        });
        assert.equal(total, 2 * DOMAINS + 2);
        for (const r of result) states.push({ id: r.id, outs: r.outs as Properties });
        const first = states[0]!.outs;
        const listed = virsh(["domiflist", first.name as string]);
        const macs = first.macAddresses as string[];
        assert.equal(macs.length, 1);
        assert.ok(listed.includes(macs[0]!), `virsh lists the generated MAC ${macs[0]}: ${listed}`);
    });

    test(`${DOMAINS} refreshes at once: one definition each, and two calls for all the power states`, async () => {
        const paused = states[1]!.outs.name as string;
        const autostarted = states[2]!.outs.name as string;
        virsh(["start", "--paused", paused]);
        virsh(["autostart", autostarted]);
        const { result, calls, total } = await counted(() =>
            Promise.all(states.map((s) => domainHandler.read(s.id, s.outs))),
        );
        assert.deepEqual(calls, {
            CONNECT_GET_ALL_DOMAIN_STATS: 1,
            CONNECT_LIST_ALL_DOMAINS: 1,
            DOMAIN_GET_XML_DESC: DOMAINS,
        });
        assert.equal(total, DOMAINS + 2);
        assert.deepEqual(
            result.map((r) => r.id),
            states.map((s) => s.id),
        );
        // What the shared listings said, against virsh.
        for (const [i, r] of result.entries()) {
            const name = states[i]!.outs.name as string;
            // virsh prints "shut off" for libvirt's shutoff.
            assert.equal((r.props as Properties).state, virsh(["domstate", name]).trim().replace(" ", ""), name);
        }
        assert.equal((result[1]!.inputs as Properties).running, "paused");
        assert.match(virsh(["dominfo", autostarted]), /^Autostart:\s+enable/m);
        assert.equal((result[2]!.inputs as Properties).autostart, true, "the autostart set out of band is read");
        assert.equal((result[3]!.inputs as Properties).running, false);
        assert.deepEqual((result[0]!.props as Properties).macAddresses, states[0]!.outs.macAddresses);
        virsh(["destroy", paused]);
    });

    test("a lone Domain refresh makes three calls; a domain removed out of band is found gone", async () => {
        const s = states[3]!;
        const lone = await counted(() => domainHandler.read(s.id, s.outs));
        assert.equal(lone.result.id, s.id);
        assert.equal(lone.total, 3, JSON.stringify(lone.calls));
        virsh(["undefine", s.outs.name as string]);
        const gone = await counted(() => domainHandler.read(s.id, s.outs));
        assert.equal(gone.result.id, "", "the refresh reports the domain gone");
        // The shared listings are asked for together with the definition (so refreshes started together join one).
        assert.deepEqual(gone.calls, {
            CONNECT_GET_ALL_DOMAIN_STATS: 1,
            CONNECT_LIST_ALL_DOMAINS: 1,
            DOMAIN_GET_XML_DESC: 1,
        });
    });
});

describe("Volumes: create in three calls at most, refresh in one", () => {
    const states: { id: string; outs: Properties }[] = [];
    const news = (i: number): Properties => ({
        namePrefix: `${PREFIX}v${i}`,
        name: `${PREFIX}v${i}.img`,
        pool: POOL,
        capacity: "4M",
        target: { format: "raw" },
    });

    test(`${VOLUMES} creates at once: the running pools listed once, then a create and a read each`, async () => {
        const checked = await Promise.all(Array.from({ length: VOLUMES }, (_, i) => volumeHandler.check({}, news(i))));
        const { result, calls, total } = await counted(() =>
            Promise.all(checked.map((c) => volumeHandler.create(c.inputs as Properties))),
        );
        assert.deepEqual(calls, {
            CONNECT_LIST_ALL_STORAGE_POOLS: 1,
            STORAGE_VOL_CREATE_XML: VOLUMES,
            STORAGE_VOL_GET_XML_DESC: VOLUMES,
        });
        assert.ok(total <= 3 * VOLUMES);
        for (const r of result) states.push({ id: r.id, outs: r.outs as Properties });
        for (const s of states) {
            assert.equal(s.outs.capacityBytes, volInfo(POOL, s.outs.name as string).capacity);
        }
    });

    test("a create of a name the pool has is refused (three calls), and the volume there is left as it was", async () => {
        const taken = states[0]!.outs.name as string;
        execFileSync("dd", ["if=/dev/urandom", `of=${join(poolDir, taken)}`, "bs=64K", "count=1", "conv=notrunc"]);
        const before = execFileSync("sha256sum", [join(poolDir, taken)], { encoding: "utf8" });
        const checked = await volumeHandler.check({}, { ...news(0), namePrefix: `${PREFIX}again` });
        const refused = await counted(() =>
            volumeHandler.create(checked.inputs as Properties).then(
                () => undefined,
                (e: unknown) => e as Error,
            ),
        );
        assert.ok(refused.result instanceof Error, "the create fails");
        assert.match(refused.result.message, /a volume of that name already exists in pool .*set adopt: true/);
        assert.ok(refused.total <= 3, JSON.stringify(refused.calls));
        assert.equal(execFileSync("sha256sum", [join(poolDir, taken)], { encoding: "utf8" }), before);
    });

    test(`${VOLUMES} refreshes at once: one call each, sizes as libvirt reports them after the file changed`, async () => {
        // Written outside libvirt: the refresh must see the new allocation (libvirt re-reads the file for the XML).
        const grown = states[1]!.outs.name as string;
        execFileSync("dd", ["if=/dev/urandom", `of=${join(poolDir, grown)}`, "bs=1M", "count=2", "conv=notrunc"]);
        const { result, calls } = await counted(() => Promise.all(states.map((s) => volumeHandler.read(s.id, s.outs))));
        assert.deepEqual(calls, { STORAGE_VOL_GET_XML_DESC: VOLUMES });
        for (const [i, r] of result.entries()) {
            const props = r.props as Properties;
            assert.equal(r.id, states[i]!.id);
            const info = volInfo(POOL, props.name as string);
            assert.equal(props.capacityBytes, info.capacity);
            assert.equal(props.allocationBytes, info.allocation);
        }
        assert.ok(((result[1]!.props as Properties).allocationBytes as number) >= 2 * 1024 * 1024);
    });

    test("a refresh of a volume deleted out of band reports it gone, in one call", async () => {
        const s = states[2]!;
        virsh(["vol-delete", s.outs.name as string, "--pool", POOL]);
        const gone = await counted(() => volumeHandler.read(s.id, s.outs));
        assert.equal(gone.result.id, "");
        assert.deepEqual(gone.calls, { STORAGE_VOL_GET_XML_DESC: 1 });
    });
});
