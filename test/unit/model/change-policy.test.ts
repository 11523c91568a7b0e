import assert from "node:assert/strict";
import { test } from "node:test";
import {
    classifyChanges,
    diffValues,
    policyTableMarkdown,
    strongestClass,
} from "../../../provider/model/change-policy";
import { networkSchema } from "../../../provider/model/network";
import { volumeSchema, vpcCapacity } from "../../../provider/model/volume";

const baseNetwork = networkSchema.parse({
    name: "lab",
    forward: { mode: "nat" },
    bridge: { name: "virbr10" },
    ips: [
        {
            address: "192.168.100.1",
            prefix: 24,
            dhcp: {
                ranges: [{ start: "192.168.100.100", end: "192.168.100.200" }],
                hosts: [{ mac: "52:54:00:00:00:01", ip: "192.168.100.10" }],
            },
        },
    ],
    dns: { hosts: [{ ip: "192.168.100.10", hostnames: ["a"] }] },
});

function changed(mutate: (copy: typeof baseNetwork) => void) {
    const copy = structuredClone(baseNetwork);
    mutate(copy);
    return classifyChanges("network", baseNetwork, copy);
}

test("identical models have no changes; empty lists equal absent ones", () => {
    assert.deepEqual(classifyChanges("network", baseNetwork, structuredClone(baseNetwork)), []);
    assert.deepEqual(diffValues({ a: [], b: {} }, {}), []);
});

test("network DHCP hosts, ranges and DNS hosts are live", () => {
    const hosts = changed((n) => n.ips![0]!.dhcp!.hosts!.push({ mac: "52:54:00:00:00:02", ip: "192.168.100.11" }));
    assert.deepEqual(
        hosts.map((c) => [c.path, c.class]),
        [
            ["ips[0].dhcp.hosts[1].mac", "live"],
            ["ips[0].dhcp.hosts[1].ip", "live"],
        ],
    );
    assert.equal(strongestClass(changed((n) => (n.ips![0]!.dhcp!.ranges![0]!.end = "192.168.100.250"))), "live");
    assert.equal(strongestClass(changed((n) => n.dns!.hosts![0]!.hostnames.push("b"))), "live");
    assert.equal(strongestClass(changed((n) => (n.autostart = true))), "live");
});

test("a network's name or bridge is replace; other settings need a restart", () => {
    assert.equal(strongestClass(changed((n) => (n.name = "lab2"))), "replace");
    assert.equal(strongestClass(changed((n) => (n.bridge!.name = "virbr11"))), "replace");
    assert.equal(strongestClass(changed((n) => (n.ips![0]!.prefix = 16))), "restart");
    assert.equal(strongestClass(changed((n) => (n.forward = { mode: "route" }))), "restart");
});

test("values libvirt fills in are not changes when the new model leaves them unset", () => {
    const read = structuredClone(baseNetwork);
    read.uuid = "81ff0d90-c91e-6742-64da-4a736edb9a9b";
    read.bridge = { name: "virbr10", stp: true, delay: 0 };
    read.mac = "52:54:00:0a:0b:0c";
    read.extra = { elements: [{ name: "portgroup", attributes: { name: "x" } }] };
    assert.deepEqual(classifyChanges("network", read, baseNetwork), []);
    const renamed = structuredClone(baseNetwork);
    renamed.uuid = "00000000-0000-0000-0000-000000000001";
    assert.equal(strongestClass(classifyChanges("network", read, renamed)), "replace");
});

test("volume capacity grows live and shrinks by replacement; pool and format are replace", () => {
    const volume = volumeSchema.parse({ name: "v", pool: "p", capacity: "10GiB", target: { format: "qcow2" } });
    const grown = { ...volume, capacity: volume.capacity! * 2 };
    const shrunk = { ...volume, capacity: volume.capacity! / 2 };
    assert.deepEqual(
        classifyChanges("volume", volume, grown).map((c) => c.class),
        ["live"],
    );
    assert.equal(strongestClass(classifyChanges("volume", volume, shrunk)), "replace");
    assert.equal(strongestClass(classifyChanges("volume", volume, { ...volume, pool: "q" })), "replace");
    assert.equal(
        strongestClass(classifyChanges("volume", volume, { ...volume, target: { format: "raw" } })),
        "replace",
    );
    const reported = { ...volume, key: "/p/v", allocation: 196608, physical: 200704 };
    assert.deepEqual(classifyChanges("volume", reported, volume), []);
});

