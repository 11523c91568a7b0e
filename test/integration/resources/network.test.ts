/**
 * The Network handler against the real libvirtd, called directly: create (define + autostart +
 * start, rolled back on failure), read and drift, diff, live in-place updates (dnsmasq and bridge
 * untouched), restart-class changes only with allowRestart, adopt, get, delete. virsh checks
 * every step from outside. Networks are isolated, on 10.253.11x.0/24.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { networkHandler as handler } from "../../../provider/resources/network/handler";
import type { Properties } from "../../../provider/resources/shared/handler";
import { UNKNOWN_VALUE } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { handlerTestFile } from "../../helpers/handler-test-file";
import { virsh, virshMaybe } from "../../helpers/virsh";
import {
    bridgeIfindex,
    checked,
    configXml,
    count,
    dnsmasqPid,
    liveXml,
    netInfo,
    rejectsWith,
    virshNetwork,
} from "./network-helpers";

const PREFIX = "pltest-netres-";
handlerTestFile(PREFIX);

function lab(name: string, octet: number, hosts: Properties[] = []): Properties {
    return {
        name: `${PREFIX}${name}`,
        ips: [
            {
                address: `10.253.${octet}.1`,
                prefix: 24,
                dhcp: { ranges: [{ start: `10.253.${octet}.100`, end: `10.253.${octet}.200` }], hosts },
            },
        ],
    };
}

const HOST_A = { mac: "52:54:00:aa:00:01", ip: "10.253.111.11", name: "a" };
const HOST_B = { mac: "52:54:00:aa:00:02", ip: "10.253.111.12", name: "b" };

/** The main network with one DNS host and an MTU: the MTU is a change only a restart applies. */
function mainWithMtu(): Properties {
    return {
        ...lab("main", 111, [HOST_B]),
        dns: { hosts: [{ ip: "10.253.111.11", hostnames: ["a.lab"] }] },
        mtu: 1400,
    };
}

describe("check", () => {
    test("autonames from the logical name and keeps the name across updates", async () => {
        const first = await checked(handler, { namePrefix: "lab", ips: [{ address: "10.253.110.1", prefix: 24 }] });
        assert.match(String(first.name), /^lab-[0-9a-f]{7}$/);
        const again = await checked(handler, { namePrefix: "lab", mtu: 1400 }, first);
        assert.equal(again.name, first.name);
    });

    test("names the bad field, the value and the fix", async () => {
        const result = await handler.check(
            {},
            {
                name: `${PREFIX}bad`,
                ips: [
                    {
                        address: "10.253.110.1",
                        prefix: 24,
                        dhcp: { hosts: [{ mac: "52:54:00:aa:00:01", ip: "10.9.9.9" }] },
                    },
                ],
            },
        );
        const failure = result.failures?.find((f) => f.property === "ips[0].dhcp.hosts[0].ip");
        assert.ok(failure, JSON.stringify(result.failures));
        assert.match(failure.reason, /10\.9\.9\.9 lies outside the subnet 10\.253\.110\.1\/24/);
    });

    test("tolerates values unknown during preview", async () => {
        const result = await handler.check({}, { namePrefix: "lab", ips: [{ address: UNKNOWN_VALUE, prefix: 24 }] });
        assert.deepEqual(result.failures ?? [], []);
    });
});

