/**
 * The DhcpHost handler against the real libvirtd, called directly: reservations are added,
 * modified and removed live through network update (the network's dnsmasq and bridge stay),
 * conflicts and foreign subnets are refused before anything changes, out-of-band removal is found
 * by read, 20 concurrent creates on one network all succeed (reading the network once between
 * them, and still seeing what was changed by hand since), and a stopped network gets its
 * configuration changed only. Networks are made with virsh, isolated, on 10.253.12x.0/24.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dhcpHostHandler as handler } from "../../../provider/resources/dhcp-host/handler";
import type { Properties } from "../../../provider/resources/shared/handler";
import { counted } from "../../helpers/count-calls";
import { handlerTestFile } from "../../helpers/handler-test-file";
import { virsh } from "../../helpers/virsh";
import {
    bridgeIfindex,
    checked,
    configXml,
    count,
    dnsmasqPid,
    liveXml,
    netInfo,
    refusedAtCheckAndCreate,
    rejectsWith,
    virshNetwork,
} from "./network-helpers";

const PREFIX = "pltest-dhcpres-";
const NET = `${PREFIX}net`;
handlerTestFile(PREFIX, () => virshNetwork(NET, "10.253.121"));

function reservation(mac: string, ip: string, extra: Properties = {}): Properties {
    return { network: NET, mac, ip, namePrefix: `r-${mac}`, ...extra };
}

async function create(props: Properties) {
    const created = await handler.create(await checked(handler, props));
    return { id: created.id, outs: created.outs as Properties };
}

describe("one reservation", () => {
    let id = "";
    let outs: Properties = {};

    test("create adds it live: both the running network and its configuration, same dnsmasq and bridge", async () => {
        const pid = dnsmasqPid(NET);
        const bridge = netInfo(NET).bridge;
        const ifindex = bridgeIfindex(NET);
        ({ id, outs } = await create(reservation("52:54:00:cc:00:01", "10.253.121.11", { name: "web" })));
        assert.equal(id, `${NET}/52:54:00:cc:00:01`);
        assert.equal(outs.ip, "10.253.121.11");
        assert.equal(outs.networkUuid, netInfo(NET).uuid);
        for (const xml of [liveXml(NET), configXml(NET)]) {
            assert.match(xml, /<host mac='52:54:00:cc:00:01' name='web' ip='10\.253\.121\.11'\/>/);
        }
        assert.equal(dnsmasqPid(NET), pid, "dnsmasq was restarted");
        assert.equal(netInfo(NET).bridge, bridge);
        assert.equal(bridgeIfindex(NET), ifindex, "the bridge was re-created: the network was restarted");
    });

    test("read echoes it and an unchanged diff is empty; get by id finds it", async () => {
        const read = await handler.read(id, outs);
        assert.equal(read.id, id);
        const diff = await handler.diff(
            id,
            read.props as Properties,
            await checked(handler, reservation("52:54:00:cc:00:01", "10.253.121.11", { name: "web" })),
        );
        assert.equal(diff.changes, false);
        const got = await handler.read(id, {});
        assert.equal((got.props as Properties).ip, "10.253.121.11");
        assert.equal((got.props as Properties).name, "web");
    });

    test("changing the address modifies the entry in place, live", async () => {
        const pid = dnsmasqPid(NET);
        const news = await checked(handler, reservation("52:54:00:cc:00:01", "10.253.121.12", { name: "web" }), outs);
        const diff = await handler.diff(id, outs, news);
        assert.equal(diff.changes, true);
        assert.equal(diff.replaces, undefined);
        outs = (await handler.update(id, outs, news)).outs as Properties;
        for (const xml of [liveXml(NET), configXml(NET)]) {
            assert.equal(count(xml, "52:54:00:cc:00:01"), 1);
            assert.match(xml, /<host mac='52:54:00:cc:00:01' name='web' ip='10\.253\.121\.12'\/>/);
        }
        assert.equal(dnsmasqPid(NET), pid);
    });

    test("changing the MAC is a replacement, old entry first", async () => {
        const news = await checked(handler, reservation("52:54:00:cc:00:99", "10.253.121.12", { name: "web" }), outs);
        const diff = await handler.diff(id, outs, news);
        assert.deepEqual(diff.replaces, ["mac"]);
        assert.equal(diff.deleteBeforeReplace, true, "the new entry would clash with the old one on its address");
    });

    test("a conflicting MAC, address or name is refused, naming the existing entry; nothing changes", async () => {
        const before = configXml(NET);
        const existing = /<host mac="52:54:00:cc:00:01" name="web" ip="10\.253\.121\.12"\/>/;
        // Preview (check) already names the clash; create, run anyway, refuses it too.
        await refusedAtCheckAndCreate(
            handler,
            reservation("52:54:00:cc:00:01", "10.253.121.40"),
            "mac",
            existing,
            /MAC/,
        );
        await refusedAtCheckAndCreate(
            handler,
            reservation("52:54:00:cc:00:41", "10.253.121.12"),
            "ip",
            existing,
            /address 10\.253\.121\.12/,
        );
        await refusedAtCheckAndCreate(
            handler,
            reservation("52:54:00:cc:00:42", "10.253.121.42", { name: "web" }),
            "name",
            existing,
            /name web/,
        );
        assert.equal(configXml(NET), before);
    });

    test("an address outside the network's subnets is refused before any change", async () => {
        const before = configXml(NET);
        await refusedAtCheckAndCreate(
            handler,
            reservation("52:54:00:cc:00:43", "10.253.122.43"),
            "ip",
            /10\.253\.122\.43 lies outside every subnet/,
            /10\.253\.121\.1\/24/,
        );
        assert.equal(configXml(NET), before);
    });

    test("a missing network is named", async () => {
        await rejectsWith(
            handler.create(
                await checked(handler, {
                    ...reservation("52:54:00:cc:00:44", "10.253.121.44"),
                    network: `${PREFIX}nope`,
                }),
            ),
            /network 'pltest-dhcpres-nope' does not exist/,
        );
    });

    test("an out-of-band `virsh net-update delete` is found by read, and create puts it back once", async () => {
        virsh(["net-update", NET, "delete", "ip-dhcp-host", "<host mac='52:54:00:cc:00:01' ip='10.253.121.12'/>"]);
        const read = await handler.read(id, outs);
        assert.equal(read.id, "", "read should report the reservation gone");
        // The engine then creates it again: only the running network lacks it.
        ({ id, outs } = await create(reservation("52:54:00:cc:00:01", "10.253.121.12", { name: "web" })));
        assert.equal(count(liveXml(NET), "52:54:00:cc:00:01"), 1);
        assert.equal(count(configXml(NET), "52:54:00:cc:00:01"), 1);
    });

    test("delete removes only that reservation; a second delete is a no-op", async () => {
        const other = await create(reservation("52:54:00:cc:00:02", "10.253.121.13"));
        const pid = dnsmasqPid(NET);
        await handler.delete(id, outs);
        for (const xml of [liveXml(NET), configXml(NET)]) {
            assert.equal(count(xml, "52:54:00:cc:00:01"), 0);
            assert.equal(count(xml, "52:54:00:cc:00:02"), 1);
            assert.match(xml, /<range start='10\.253\.121\.100' end='10\.253\.121\.200'\/>/);
        }
        assert.equal(dnsmasqPid(NET), pid);
        await handler.delete(id, outs);
        await handler.delete(other.id, other.outs);
    });
});

describe("adopt", () => {
    test("an entry with the same MAC made by hand is refused without adopt and taken over with it", async () => {
        virsh([
            "net-update",
            NET,
            "add",
            "ip-dhcp-host",
            "<host mac='52:54:00:cc:00:77' ip='10.253.121.77'/>",
            "--live",
            "--config",
        ]);
        const declared = reservation("52:54:00:cc:00:77", "10.253.121.78", { name: "adopted" });
        await refusedAtCheckAndCreate(
            handler,
            declared,
            "mac",
            /<host mac="52:54:00:cc:00:77" ip="10\.253\.121\.77"\/>/,
        );
        const made = await create({ ...declared, adopt: true });
        for (const xml of [liveXml(NET), configXml(NET)]) {
            assert.equal(count(xml, "52:54:00:cc:00:77"), 1);
            assert.match(xml, /<host mac='52:54:00:cc:00:77' name='adopted' ip='10\.253\.121\.78'\/>/);
        }
        await handler.delete(made.id, made.outs);
        assert.equal(count(configXml(NET), "52:54:00:cc:00:77"), 0);
    });
});

describe("many at once", () => {
    test("20 reservations created concurrently on one network all succeed", async () => {
        const hex = (i: number) => i.toString(16).padStart(2, "0");
        const made = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
                create(reservation(`52:54:00:dd:00:${hex(i)}`, `10.253.121.${50 + i}`)),
            ),
        );
        assert.equal(new Set(made.map((m) => m.id)).size, 20);
        for (const xml of [liveXml(NET), configXml(NET)]) assert.equal(count(xml, "52:54:00:dd:00:"), 20);
        await Promise.all(made.slice(0, 10).map((m) => handler.delete(m.id, m.outs)));
        for (const xml of [liveXml(NET), configXml(NET)]) assert.equal(count(xml, "52:54:00:dd:00:"), 10);
        await Promise.all(made.slice(10).map((m) => handler.delete(m.id, m.outs)));
        assert.equal(count(configXml(NET), "52:54:00:dd:00:"), 0);
    });
});

describe("creates queued on the network's lock (one reading carried forward)", () => {
    const QUEUE = `${PREFIX}queue`;
    const hex = (i: number) => i.toString(16).padStart(2, "0");
    const queued = (mac: string, ip: string, extra: Properties = {}) => ({
        ...reservation(mac, ip, extra),
        network: QUEUE,
    });
    const createQueued = async (props: Properties) => {
        const created = await handler.create(props);
        return { id: created.id, outs: created.outs as Properties };
    };

    test("20 creates at once read the network once and send one network update each", async () => {
        virshNetwork(QUEUE, "10.253.124");
        const inputs = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
                checked(handler, queued(`52:54:00:de:00:${hex(i)}`, `10.253.124.${20 + i}`)),
            ),
        );
        const { result, calls } = await counted(() => Promise.all(inputs.map((props) => createQueued(props))));
        // One lookup and one reading (configuration, activity, running network) for the 20; before
        // the reading was carried forward, every create made all four under the lock.
        assert.deepEqual(calls, {
            NETWORK_GET_XML_DESC: 2,
            NETWORK_IS_ACTIVE: 1,
            NETWORK_LOOKUP_BY_NAME: 1,
            NETWORK_UPDATE: 20,
        });
        for (const xml of [liveXml(QUEUE), configXml(QUEUE)]) assert.equal(count(xml, "52:54:00:de:00:"), 20);
        // The outputs are the inputs and the network's facts, without a read per entry.
        assert.deepEqual(
            result.map((r) => [r.outs.ip, r.outs.networkUuid, r.outs.networkActive]),
            Array.from({ length: 20 }, (_, i) => [`10.253.124.${20 + i}`, netInfo(QUEUE).uuid, true]),
        );
    });

    test("an entry added by hand since the reading is still refused, naming it; nothing changes", async () => {
        await createQueued(await checked(handler, queued("52:54:00:de:01:01", "10.253.124.60")));
        // Checked before the entry is made by hand, as an engine's preview may have done.
        const inputs = await checked(handler, queued("52:54:00:de:01:03", "10.253.124.61"));
        virsh([
            "net-update",
            QUEUE,
            "add",
            "ip-dhcp-host",
            "<host mac='52:54:00:de:01:02' ip='10.253.124.61'/>",
            "--live",
            "--config",
        ]);
        const before = configXml(QUEUE);
        const { result, calls } = await counted(() =>
            rejectsWith(
                handler.create(inputs),
                /network 'pltest-dhcpres-queue'/,
                /<host mac="52:54:00:de:01:02" ip="10\.253\.124\.61"\/>/,
                /address 10\.253\.124\.61/,
            ),
        );
        assert.match(result, /Remove or change one of them/);
        // The carried reading did not know the entry: libvirt refused the update, and a fresh reading named the clash.
        assert.equal(calls.NETWORK_UPDATE, 1, JSON.stringify(calls));
        assert.equal(calls.NETWORK_GET_XML_DESC, 2, JSON.stringify(calls));
        assert.equal(configXml(QUEUE), before);
        assert.equal(count(liveXml(QUEUE), "52:54:00:de:01:03"), 0);
    });

    test("an entry removed by hand from the running network since the reading is added back by its create", async () => {
        const props = await checked(handler, queued("52:54:00:de:02:01", "10.253.124.70"));
        await createQueued(props);
        virsh([
            "net-update",
            QUEUE,
            "delete",
            "ip-dhcp-host",
            "<host mac='52:54:00:de:02:01' ip='10.253.124.70'/>",
            "--live",
        ]);
        assert.equal(count(liveXml(QUEUE), "52:54:00:de:02:01"), 0);
        // The carried reading still lists it on both sides: a create that would send nothing reads afresh.
        await createQueued(props);
        assert.equal(count(liveXml(QUEUE), "52:54:00:de:02:01"), 1);
        assert.equal(count(configXml(QUEUE), "52:54:00:de:02:01"), 1);
    });

    test("a network stopped by hand since the reading gets the next entry in its configuration only", async () => {
        await createQueued(await checked(handler, queued("52:54:00:de:03:01", "10.253.124.80")));
        virsh(["net-destroy", QUEUE]);
        const made = await createQueued(await checked(handler, queued("52:54:00:de:03:02", "10.253.124.81")));
        assert.equal(made.outs.networkActive, false);
        assert.equal(count(configXml(QUEUE), "52:54:00:de:03:02"), 1);
        assert.equal(netInfo(QUEUE).active, false, "the network must not be started by a DhcpHost");
        virsh(["net-start", QUEUE]);
        assert.equal(count(liveXml(QUEUE), "52:54:00:de:03:02"), 1);
        // Started by hand again: the next create reads it afresh (a stopped network's reading is not carried).
        const next = await createQueued(await checked(handler, queued("52:54:00:de:03:03", "10.253.124.82")));
        assert.equal(next.outs.networkActive, true);
        for (const xml of [liveXml(QUEUE), configXml(QUEUE)]) assert.equal(count(xml, "52:54:00:de:03:03"), 1);
    });
});

describe("a stopped network", () => {
    test("gets the configuration changed only, and the reservation is there when it starts", async () => {
        const name = `${PREFIX}stopped`;
        virshNetwork(name, "10.253.123");
        virsh(["net-destroy", name]);
        const made = await create({ ...reservation("52:54:00:ee:00:01", "10.253.123.11"), network: name });
        assert.equal(made.outs.networkActive, false);
        assert.equal(count(configXml(name), "52:54:00:ee:00:01"), 1);
        assert.equal(netInfo(name).active, false, "the network must not be started by a DhcpHost");
        virsh(["net-start", name]);
        assert.equal(count(liveXml(name), "52:54:00:ee:00:01"), 1);
        await handler.delete(made.id, made.outs);
        assert.equal(count(configXml(name), "52:54:00:ee:00:01"), 0);
    });
});
