/**
 * The DnsHost handler against the real libvirtd, called directly: a record is added live (the
 * network's dnsmasq keeps running), renamed by delete-and-add, refused when it clashes with an
 * existing record (named in the error, also when it was added by hand after the reading an
 * earlier create left), reported gone after an out-of-band delete, and deleted alone. The network is made with virsh, isolated, on 10.253.131.0/24.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dnsHostHandler as handler } from "../../../provider/resources/dns-host/handler";
import type { Properties } from "../../../provider/resources/shared/handler";
import { counted } from "../../helpers/count-calls";
import { handlerTestFile } from "../../helpers/handler-test-file";
import { virsh } from "../../helpers/virsh";
import {
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

const PREFIX = "pltest-dnsres-";
const NET = `${PREFIX}net`;
handlerTestFile(PREFIX, () => virshNetwork(NET, "10.253.131"));

function record(ip: string, hostnames: string[]): Properties {
    return { network: NET, ip, hostnames, namePrefix: `rec-${ip}` };
}

describe("DnsHost", () => {
    let id = "";
    let outs: Properties = {};

    test("check requires a hostname, naming the field", async () => {
        const result = await handler.check({}, record("10.253.131.10", []));
        assert.ok(
            result.failures?.some((f) => f.property === "hostnames"),
            JSON.stringify(result.failures),
        );
    });

    test("create adds the record live to the running network and its configuration", async () => {
        const pid = dnsmasqPid(NET);
        const bridge = netInfo(NET).bridge;
        const created = await handler.create(await checked(handler, record("10.253.131.10", ["db.lab", "db"])));
        id = created.id;
        outs = created.outs as Properties;
        assert.equal(id, `${NET}/10.253.131.10`);
        for (const xml of [liveXml(NET), configXml(NET)]) {
            assert.match(
                xml,
                /<host ip='10\.253\.131\.10'>\s*<hostname>db\.lab<\/hostname>\s*<hostname>db<\/hostname>/,
            );
        }
        assert.equal(dnsmasqPid(NET), pid, "dnsmasq was restarted");
        assert.equal(netInfo(NET).bridge, bridge);
    });

    test("read echoes it; unchanged diff is empty; a new address is a replacement", async () => {
        const read = await handler.read(id, outs);
        assert.deepEqual((read.props as Properties).hostnames, ["db.lab", "db"]);
        const same = await checked(handler, record("10.253.131.10", ["db.lab", "db"]), outs);
        assert.equal((await handler.diff(id, read.props as Properties, same)).changes, false);
        const moved = await checked(handler, record("10.253.131.11", ["db.lab", "db"]), outs);
        assert.deepEqual((await handler.diff(id, outs, moved)).replaces, ["ip"]);
    });

    test("changing the names replaces the record in place, live", async () => {
        const news = await checked(handler, record("10.253.131.10", ["database.lab"]), outs);
        outs = (await handler.update(id, outs, news)).outs as Properties;
        for (const xml of [liveXml(NET), configXml(NET)]) {
            assert.equal(count(xml, "ip='10.253.131.10'"), 1);
            assert.match(xml, /<hostname>database\.lab<\/hostname>/);
            assert.equal(count(xml, "<hostname>db.lab</hostname>"), 0);
        }
    });

    test("a clashing address or name is refused, naming the existing record", async () => {
        const before = configXml(NET);
        // Preview (check) already names the clash; create, run anyway, refuses it too.
        await refusedAtCheckAndCreate(
            handler,
            record("10.253.131.10", ["other.lab"]),
            "ip",
            /<hostname>database\.lab<\/hostname>/,
            /address 10\.253\.131\.10/,
        );
        await refusedAtCheckAndCreate(
            handler,
            record("10.253.131.20", ["database.lab"]),
            "hostnames",
            /hostname database\.lab/,
        );
        assert.equal(configXml(NET), before);
    });

    test("an out-of-band delete is found by read", async () => {
        virsh([
            "net-update",
            NET,
            "delete",
            "dns-host",
            "<host ip='10.253.131.10'><hostname>database.lab</hostname></host>",
        ]);
        assert.equal((await handler.read(id, outs)).id, "");
        const again = await handler.create(await checked(handler, record("10.253.131.10", ["database.lab"])));
        assert.equal(count(liveXml(NET), "ip='10.253.131.10'"), 1);
        assert.equal(count(configXml(NET), "ip='10.253.131.10'"), 1);
        outs = again.outs as Properties;
    });

    test("delete removes only that record", async () => {
        const other = await handler.create(await checked(handler, record("10.253.131.30", ["cache.lab"])));
        await handler.delete(id, outs);
        for (const xml of [liveXml(NET), configXml(NET)]) {
            assert.equal(count(xml, "ip='10.253.131.10'"), 0);
            assert.equal(count(xml, "cache.lab"), 1);
        }
        await handler.delete(other.id, other.outs as Properties);
        assert.equal(count(configXml(NET), "cache.lab"), 0);
    });
});

describe("DnsHost creates queued on the network's lock", () => {
    test("a record added by hand since the last create's reading is still refused, naming it; nothing changes", async () => {
        // This create leaves its reading of the network for the next (provider/resources/network/entry-copy.ts).
        const first = await handler.create(await checked(handler, record("10.253.131.40", ["first.lab"])));
        const inputs = await checked(handler, record("10.253.131.41", ["second.lab"]));
        virsh([
            "net-update",
            NET,
            "add",
            "dns-host",
            "<host ip='10.253.131.41'><hostname>by-hand.lab</hostname></host>",
            "--live",
            "--config",
        ]);
        const before = configXml(NET);
        const { result, calls } = await counted(() =>
            rejectsWith(handler.create(inputs), /<hostname>by-hand\.lab<\/hostname>/, /address 10\.253\.131\.41/),
        );
        assert.match(result, /Remove or change one of them/);
        // The carried reading did not know the record: libvirt refused the update, a fresh reading named the clash.
        assert.equal(calls.NETWORK_UPDATE, 1, JSON.stringify(calls));
        assert.equal(configXml(NET), before);
        assert.equal(count(liveXml(NET), "second.lab"), 0);
        await handler.delete(first.id, first.outs as Properties);
        virsh([
            "net-update",
            NET,
            "delete",
            "dns-host",
            "<host ip='10.253.131.41'><hostname>by-hand.lab</hostname></host>",
            "--live",
            "--config",
        ]);
    });
});

describe("DnsHost get and adopt", () => {
    test("get by id alone finds a record and rebuilds its declaration", async () => {
        const made = await handler.create(await checked(handler, record("10.253.131.40", ["get.lab"])));
        const read = await handler.read(made.id, {});
        assert.equal(read.id, made.id);
        assert.deepEqual(
            { network: read.inputs?.network, ip: read.inputs?.ip, hostnames: read.inputs?.hostnames },
            { network: NET, ip: "10.253.131.40", hostnames: ["get.lab"] },
        );
        const accepted = await handler.check({}, read.inputs as Properties);
        assert.equal(accepted.failures, undefined, JSON.stringify(accepted.failures));
        await handler.delete(made.id, made.outs as Properties);
    });

    test("a record with the same address made by hand is refused without adopt and taken over with it", async () => {
        const hand = "<host ip='10.253.131.50'><hostname>by-hand.lab</hostname></host>";
        virsh(["net-update", NET, "add", "dns-host", hand, "--live", "--config"]);
        const declared = record("10.253.131.50", ["adopted.lab"]);
        await refusedAtCheckAndCreate(handler, declared, "ip", /by-hand\.lab/);
        assert.match(configXml(NET), /by-hand\.lab/, "the refused create changed nothing");
        const made = await handler.create(await checked(handler, { ...declared, adopt: true }));
        for (const xml of [liveXml(NET), configXml(NET)]) {
            assert.equal(count(xml, "ip='10.253.131.50'"), 1);
            assert.match(xml, /<host ip='10\.253\.131\.50'>\s*<hostname>adopted\.lab<\/hostname>/);
        }
        await handler.delete(made.id, made.outs as Properties);
        assert.equal(count(configXml(NET), "ip='10.253.131.50'"), 0);
    });
});

describe("DnsHost on a stopped network", () => {
    test("changes the configuration only, and the record is there when the network starts", async () => {
        const name = `${PREFIX}stopped`;
        virshNetwork(name, "10.253.132");
        virsh(["net-destroy", name]);
        const made = await handler.create(
            await checked(handler, { ...record("10.253.132.10", ["off.lab"]), network: name }),
        );
        assert.equal(count(configXml(name), "off.lab"), 1);
        assert.equal(netInfo(name).active, false, "a DnsHost must not start the network");
        virsh(["net-start", name]);
        assert.equal(count(liveXml(name), "off.lab"), 1);
        await handler.delete(made.id, made.outs as Properties);
        assert.equal(count(configXml(name), "off.lab"), 0);
    });
});
