/**
 * Identity, not names, decides what a delete may touch (issue 11, item 1), against the real
 * libvirtd: each kind's delete removes only the object whose identity it recorded (UUID, volume
 * key, the reservation or record as written) and leaves alone, with a warning, an object that now
 * carries the name but was made or changed by someone else (here: virsh). A `uri` change between
 * two spellings of one daemon (qemu:///system and qemu+tcp://127.0.0.1/system) is an update that
 * keeps the guest; one to another daemon is a replacement, delete first when the name is explicit.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { dhcpHostHandler } from "../../../provider/resources/dhcp-host/handler";
import { dnsHostHandler } from "../../../provider/resources/dns-host/handler";
import { networkHandler } from "../../../provider/resources/network/handler";
import type { Properties } from "../../../provider/resources/shared/handler";
import { storagePoolHandler } from "../../../provider/resources/storage-pool/handler";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { defaultPool } from "../../../provider/rpc";
import { loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";
import { captureLog, createChecked, handler as domainHandler, qemuPid, updateChecked } from "./domain-helpers";
import { checked, configXml, liveXml, virshNetwork } from "./network-helpers";

const PREFIX = "pltest-ident-";
const host = loadTestHost();
/** A URI that reaches no daemon: nothing listens on port 1. */
const NOWHERE = "qemu+tcp://127.0.0.1:1/system";
const folders: string[] = [];

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
    await defaultPool.closeAll();
});

function leftAloneWarning(lines: readonly string[], what: RegExp): void {
    assert.ok(
        lines.some((line) => line.startsWith("warning") && /left alone/.test(line) && what.test(line)),
        `no "left alone" warning matching ${what}:\n${lines.join("\n")}`,
    );
}

