/**
 * Network, DhcpHost and DnsHost through the engine emulator (test tier a): the real SDK classes
 * and provider stubs, Pulumi's step rules and a state file between runs, against the real
 * libvirtd. A second up changes nothing, preview touches nothing, a new reservation is created
 * live, an out-of-band delete is found by refresh and repaired, a removed reservation is deleted
 * alone, and destroy leaves nothing. Network on 10.253.141.0/24.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DhcpHost, DnsHost, Network } from "../../../sdk";
import { virsh } from "../../helpers/virsh";
import { changes, objectsOf, type Scenario, scenario } from "../../scenarios/harness";
import { count, dnsmasqPid, liveXml } from "./network-helpers";

const PREFIX = "pltest-netengine";
const NET = `${PREFIX}-net`;

let s: Scenario;
before(() => {
    s = scenario(PREFIX);
});
after(() => s.cleanup());

/** The program: a network with one inline reservation, plus reservations and a DNS record as resources. */
function program(reservations: Record<string, [string, string]>) {
    return () => {
        const net = new Network("net", {
            name: NET,
            forward: { mode: "isolated" },
            ips: [
                {
                    address: "10.253.141.1",
                    prefix: 24,
                    dhcp: {
                        ranges: [{ start: "10.253.141.100", end: "10.253.141.200" }],
                        hosts: [{ mac: "52:54:00:41:00:01", ip: "10.253.141.11", name: "inline" }],
                    },
                },
            ],
        });
        for (const [name, [mac, ip]] of Object.entries(reservations)) {
            new DhcpHost(name, { network: net.name, mac, ip, name });
        }
        new DnsHost("db", { network: net.name, ip: "10.253.141.50", hostnames: ["db.lab"] });
    };
}

const WEB: [string, string] = ["52:54:00:41:00:02", "10.253.141.12"];
const API: [string, string] = ["52:54:00:41:00:03", "10.253.141.13"];

test("network, reservations and a DNS record through the engine's up, preview, refresh and destroy", async (t) => {
    const started = Date.now();
    const first = await s.engine().up(program({ web: WEB }));
    t.diagnostic(`first up: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(changes(first).sort(), ["create db", "create net", "create web"]);
    const xml = liveXml(NET);
    for (const needle of ["52:54:00:41:00:01", "52:54:00:41:00:02", "<hostname>db.lab</hostname>"]) {
        assert.equal(count(xml, needle), 1, needle);
    }

    const second = await s.engine().up(program({ web: WEB }));
    assert.deepEqual(changes(second), [], "a second up changes nothing");

    const pid = dnsmasqPid(NET);
    const preview = await s.engine().preview(program({ web: WEB, api: API }));
    assert.deepEqual(changes(preview), ["create api"]);
    assert.equal(count(liveXml(NET), API[0]), 0, "preview touched libvirt");

    const added = await s.engine().up(program({ web: WEB, api: API }));
    assert.deepEqual(changes(added), ["create api"]);
    assert.equal(count(liveXml(NET), API[0]), 1);
    assert.equal(dnsmasqPid(NET), pid, "adding a DhcpHost restarted dnsmasq");

    virsh(["net-update", NET, "delete", "ip-dhcp-host", `<host mac='${WEB[0]}' ip='${WEB[1]}'/>`]);
    const refreshed = await s.engine().refresh();
    t.diagnostic(`refresh steps: ${changes(refreshed).join(", ")}`);
    assert.equal(
        s.state().some((r) => r.urn.endsWith("::web")),
        false,
        "refresh should drop the reservation deleted outside Pulumi",
    );
    const repaired = await s.engine().up(program({ web: WEB, api: API }));
    assert.deepEqual(changes(repaired), ["create web"]);
    assert.equal(count(liveXml(NET), WEB[0]), 1);

    const removed = await s.engine().up(program({ web: WEB }));
    assert.deepEqual(changes(removed), ["delete api"]);
    const after = liveXml(NET);
    assert.equal(count(after, API[0]), 0);
    for (const kept of ["52:54:00:41:00:01", WEB[0], "db.lab"]) assert.equal(count(after, kept), 1, kept);
    assert.equal(dnsmasqPid(NET), pid, "removing a DhcpHost restarted dnsmasq");

    await s.engine().destroy();
    assert.deepEqual(objectsOf(PREFIX), []);
});