describe("lifecycle", () => {
    const name = `${PREFIX}main`;
    let id = "";
    let outs: Properties = {};

    test("create defines, sets autostart and starts; outputs echo the inputs plus uuid and bridge", async () => {
        const inputs = await checked(handler, lab("main", 111, [HOST_A]));
        const created = await handler.create(inputs);
        id = created.id;
        outs = created.outs as Properties;
        const info = netInfo(name);
        assert.equal(info.active, true);
        assert.equal(info.autostart, true);
        assert.equal(id, info.uuid);
        assert.equal(outs.uuid, info.uuid);
        assert.equal(outs.bridgeName, info.bridge);
        assert.equal(outs.active, true);
        assert.deepEqual(outs.ips, inputs.ips);
        assert.match(liveXml(name), /<host mac='52:54:00:aa:00:01' name='a' ip='10\.253\.111\.11'\/>/);
    });

    test("read reports the same declaration without drift, and diff against it is empty", async () => {
        const lines: string[] = [];
        const restore = setLogSink((_level, line) => lines.push(line));
        const read = await handler.read(id, outs).finally(restore);
        assert.deepEqual(
            lines.filter((line) => /outside Pulumi/.test(line)),
            [],
            "values libvirt fills in (bridge, MAC, STP) are not drift",
        );
        assert.equal(read.id, id);
        const props = read.props as Properties;
        assert.equal(props.name, name);
        assert.deepEqual(props.ips, outs.ips);
        const diff = await handler.diff(id, props, await checked(handler, lab("main", 111, [HOST_A]), outs));
        assert.equal(diff.changes, false);
        assert.equal(diff.replaces, undefined);
    });

    test("adding a DHCP host and a DNS host inline happens live: same dnsmasq, same bridge", async () => {
        const pid = dnsmasqPid(name);
        const bridge = netInfo(name).bridge;
        const ifindex = bridgeIfindex(name);
        const news = await checked(
            handler,
            { ...lab("main", 111, [HOST_A, HOST_B]), dns: { hosts: [{ ip: "10.253.111.11", hostnames: ["a.lab"] }] } },
            outs,
        );
        const diff = await handler.diff(id, outs, news);
        assert.equal(diff.changes, true);
        assert.equal(diff.replaces, undefined);
        const updated = await handler.update(id, outs, news);
        outs = updated.outs as Properties;
        assert.equal(dnsmasqPid(name), pid, "dnsmasq was restarted");
        assert.equal(netInfo(name).bridge, bridge);
        assert.equal(bridgeIfindex(name), ifindex, "the bridge was re-created: the network was restarted");
        for (const xml of [liveXml(name), configXml(name)]) {
            assert.match(xml, /<host mac='52:54:00:aa:00:02' name='b' ip='10\.253\.111\.12'\/>/);
            assert.match(xml, /<hostname>a\.lab<\/hostname>/);
        }
    });

    test("removing one DHCP host removes only that one; entries added by others stay", async () => {
        virsh([
            "net-update",
            name,
            "add",
            "ip-dhcp-host",
            "<host mac='52:54:00:aa:00:09' ip='10.253.111.19'/>",
            "--live",
            "--config",
        ]);
        const pid = dnsmasqPid(name);
        const news = await checked(
            handler,
            { ...lab("main", 111, [HOST_B]), dns: { hosts: [{ ip: "10.253.111.11", hostnames: ["a.lab"] }] } },
            outs,
        );
        outs = (await handler.update(id, outs, news)).outs as Properties;
        assert.equal(dnsmasqPid(name), pid);
        for (const xml of [liveXml(name), configXml(name)]) {
            assert.equal(count(xml, "52:54:00:aa:00:01"), 0, "host a should be gone");
            assert.equal(count(xml, "52:54:00:aa:00:02"), 1, "host b should stay");
            assert.equal(count(xml, "52:54:00:aa:00:09"), 1, "the host added by hand should stay");
        }
        // The entry added by hand is not the Network's: it never shows as drift.
        const read = await handler.read(id, outs);
        const diff = await handler.diff(id, read.props as Properties, news);
        assert.equal(diff.changes, false);
    });

    test("an out-of-band `virsh net-update delete` is found by read and repaired by update", async () => {
        // virsh's default (--current) changes the running network only: the configuration keeps the host.
        virsh(["net-update", name, "delete", "ip-dhcp-host", "<host mac='52:54:00:aa:00:02' ip='10.253.111.12'/>"]);
        assert.equal(count(liveXml(name), "52:54:00:aa:00:02"), 0);
        const lines: string[] = [];
        const restore = setLogSink((_level, line) => lines.push(line));
        const read = await handler.read(id, outs).finally(restore);
        const props = read.props as Properties;
        const hosts = (props.ips as { dhcp: { hosts?: unknown[] } }[])[0]!.dhcp.hosts ?? [];
        assert.equal(hosts.length, 0, "read should report the host as missing");
        assert.ok(
            lines.some((line) => /changed outside Pulumi/.test(line) && /ips\[0\]\.dhcp\.hosts\[0\]/.test(line)),
            `read should report the drift: ${lines.join(" | ")}`,
        );
        const news = await checked(
            handler,
            { ...lab("main", 111, [HOST_B]), dns: { hosts: [{ ip: "10.253.111.11", hostnames: ["a.lab"] }] } },
            outs,
        );
        const diff = await handler.diff(id, props, news);
        assert.equal(diff.changes, true);
        outs = (await handler.update(id, props, news)).outs as Properties;
        assert.equal(count(liveXml(name), "52:54:00:aa:00:02"), 1);
        assert.equal(count(configXml(name), "52:54:00:aa:00:02"), 1);
    });

    test("changing a DHCP range applies in place: the bridge stays (libvirt reloads dnsmasq for ranges)", async () => {
        const ifindex = bridgeIfindex(name);
        const declaration = (end: string) => ({
            ...lab("main", 111, [HOST_B]),
            ips: [
                {
                    address: "10.253.111.1",
                    prefix: 24,
                    dhcp: { ranges: [{ start: "10.253.111.100", end }], hosts: [HOST_B] },
                },
            ],
            dns: { hosts: [{ ip: "10.253.111.11", hostnames: ["a.lab"] }] },
        });
        outs = (await handler.update(id, outs, await checked(handler, declaration("10.253.111.150"), outs)))
            .outs as Properties;
        for (const xml of [liveXml(name), configXml(name)]) {
            assert.match(xml, /<range start='10\.253\.111\.100' end='10\.253\.111\.150'\/>/);
            assert.equal(count(xml, "<range "), 1);
        }
        assert.equal(bridgeIfindex(name), ifindex, "the network was restarted");
        outs = (await handler.update(id, outs, await checked(handler, declaration("10.253.111.200"), outs)))
            .outs as Properties;
        assert.match(configXml(name), /<range start='10\.253\.111\.100' end='10\.253\.111\.200'\/>/);
    });

    test("a restart-class change without allowRestart fails, naming the field, and changes nothing", async () => {
        const pid = dnsmasqPid(name);
        const before = configXml(name);
        const news = await checked(handler, mainWithMtu(), outs);
        // Preview (diff) already refuses it; update refuses it too, deciding from what libvirt has.
        await rejectsWith(handler.diff(id, outs, news), /mtu/, /allowRestart: true/, /Nothing was changed/);
        await rejectsWith(handler.update(id, outs, news), /mtu/, /allowRestart: true/, /Nothing was changed/);
        assert.equal(configXml(name), before);
        assert.equal(dnsmasqPid(name), pid);
    });

    test("with allowRestart the network is redefined and restarted", async () => {
        const pid = dnsmasqPid(name);
        const ifindex = bridgeIfindex(name);
        const news = await checked(handler, { ...mainWithMtu(), allowRestart: true }, outs);
        outs = (await handler.update(id, outs, news)).outs as Properties;
        assert.match(liveXml(name), /<mtu size='1400'\/>/);
        assert.match(configXml(name), /<mtu size='1400'\/>/);
        assert.notEqual(dnsmasqPid(name), pid, "a restart starts a new dnsmasq");
        assert.notEqual(bridgeIfindex(name), ifindex, "a restart re-creates the bridge");
        assert.equal(count(liveXml(name), "52:54:00:aa:00:09"), 1, "the host added by hand survives the redefinition");
    });

    test("a rename is a replacement; on the same subnet the old network goes first", async () => {
        const news = await checked(handler, { ...lab("renamed", 111), allowRestart: true }, outs);
        const diff = await handler.diff(id, outs, news);
        assert.deepEqual(diff.replaces, ["name"]);
        assert.equal(diff.deleteBeforeReplace, true, "libvirt refuses a second network on the same subnet");
        const elsewhere = await checked(handler, lab("renamed", 119), outs);
        const moved = await handler.diff(id, outs, elsewhere);
        assert.ok(moved.replaces?.includes("name"));
        assert.notEqual(moved.deleteBeforeReplace, true, "nothing clashes: the new network can come up first");
    });

    test("a stopped network is reported inactive and started again by update", async () => {
        virsh(["net-destroy", name]);
        const read = await handler.read(id, outs);
        const props = read.props as Properties;
        assert.equal(props.active, false);
        const news = await checked(handler, mainWithMtu(), outs);
        assert.equal((await handler.diff(id, props, news)).changes, true);
        outs = (await handler.update(id, props, news)).outs as Properties;
        assert.equal(netInfo(name).active, true);
    });

    test("get: read by name without properties reports the whole network", async () => {
        const read = await handler.read(name, {});
        assert.equal(read.id, id);
        const props = read.props as Properties;
        assert.equal(props.name, name);
        const hosts = (props.ips as { dhcp: { hosts: { mac: string }[] } }[])[0]!.dhcp.hosts.map((h) => h.mac);
        assert.deepEqual(hosts.sort(), ["52:54:00:aa:00:02", "52:54:00:aa:00:09"]);
    });

    test("delete stops and undefines; read then reports it gone", async () => {
        await handler.delete(id, outs);
        assert.equal(virshMaybe(["net-info", name]), undefined);
        const read = await handler.read(id, outs);
        assert.equal(read.id, "");
        await handler.delete(id, outs); // already gone: nothing to do
    });
});

