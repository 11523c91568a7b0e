/**
 * Owner records of networks, pools, volumes and reservations (issue 16, item 1), against the real
 * libvirtd. Each kind: a create interrupted after libvirt made the object (the state never
 * written, as when the process running `up` is killed) is simulated by leaving the object as the
 * first attempt made it, or in the state a crash between libvirt calls leaves (defined, not
 * started); the same create again takes it over and finishes the job. A namesake this resource did
 * not make is refused, and the message says why. virsh checks every result.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { cloudInitHandler } from "../../../provider/resources/cloud-init/handler";
import { dhcpHostHandler } from "../../../provider/resources/dhcp-host/handler";
import { dnsHostHandler } from "../../../provider/resources/dns-host/handler";
import { networkHandler } from "../../../provider/resources/network/handler";
import { autoName } from "../../../provider/resources/shared/check";
import { configureRuntime } from "../../../provider/resources/shared/connection";
import type { Properties, ResourceHandler } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { ownerOf, ownerUuid } from "../../../provider/resources/shared/owner";
import { storagePoolHandler } from "../../../provider/resources/storage-pool/handler";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { defaultPool } from "../../../provider/rpc";
import { loadTestHost } from "../../helpers/test-host";
import { listNames, removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";
import { checked, configXml, count, liveXml, netInfo, rejectsWith } from "./network-helpers";

const PREFIX = "pltest-owner-";
const host = loadTestHost();
const workDir = mkdtempSync(join(tmpdir(), PREFIX));
let lines: string[] = [];
let restoreLog: () => void = () => {};

before(() => {
    removeTestObjects(PREFIX);
    configureRuntime({ uri: host.unixUri });
    restoreLog = setLogSink((_level, line) => lines.push(line));
});
after(async () => {
    restoreLog();
    removeTestObjects(PREFIX);
    rmSync(workDir, { recursive: true, force: true });
    await defaultPool.closeAll();
});

/** check + create, as the engine does for a new resource. */
async function create(handler: ResourceHandler, news: Properties): Promise<{ id: string; outs: Properties }> {
    const result = await handler.create(await checked(handler, news));
    return { id: result.id, outs: result.outs as Properties };
}

function sawLine(pattern: RegExp): void {
    assert.ok(
        lines.some((line) => pattern.test(line)),
        `no log line matches ${pattern}:\n${lines.join("\n")}`,
    );
}

function defineWithVirsh(command: "net-define" | "pool-define", xml: string): void {
    const file = join(workDir, "definition.xml");
    writeFileSync(file, xml);
    virsh([command, file]);
}

test("Network: an interrupted create's network (defined, never started) is taken over; a namesake is refused", async () => {
    const name = `${PREFIX}net`;
    const declaration: Properties = {
        namePrefix: "net",
        name,
        ips: [{ address: "10.253.163.1", prefix: 24 }],
        autostart: true,
    };
    const first = await create(networkHandler, declaration);
    assert.equal(first.id, ownerUuid(ownerOf("Network", declaration)!), "defined with the owner UUID");
    assert.equal(netInfo(name).uuid, first.id);
    // The crash came after the define, before autostart and start.
    virsh(["net-destroy", name]);
    virsh(["net-autostart", name, "--disable"]);
    lines = [];
    const again = await create(networkHandler, declaration);
    assert.equal(again.id, first.id, "the same network, taken over");
    sawLine(/interrupted create of this resource/);
    assert.deepEqual([netInfo(name).active, netInfo(name).autostart], [true, true], "and the job finished");
    assert.deepEqual(listNames("network", `${PREFIX}net`), [name], "no second network");

    // Another resource (another logical name) declaring that name did not define it.
    await rejectsWith(
        create(networkHandler, { ...declaration, namePrefix: "other" }),
        /already exists/,
        /did not define it \(its UUID [0-9a-f-]{36} is not the owner UUID this resource gives its networks\)/,
        /adopt: true/,
    );
    await networkHandler.delete(again.id, again.outs);
    assert.equal(virshMaybe(["net-info", name]), undefined);

    // A network made by hand is refused too, and left as it was.
    defineWithVirsh("net-define", `<network><name>${name}</name><ip address='10.253.163.1' prefix='24'/></network>`);
    const byHand = netInfo(name).uuid;
    await rejectsWith(create(networkHandler, declaration), /did not define it/);
    assert.equal(netInfo(name).uuid, byHand);
    virsh(["net-undefine", name]);
});