test("pool, DHCP host and DNS host policies", () => {
    const pool = { name: "p", type: "dir", target: { path: "/a" } };
    assert.equal(strongestClass(classifyChanges("storagePool", pool, { ...pool, target: { path: "/b" } })), "replace");
    assert.equal(strongestClass(classifyChanges("storagePool", pool, { ...pool, autostart: true })), "live");
    assert.deepEqual(classifyChanges("storagePool", { ...pool, capacity: 5, available: 3 }, pool), []);
    const host = { network: "lab", mac: "52:54:00:00:00:01", ip: "10.0.0.5" };
    assert.equal(strongestClass(classifyChanges("dhcpHost", host, { ...host, ip: "10.0.0.6", name: "x" })), "live");
    assert.equal(strongestClass(classifyChanges("dhcpHost", host, { ...host, network: "other" })), "replace");
    assert.equal(strongestClass(classifyChanges("dhcpHost", host, { ...host, mac: "52:54:00:00:00:02" })), "replace");
    const record = { network: "lab", ip: "10.0.0.5", hostnames: ["a"] };
    assert.equal(strongestClass(classifyChanges("dnsHost", record, { ...record, hostnames: ["a", "b"] })), "live");
    assert.equal(strongestClass(classifyChanges("dnsHost", record, { ...record, ip: "10.0.0.6" })), "replace");
    assert.equal(strongestClass([]), undefined);
});

test("libvirt's default NAT port range and forward interface are not drift", () => {
    const desired = networkSchema.parse({ name: "n", forward: { mode: "nat", dev: "eth0" } });
    const live = networkSchema.parse({
        name: "n",
        forward: {
            mode: "nat",
            dev: "eth0",
            nat: { ports: { start: 1024, end: 65535 } },
            extra: { elements: [{ name: "interface", attributes: { dev: "eth0" } }] },
        },
    });
    assert.deepEqual(classifyChanges("network", live, desired), []);
    const changedPorts = networkSchema.parse({
        name: "n",
        forward: { mode: "nat", dev: "eth0", nat: { ports: { start: 2000, end: 3000 } } },
    });
    assert.equal(strongestClass(classifyChanges("network", live, changedPorts)), "restart");
});

test("policy tables render as Markdown for the README", () => {
    const markdown = policyTableMarkdown("volume");
    assert.match(markdown, /^\| Field \| Class \| Notes \| Why \|/);
    assert.match(markdown, /\| `capacity` \| live \| grow: live; shrink: replace; unset keeps libvirt's value; /);
    assert.match(markdown, /\| anything else \| replace \|/);
});

test("a vpc volume's capacity, rounded up by qemu to a CHS geometry, is no change", () => {
    const desired = volumeSchema.parse({ name: "v.vhd", capacity: "64MiB", target: { format: "vpc" } });
    assert.equal(vpcCapacity(64 * 2 ** 20), 67125248);
    assert.deepEqual(classifyChanges("volume", { ...desired, capacity: 67125248 }, desired), []);
    const raw = { ...desired, target: { format: "raw" as const } };
    assert.equal(strongestClass(classifyChanges("volume", { ...raw, capacity: 67125248 }, raw)), "replace");
    assert.equal(strongestClass(classifyChanges("volume", { ...desired, capacity: 2 ** 30 }, desired)), "replace");
});

test("what libvirt reports once it probes a volume again (pool refresh) is no change", () => {
    const qcow2 = volumeSchema.parse({ name: "q", capacity: 1, target: { format: "qcow2", compat: "0.10" } });
    const probed = { ...qcow2, target: { format: "qcow2" as const, clusterSize: 65536, features: {} } };
    assert.deepEqual(classifyChanges("volume", probed, qcow2), []);
    const v3 = { ...qcow2, target: { format: "qcow2" as const, compat: "1.1" } };
    assert.equal(strongestClass(classifyChanges("volume", v3, qcow2)), "replace");
    const luks = volumeSchema.parse({
        name: "l",
        capacity: 1,
        target: { format: "raw", encryption: { format: "luks", secret: "6d0c2b47-5c1a-4f0e-9d55-7e57000000e1" } },
    });
    const forgotten = { ...luks, target: { format: "raw" as const, encryption: { format: "luks" as const } } };
    assert.deepEqual(classifyChanges("volume", forgotten, luks), []);
    const iso = volumeSchema.parse({ name: "i", capacity: 1, target: { format: "iso" } });
    assert.deepEqual(classifyChanges("volume", { ...iso, target: { format: "raw" } }, iso), []);
    assert.equal(strongestClass(classifyChanges("volume", { ...iso, target: { format: "qcow2" } }, iso)), "replace");
});

test("a volume's capacity left unset (taken from its backing image) is no change; autostart unset means off", () => {
    const overlay = volumeSchema.parse({ name: "o", backingStore: { path: "/b.qcow2" }, target: { format: "qcow2" } });
    assert.deepEqual(classifyChanges("volume", { ...overlay, capacity: 2 ** 30 }, overlay), []);
    for (const kind of ["network", "storagePool"] as const) {
        assert.deepEqual(classifyChanges(kind, { autostart: false }, {}), []);
        assert.equal(strongestClass(classifyChanges(kind, { autostart: true }, {})), "live");
    }
});

test("unmodelled parts of a DHCP host are updated live with it; elsewhere they need a restart", () => {
    const withLease = changed((n) => {
        n.ips![0]!.dhcp!.hosts![0]!.extra = { elements: [{ name: "future", attributes: { x: "1" } }] };
    });
    assert.equal(strongestClass(withLease), "live");
    const rootExtra = changed((n) => {
        n.extra = { elements: [{ name: "portgroup", attributes: { name: "eng" } }] };
    });
    assert.equal(strongestClass(rootExtra), "restart");
});