describe("failures and adoption", () => {
    test("a create whose start fails leaves nothing behind", async () => {
        const first = await handler.create(await checked(handler, lab("first", 112)));
        try {
            // Same subnet as the running first network: define succeeds, start is refused.
            const clash = await checked(handler, lab("clash", 112));
            await rejectsWith(handler.create(clash), /pltest-netres-clash/, /start failed/);
            assert.equal(virshMaybe(["net-info", `${PREFIX}clash`]), undefined, "the half-made network is left");
        } finally {
            await handler.delete(first.id, first.outs as Properties);
        }
    });

    test("a restart whose new definition does not start puts the previous one back", async () => {
        const first = await handler.create(await checked(handler, lab("taken", 114)));
        const second = await handler.create(await checked(handler, lab("mover", 115)));
        const outs = second.outs as Properties;
        try {
            // Moving onto the first network's subnet: the redefinition is accepted, the start is refused.
            const news = await checked(handler, { ...lab("mover", 114), allowRestart: true }, outs);
            await rejectsWith(
                handler.update(second.id, outs, news),
                /start after restart failed/,
                /previous definition was restored/,
            );
            const name = `${PREFIX}mover`;
            assert.equal(netInfo(name).active, true);
            assert.match(configXml(name), /10\.253\.115\.1/);
            assert.match(liveXml(name), /10\.253\.115\.1/);
        } finally {
            await handler.delete(second.id, outs);
            await handler.delete(first.id, first.outs as Properties);
        }
    });

    test("a name clash without adopt fails and says how to adopt", async () => {
        const name = `${PREFIX}existing`;
        virshNetwork(name, "10.253.113");
        await rejectsWith(
            handler.create(await checked(handler, lab("existing", 113))),
            /already exists/,
            /adopt: true/,
        );
        assert.equal(netInfo(name).active, true);
    });

    test("adopt takes an existing network over and applies the declaration live", async () => {
        const name = `${PREFIX}existing`;
        const pid = dnsmasqPid(name);
        const uuid = netInfo(name).uuid;
        virsh([
            "net-update",
            name,
            "add",
            "ip-dhcp-host",
            "<host mac='52:54:00:bb:00:09' ip='10.253.113.19'/>",
            "--live",
            "--config",
        ]);
        const inputs = await checked(handler, {
            ...lab("existing", 113, [{ mac: "52:54:00:bb:00:01", ip: "10.253.113.11" }]),
            adopt: true,
        });
        const created = await handler.create(inputs);
        assert.equal(created.id, uuid);
        assert.equal(dnsmasqPid(name), pid, "adopting restarted dnsmasq");
        for (const xml of [liveXml(name), configXml(name)]) {
            assert.equal(count(xml, "52:54:00:bb:00:01"), 1);
            assert.equal(count(xml, "52:54:00:bb:00:09"), 1, "an entry the declaration does not own stays");
        }
        assert.equal(netInfo(name).autostart, true);
        await handler.delete(created.id, created.outs as Properties);
        assert.equal(virshMaybe(["net-info", name]), undefined);
    });
});