test("StoragePool: an interrupted create's pool (defined, never started) is taken over; a namesake is refused", async () => {
    const name = `${PREFIX}pool`;
    const dir = join(workDir, "pool");
    const declaration: Properties = { namePrefix: "pool", name, type: "dir", target: { path: dir } };
    const first = await create(storagePoolHandler, declaration);
    assert.equal(first.id, ownerUuid(ownerOf("StoragePool", declaration)!), "defined with the owner UUID");
    assert.equal(first.outs.built, true);
    virsh(["pool-destroy", name]);
    lines = [];
    const again = await create(storagePoolHandler, declaration);
    assert.equal(again.id, first.id, "the same pool, taken over");
    sawLine(/interrupted create of this resource/);
    assert.match(virsh(["pool-info", name]), /State:\s+running/);
    assert.deepEqual(listNames("pool", `${PREFIX}pool`), [name], "no second pool");

    await rejectsWith(
        create(storagePoolHandler, { ...declaration, namePrefix: "other" }),
        /already exists/,
        /did not define it \(its UUID [0-9a-f-]{36} is not the owner UUID this resource gives its pools\)/,
        /adopt: true/,
    );
    await storagePoolHandler.delete(again.id, again.outs);
    assert.equal(virshMaybe(["pool-info", name]), undefined);

    defineWithVirsh("pool-define", `<pool type='dir'><name>${name}</name><target><path>${dir}</path></target></pool>`);
    await rejectsWith(create(storagePoolHandler, declaration), /did not define it/);
    virsh(["pool-undefine", name]);
});

