/**
 * The pure planning behind Network, DhcpHost and DnsHost: which in-place entries a resource may
 * touch (only its own), how clashes are named, when a delete and an add become one modify, what
 * `read` reports (running-network drift, owned entries in declared order), and when an update
 * needs a restart (refused without allowRestart) or none at all (stopped network).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Network } from "../../../provider/model/network";
import type { NetworkState } from "../../../provider/resources/network/libvirt";
import { planSections, reportedModel } from "../../../provider/resources/network/model";
import { afterPlan, dhcpHostSection, dnsHostSection, planSection } from "../../../provider/resources/network/sections";
import { planNetworkUpdate } from "../../../provider/resources/network/update-plan";

const A = { mac: "52:54:00:00:00:0a", ip: "10.253.1.10", name: "a" };
const B = { mac: "52:54:00:00:00:0b", ip: "10.253.1.11", name: "b" };
const FOREIGN = { mac: "52:54:00:00:00:0f", ip: "10.253.1.15" };

function network(hosts: (typeof A | typeof FOREIGN)[] | undefined, extra: Partial<Network> = {}): Network {
    return {
        name: "lab",
        ips: [{ address: "10.253.1.1", prefix: 24, dhcp: hosts === undefined ? undefined : { hosts } }],
        ...extra,
    } as Network;
}

function state(config: Network, live: Network | undefined, autostart = true): NetworkState {
    return {
        net: { name: config.name, uuid: Buffer.alloc(16) },
        uuid: "00000000-0000-0000-0000-000000000000",
        configXml: "",
        config,
        live,
        active: live !== undefined,
        autostart,
        bridgeName: "virbr9",
    };
}

describe("planSection", () => {
    test("deletes only entries the resource owned; others' entries stay", () => {
        const plan = planSection(dhcpHostSection, [A, B, FOREIGN], [A, B], [B], "lab");
        assert.deepEqual(plan.deletes, [A]);
        assert.deepEqual(plan.adds, []);
    });

    test("an undeclared list is never touched", () => {
        assert.deepEqual(planSection(dhcpHostSection, [A, FOREIGN], undefined, undefined, "lab"), {
            deletes: [],
            adds: [],
        });
    });

    test("an identical existing entry is taken as present, not added twice", () => {
        const plan = planSection(dhcpHostSection, [A], undefined, [A], "lab");
        assert.deepEqual(plan.adds, []);
    });

    test("a clash with someone else's entry is refused, naming it and what clashes", () => {
        const clash = { mac: "52:54:00:00:00:0c", ip: FOREIGN.ip };
        assert.throws(
            () => planSection(dhcpHostSection, [FOREIGN], undefined, [clash], "lab"),
            /existing entry <host mac="52:54:00:00:00:0f" ip="10\.253\.1\.15"\/> already has address 10\.253\.1\.15/,
        );
        assert.throws(
            () =>
                planSection(
                    dnsHostSection,
                    [{ ip: "10.0.0.1", hostnames: ["x"] }],
                    undefined,
                    [{ ip: "10.0.0.2", hostnames: ["x"] }],
                    "lab",
                ),
            /hostname x/,
        );
    });

    test("a changed entry with the same MAC is one modify; without a MAC it is delete and add", () => {
        const moved = { ...A, ip: "10.253.1.20" };
        const plan = planSection(dhcpHostSection, [A], [A], [moved], "lab");
        assert.deepEqual(plan, { deletes: [], modifies: [moved], adds: [] });
        assert.deepEqual(afterPlan(dhcpHostSection, [A, FOREIGN], plan), [moved, FOREIGN]);
        const dns = planSection(
            dnsHostSection,
            [{ ip: "10.0.0.1", hostnames: ["x"] }],
            [{ ip: "10.0.0.1", hostnames: ["x"] }],
            [{ ip: "10.0.0.1", hostnames: ["y"] }],
            "lab",
        );
        assert.equal(dns.deletes.length, 1);
        assert.equal(dns.adds.length, 1);
        assert.equal(dns.modifies, undefined);
    });
});

describe("reportedModel", () => {
    test("reports owned entries in declared order, without others' entries", () => {
        const reported = reportedModel(state(network([B, FOREIGN, A]), network([B, FOREIGN, A])), network([A, B]));
        assert.deepEqual(reported.ips?.[0]?.dhcp?.hosts, [A, B]);
        assert.equal(reported.autostart, true);
    });

    test("an entry missing from the running network only is reported missing", () => {
        const reported = reportedModel(state(network([A, B]), network([A])), network([A, B]));
        assert.deepEqual(reported.ips?.[0]?.dhcp?.hosts, [A]);
    });

    test("without an old declaration (get) every entry is reported", () => {
        const reported = reportedModel(state(network([A, FOREIGN]), undefined), undefined);
        assert.deepEqual(reported.ips?.[0]?.dhcp?.hosts, [A, FOREIGN]);
    });
});

describe("planSections and planNetworkUpdate", () => {
    test("in-place changes plan per side and keep others' entries in the target", () => {
        const current = state(network([A, FOREIGN]), network([FOREIGN]));
        const { plans, target } = planSections(current, network([A]), network([A, B]));
        const dhcp = plans.find((p) => p.place.spec === dhcpHostSection)!;
        assert.deepEqual(dhcp.config.adds, [B]);
        assert.deepEqual(dhcp.live?.adds, [A, B]);
        assert.deepEqual(target.ips?.[0]?.dhcp?.hosts, [A, FOREIGN, B]);
        const plan = planNetworkUpdate(current, target, true, false);
        assert.equal(plan.redefine, false);
        assert.equal(plan.restart, false);
    });

    test("a restart-class change on a running network is refused without allowRestart", () => {
        const current = state(network([A]), network([A]));
        assert.throws(
            () => planNetworkUpdate(current, network([A], { mtu: 1400 }), true, false),
            /mtu can only change by restarting the network.*allowRestart: true/s,
        );
        const allowed = planNetworkUpdate(current, network([A], { mtu: 1400 }), true, true);
        assert.deepEqual([allowed.redefine, allowed.restart, allowed.restartFields], [true, true, ["mtu"]]);
    });

    test("on a stopped network the same change is a redefinition without restart", () => {
        const plan = planNetworkUpdate(state(network([A]), undefined), network([A], { mtu: 1400 }), true, false);
        assert.deepEqual([plan.redefine, plan.restart], [true, false]);
    });

    test("autostart is set only when it differs", () => {
        const current = state(network([A]), network([A]), false);
        assert.equal(planNetworkUpdate(current, network([A]), true, false).autostart, true);
        assert.equal(planNetworkUpdate(current, network([A]), false, false).autostart, undefined);
    });

    test("what the declaration leaves to libvirt is no change: no redefine, and only the changed field restarts", () => {
        const libvirtFilled: Partial<Network> = {
            uuid: "11111111-1111-1111-1111-111111111111",
            forward: { mode: "nat", dev: "eth0", nat: { ports: { start: 1024, end: 65535 } } },
            bridge: { name: "virbr9", stp: true, delay: 0 },
            mac: "52:54:00:01:02:03",
            extra: { elements: [{ name: "portgroup", attributes: { name: "eng" } }] },
        };
        const current = state(network([A], libvirtFilled), network([A], libvirtFilled));
        const declared = network([A], { forward: { mode: "nat" } });
        assert.equal(planNetworkUpdate(current, declared, true, false).redefine, false);
        const changed = planNetworkUpdate(current, { ...declared, mtu: 1400 }, true, true);
        assert.deepEqual([changed.redefine, changed.restartFields], [true, ["mtu"]]);
    });

    test("a replace-class difference is refused before any change", () => {
        const current = state(network([A], { uuid: "11111111-1111-1111-1111-111111111111" }), undefined);
        assert.throws(
            () =>
                planNetworkUpdate(current, network([A], { uuid: "22222222-2222-2222-2222-222222222222" }), true, true),
            /can only change by replacing the network/,
        );
    });
});