function folder(name: string): string {
    const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${name}-`));
    folders.push(dir);
    return dir;
}

describe("Domain", { timeout: 120_000 }, () => {
    const name = `${PREFIX}vm`;
    const declaration = { name, type: "qemu", memory: 64, shutdownTimeoutSeconds: 1 };

    test("a uri change to another spelling of the same daemon is an update: same guest, same QEMU process", async () => {
        const { id, outs, inputs } = await createChecked({ ...declaration, uri: host.unixUri });
        const pid = qemuPid(name);
        assert.ok(pid, "the guest runs");
        const { result, lines } = await captureLog(() =>
            updateChecked(id, inputs, outs, { ...declaration, uri: host.tcpUri }),
        );
        assert.deepEqual(result.diff, { changes: true }, "no replacement");
        assert.ok(
            lines.some((line) => /uri: .* \(another URI of the same libvirt daemon: both reach/.test(line)),
            lines.join("\n"),
        );
        assert.equal(result.outs.uri, host.tcpUri, "the new URI is recorded");
        assert.equal(result.outs.uuid, id);
        assert.equal(qemuPid(name), pid, "the guest kept running in the same QEMU process");

        // Another daemon (one that cannot even be reached): a replacement, and the explicit name deletes first.
        const diff = await domainHandler.diff(
            id,
            result.outs,
            (await domainHandler.check(inputs, { ...declaration, uri: NOWHERE })).inputs!,
        );
        assert.deepEqual(diff.replaces, ["uri"]);
        assert.equal(diff.deleteBeforeReplace, true);
        await domainHandler.delete(id, result.outs);
        assert.equal(virshMaybe(["dominfo", name]), undefined);
    });

    test("delete leaves alone a domain of its name with another UUID", async () => {
        const { id, outs } = await createChecked({ ...declaration, running: false });
        virsh(["undefine", name]);
        const dir = folder("dom");
        writeFileSync(
            join(dir, "d.xml"),
            `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`,
        );
        virsh(["define", join(dir, "d.xml")]);
        const other = virsh(["domuuid", name]).trim();
        assert.notEqual(other, id);

        const { lines } = await captureLog(() => domainHandler.delete(id, outs));
        leftAloneWarning(lines, new RegExp(`UUID ${other}, not ${id}`));
        assert.equal(virsh(["domuuid", name]).trim(), other, "the other domain still exists");
    });
});

describe("Network and StoragePool", { timeout: 60_000 }, () => {
    test("a network's delete leaves alone a network of its name with another UUID", async () => {
        const name = `${PREFIX}net`;
        const created = await networkHandler.create(
            await checked(networkHandler, { name, ips: [{ address: "10.253.157.1", prefix: 24 }] }),
        );
        virsh(["net-destroy", name]);
        virsh(["net-undefine", name]);
        virshNetwork(name, "10.253.158");
        const other = virsh(["net-uuid", name]).trim();

        const { lines } = await captureLog(() => networkHandler.delete(created.id, created.outs as Properties));
        leftAloneWarning(lines, new RegExp(`UUID ${other}, not ${created.id}`));
        assert.equal(virsh(["net-uuid", name]).trim(), other, "the other network still exists");
    });

    test("a pool's delete leaves alone a pool of its name with another UUID", async () => {
        const name = `${PREFIX}pool`;
        const created = await storagePoolHandler.create(
            await checked(storagePoolHandler, { name, type: "dir", target: { path: folder("pool-a") } }),
        );
        virsh(["pool-destroy", name]);
        virsh(["pool-undefine", name]);
        virsh(["pool-define-as", name, "dir", "--target", folder("pool-b")]);
        const other = virsh(["pool-uuid", name]).trim();

        const { lines } = await captureLog(() => storagePoolHandler.delete(created.id, created.outs as Properties));
        leftAloneWarning(lines, new RegExp(`UUID ${other}, not ${created.id}`));
        assert.equal(virsh(["pool-uuid", name]).trim(), other, "the other pool still exists");
    });
});

describe("Volume", { timeout: 60_000 }, () => {
    test("delete leaves alone a volume of its name with another key (its pool now lives elsewhere)", async () => {
        const pool = `${PREFIX}volpool`;
        const first = folder("vol-a");
        virsh(["pool-define-as", pool, "dir", "--target", first]);
        virsh(["pool-start", pool]);
        const created = await volumeHandler.create(
            await checked(volumeHandler, { name: "disk", pool, capacity: 1, target: { format: "raw" } }),
        );
        assert.equal(created.id, join(first, "disk"));

        // The pool is redefined on another folder, where someone makes a volume of the same name.
        virsh(["pool-destroy", pool]);
        virsh(["pool-undefine", pool]);
        const second = folder("vol-b");
        virsh(["pool-define-as", pool, "dir", "--target", second]);
        virsh(["pool-start", pool]);
        virsh(["vol-create-as", pool, "disk", "1M"]);

        const { lines } = await captureLog(() => volumeHandler.delete(created.id, created.outs as Properties));
        leftAloneWarning(lines, new RegExp(`key ${join(second, "disk")}, not ${created.id}`));
        assert.equal(virsh(["vol-path", "--pool", pool, "disk"]).trim(), join(second, "disk"), "still there");
        virsh(["vol-delete", "--pool", pool, "disk"]);
    });
});

describe("DhcpHost and DnsHost", { timeout: 60_000 }, () => {
    const net = `${PREFIX}entries`;
    before(() => virshNetwork(net, "10.253.159"));

    test("a reservation changed by someone else (same MAC, other address) is left alone; an unchanged one goes", async () => {
        const mine = await dhcpHostHandler.create(
            await checked(dhcpHostHandler, { network: net, mac: "52:54:00:5f:00:01", ip: "10.253.159.11" }),
        );
        const untouched = await dhcpHostHandler.create(
            await checked(dhcpHostHandler, { network: net, mac: "52:54:00:5f:00:02", ip: "10.253.159.12" }),
        );
        virsh([
            "net-update",
            net,
            "modify",
            "ip-dhcp-host",
            "<host mac='52:54:00:5f:00:01' ip='10.253.159.21'/>",
            "--live",
            "--config",
        ]);

        const { lines } = await captureLog(() => dhcpHostHandler.delete(mine.id, mine.outs as Properties));
        leftAloneWarning(lines, /ip="10\.253\.159\.21".*not.*ip="10\.253\.159\.11"/);
        for (const xml of [liveXml(net), configXml(net)]) assert.match(xml, /52:54:00:5f:00:01' ip='10\.253\.159\.21'/);

        await dhcpHostHandler.delete(untouched.id, untouched.outs as Properties);
        for (const xml of [liveXml(net), configXml(net)]) assert.doesNotMatch(xml, /52:54:00:5f:00:02/);
    });

    test("a DNS record re-made by someone else (same address, other names) is left alone", async () => {
        const mine = await dnsHostHandler.create(
            await checked(dnsHostHandler, { network: net, ip: "10.253.159.50", hostnames: ["db.lab"] }),
        );
        const record = (hostname: string) => `<host ip='10.253.159.50'><hostname>${hostname}</hostname></host>`;
        virsh(["net-update", net, "delete", "dns-host", record("db.lab"), "--live", "--config"]);
        virsh(["net-update", net, "add", "dns-host", record("cache.lab"), "--live", "--config"]);

        const { lines } = await captureLog(() => dnsHostHandler.delete(mine.id, mine.outs as Properties));
        leftAloneWarning(lines, /cache\.lab.*not.*db\.lab/);
        for (const xml of [liveXml(net), configXml(net)]) assert.match(xml, /<hostname>cache\.lab<\/hostname>/);
    });
});