test("Volume: its automatic name is its record; an unused leftover is made again, one in use is taken over", async () => {
    const pool = `${PREFIX}vpool`;
    const dir = join(workDir, "vpool");
    virsh(["pool-define-as", pool, "dir", "--target", dir]);
    virsh(["pool-build", pool]);
    virsh(["pool-start", pool]);
    const logical = `${PREFIX}disk`;
    const declaration: Properties = { namePrefix: logical, pool, capacity: "4MiB", target: { format: "qcow2" } };
    const first = await create(volumeHandler, declaration);
    // The name a new provider process derives first (a retry after a crash runs in a new one).
    assert.equal(first.outs.name, autoName(logical));
    const inputs = { ...declaration, name: first.outs.name };

    lines = [];
    const again = await volumeHandler.create(await checked(volumeHandler, inputs));
    sawLine(/interrupted create of this resource made .*unused, so it is made again/);
    assert.equal(again.id, first.id);
    assert.deepEqual(
        virsh(["vol-list", pool])
            .split("\n")
            .filter((line) => line.includes(logical))
            .map((line) => line.trim().split(/\s+/)[0]),
        [first.outs.name],
        "one volume",
    );

    // A domain of the crashed run uses it: it was complete, and is taken over as it is.
    const domain = `${PREFIX}vm`;
    const domainXml = join(workDir, "domain.xml");
    writeFileSync(
        domainXml,
        `<domain type='qemu'><name>${domain}</name><memory unit='MiB'>32</memory><os><type>hvm</type></os><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${first.id}'/><target dev='vda' bus='virtio'/></disk></devices></domain>`,
    );
    virsh(["define", domainXml]);
    const path = virsh(["vol-path", String(first.outs.name), "--pool", pool]).trim();
    lines = [];
    const taken = await volumeHandler.create(await checked(volumeHandler, inputs));
    assert.equal(taken.id, path);
    sawLine(/it is in use \(it is a disk of domain\(s\) 'pltest-owner-vm'/);
    virsh(["undefine", domain]);

    // An explicit name is no record: a namesake is refused whoever made it.
    virsh(["vol-create-as", pool, `${PREFIX}byhand`, "1M"]);
    await rejectsWith(
        create(volumeHandler, { ...declaration, name: `${PREFIX}byhand` }),
        /already exists in pool/,
        /this resource did not make it \(its name is not this resource's automatic name\)/,
        /adopt: true/,
    );
    // And another resource's automatic name is not this one's.
    await rejectsWith(
        create(volumeHandler, { ...declaration, namePrefix: "other", name: first.outs.name }),
        /did not make it/,
    );
});

test("CloudInit: its content is its record; the same image is taken over, a half-done upload is made again", async () => {
    const pool = `${PREFIX}cpool`;
    virsh(["pool-define-as", pool, "dir", "--target", join(workDir, "cpool")]);
    virsh(["pool-build", pool]);
    virsh(["pool-start", pool]);
    const declaration: Properties = {
        namePrefix: "seed",
        name: `${PREFIX}seed`,
        pool,
        userData: { runcmd: [["true"]] },
        metaData: { "local-hostname": "owner" },
    };
    const first = await create(cloudInitHandler, declaration);
    lines = [];
    const again = await create(cloudInitHandler, declaration);
    assert.equal(again.id, first.id);
    sawLine(/holding exactly this seed image .*taking it over/);

    // Interrupted mid-upload: the volume exists with other bytes (zeros of the same size).
    const name = String(first.outs.name);
    const zeros = join(workDir, "zeros");
    writeFileSync(zeros, Buffer.alloc(Number(first.outs.size)));
    virsh(["vol-upload", name, zeros, "--pool", pool]);
    lines = [];
    const remade = await create(cloudInitHandler, declaration);
    sawLine(/half-done upload\); uploading again/);
    const copy = join(workDir, "copy.iso");
    virsh(["vol-download", name, copy, "--pool", pool]);
    assert.equal(createHash("sha256").update(readFileSync(copy)).digest("hex"), remade.outs.sha256, "the seed's bytes");

    // Other bytes in use by a domain: refused, left as it is.
    virsh(["vol-upload", name, zeros, "--pool", pool]);
    const domain = `${PREFIX}seedvm`;
    const domainXml = join(workDir, "seed-domain.xml");
    writeFileSync(
        domainXml,
        `<domain type='qemu'><name>${domain}</name><memory unit='MiB'>32</memory><os><type>hvm</type></os><devices><disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='${first.id}'/><target dev='hdc' bus='ide'/><readonly/></disk></devices></domain>`,
    );
    virsh(["define", domainXml]);
    await rejectsWith(create(cloudInitHandler, declaration), /holding other bytes than this seed, and it is in use/);
    virsh(["undefine", domain]);
});

test("DhcpHost and DnsHost: the entry as written is the record; a create finds its own, not another's", async () => {
    const network = `${PREFIX}entries`;
    defineWithVirsh(
        "net-define",
        `<network><name>${network}</name><ip address='10.253.164.1' prefix='24'><dhcp><range start='10.253.164.100' end='10.253.164.200'/></dhcp></ip></network>`,
    );
    virsh(["net-start", network]);
    const reservation: Properties = { namePrefix: "r", network, mac: "52:54:00:16:00:01", ip: "10.253.164.11" };
    const first = await create(dhcpHostHandler, reservation);
    // Interrupted after network update wrote the configuration but not the running network.
    virsh(["net-update", network, "delete", "ip-dhcp-host", "<host mac='52:54:00:16:00:01'/>", "--live"]);
    const again = await create(dhcpHostHandler, reservation);
    assert.equal(again.id, first.id);
    for (const xml of [liveXml(network), configXml(network)]) assert.equal(count(xml, "52:54:00:16:00:01"), 1);
    // A reservation of that MAC with another address is someone else's: refused, nothing changed.
    const before = configXml(network);
    await rejectsWith(
        create(dhcpHostHandler, { ...reservation, namePrefix: "r2", ip: "10.253.164.12" }),
        /MAC 52:54:00:16:00:01/,
    );
    assert.equal(configXml(network), before);

    const record: Properties = { namePrefix: "d", network, ip: "10.253.164.11", hostnames: ["db.lab"] };
    const dns = await create(dnsHostHandler, record);
    const dnsAgain = await create(dnsHostHandler, record);
    assert.equal(dnsAgain.id, dns.id);
    for (const xml of [liveXml(network), configXml(network)]) assert.equal(count(xml, "db.lab"), 1);
    await rejectsWith(create(dnsHostHandler, { ...record, namePrefix: "d2", ip: "10.253.164.13" }), /db\.lab/);

    virsh(["net-destroy", network]);
    virsh(["net-undefine", network]);
});
