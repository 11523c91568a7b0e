/**
 * The README's program in the shape users write it: no explicit names anywhere (every object is
 * autonamed from its logical name), resources wired through each other's outputs, the disk filled
 * from a local image through `sourceImage`. The cloud image is swapped for a local file and the
 * guest for the test host's tiny guest; the rest is the quickstart's structure.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DhcpHost, Domain, Network, StoragePool, Volume } from "pulumi-libvirt";
import { loadTestHost } from "../helpers/test-host";
import { virsh } from "../helpers/virsh";
import { changes, dhcpHosts, libvirtSteps, objectsOf, outputsOf, poolPath, type Scenario, scenario } from "./harness";

const PREFIX = "pltest-scn-auto";
const SUBNET = "10.253.209";
const MAC = "52:54:00:fd:d1:10";
const IP = `${SUBNET}.10`;
const AUTONAME = new RegExp(`^${PREFIX}-(net|pool|disk|vm)-[0-9a-f]{7}$`);

let s: Scenario;
let image: string;
before(() => {
    s = scenario(PREFIX);
    image = join(s.dir, "disk.img");
    writeFileSync(image, randomBytes(3 * 1024 * 1024 + 512));
});
after(() => s.cleanup());

function program() {
    const host = loadTestHost();
    const net = new Network(`${PREFIX}-net`, {
        ips: [
            {
                address: `${SUBNET}.1`,
                prefix: 24,
                dhcp: { ranges: [{ start: `${SUBNET}.100`, end: `${SUBNET}.200` }] },
            },
        ],
    });
    const pool = new StoragePool(`${PREFIX}-pool`, { type: "dir", target: { path: poolPath(PREFIX) } });
    const disk = new Volume(`${PREFIX}-disk`, {
        pool: pool.name,
        capacity: 8,
        target: { format: "raw" },
        sourceImage: { url: image, sha256: createHash("sha256").update(readFileSync(image)).digest("hex") },
    });
    const lease = new DhcpHost(`${PREFIX}-lease`, { network: net.name, mac: MAC, ip: IP });
    const vm = new Domain(`${PREFIX}-vm`, {
        type: "qemu",
        memory: 128,
        vcpu: 1,
        os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
        devices: {
            disks: [{ source: { pool: pool.name, volume: disk.name }, target: { dev: "vda", bus: "virtio" } }],
            // As in the quickstart: the MAC is the reservation's output, which also orders the creates.
            interfaces: [{ source: { network: net.name }, mac: lease.mac, model: "virtio" }],
            serials: [{ type: "pty" }],
        },
        shutdownTimeoutSeconds: 3,
        waitForIp: { timeoutSeconds: 120 },
    });
    return { ip: vm.ipAddresses.apply((ips) => ips[0]?.[0]), network: net.name, volume: disk.path };
}

test("a program without explicit names comes up, is stable, and goes away", async () => {
    const summary = await s.engine().up(program);
    assert.equal(libvirtSteps(summary, "create"), 5, changes(summary).join(", "));
    const names = objectsOf(PREFIX);
    assert.equal(names.length, 3, `a domain, a network and a pool: ${names.join(", ")}`);
    for (const name of names) assert.match(name, AUTONAME);
    assert.match(String(outputsOf(s, `${PREFIX}-disk`).name), AUTONAME);

    const network = String(summary.outputs.network);
    assert.deepEqual(dhcpHosts(network), [`${MAC} ${IP}`]);
    assert.equal(summary.outputs.ip, IP, "the guest got the reserved address");
    // The volume holds the image byte for byte, checked through virsh.
    const copy = join(s.dir, "copy.img");
    const volume = String(summary.outputs.volume);
    virsh(["vol-download", "--vol", volume, "--file", copy, "--length", String(readFileSync(image).length)]);
    assert.ok(readFileSync(copy).equals(readFileSync(image)), "the volume's first bytes are the image");
    rmSync(copy);

    const again = await s.engine().up(program);
    assert.deepEqual(changes(again), [], "a second up changes nothing and keeps the autonames");
    assert.deepEqual(objectsOf(PREFIX), names);

    const destroyed = await s.engine().destroy();
    assert.equal(libvirtSteps(destroyed, "delete"), 5);
    assert.deepEqual(objectsOf(PREFIX), []);
});
