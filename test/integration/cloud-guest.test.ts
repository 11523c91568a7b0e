/**
 * The test host's cloud-init guest (scripts/build-cloud-guest.sh) boots under TCG from a qcow2
 * overlay of the cached image, finds a NoCloud seed made by our own ISO writer on a cdrom, and
 * applies it. Everything is checked from inside the guest through the QEMU guest agent, never over
 * the guest's network: the hostname, the user and exactly its keys, a write_files file, a runcmd,
 * vendor-data and network-config, `cloud-init status`, and the guest kernel's own view of the seed
 * (its file names as the kernel's isofs shows them). With the agent there, a DomainSnapshot with
 * quiesce: the agent freezes and thaws the file systems around an external snapshot.
 *
 * Times (start to agent, start to cloud-init done) are printed as diagnostics, not asserted.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildNoCloudSeed, type NoCloudSeed } from "../../provider/cloudinit";
import { seedErrors } from "../../provider/cloudinit/seed-checks";
import { domainSnapshotHandler } from "../../provider/resources/domain-snapshot/handler";
import { defaultPool } from "../../provider/rpc";
import { assertCloudInitDone, assertHostname, assertUserWithKeys } from "../helpers/cloud-init-checks";
import { agentCommand, guestExec, guestReadFile, waitForAgent } from "../helpers/guest-agent";
import { ed25519PublicKey } from "../helpers/ssh-keys";
import { loadTestHost } from "../helpers/test-host";
import { removeTestObjects, virsh } from "../helpers/virsh";

const PREFIX = "pltest-cloudguest-";
const DOMAIN = `${PREFIX}vm`;
const NETWORK = `${PREFIX}net`;
const MAC = "52:54:00:cc:19:01";
const SUBNET = "10.253.190";
const HOSTNAME = "cloud-guest-01";
const USER = "labuser";
const WRITTEN_PATH = "/etc/pulumi-libvirt/seed-check.txt";
const WRITTEN_CONTENT = "written by cloud-init from a pulumi-libvirt seed\nsecond line\n";
const RUNCMD_MARKER = "/var/lib/pulumi-libvirt-runcmd";
const VENDOR_MARKER = "/run/pulumi-libvirt-vendor-bootcmd";
/** TCG on two shared cores: booting and running cloud-init take minutes when the machine is busy. */
const BOOT_TIMEOUT_MS = 10 * 60_000;
const CLOUD_INIT_TIMEOUT_MS = 10 * 60_000;
/** Longer than npm test's default per-test timeout (5 min): set on the boot hook and each test. */
const FILE_TIMEOUT_MS = 25 * 60_000;

const KEYS = [ed25519PublicKey("first@pltest"), ed25519PublicKey("second@pltest")];

const SEED_INPUT = {
    userData: {
        users: [{ name: USER, shell: "/bin/bash", ssh_authorized_keys: KEYS }],
        write_files: [{ path: WRITTEN_PATH, content: WRITTEN_CONTENT, permissions: "0644" }],
        runcmd: [["sh", "-c", `echo "runcmd ran on $(hostname)" > ${RUNCMD_MARKER}`]],
    },
    metaData: { "local-hostname": HOSTNAME },
    networkConfig: { version: 2, ethernets: { lan: { match: { macaddress: MAC }, dhcp4: true, dhcp6: false } } },
    vendorData: { bootcmd: [["sh", "-c", `echo vendor-data > ${VENDOR_MARKER}`]] },
};

let workDir = "";
let seed: NoCloudSeed;
let imageBefore: { size: number; mtimeMs: number } | undefined;
let cachedImage = "";
const timings: Record<string, number> = {};

function networkXml(): string {
    // Isolated (no <forward>): the guest can reach nothing but the bridge's DHCP server.
    return `<network><name>${NETWORK}</name><bridge name='pltcg0'/>
  <ip address='${SUBNET}.1' netmask='255.255.255.0'><dhcp><range start='${SUBNET}.100' end='${SUBNET}.200'/></dhcp></ip>
</network>`;
}

function domainXml(
    host: ReturnType<typeof loadTestHost>,
    overlay: string,
    seedPath: string,
    consoleLog: string,
): string {
    return `<domain type='qemu'>
  <name>${DOMAIN}</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>${host.cloudGuestKernel}</kernel>
    <initrd>${host.cloudGuestInitrd}</initrd>
    <cmdline>${host.cloudGuestCmdline}</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${overlay}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='scsi' model='virtio-scsi'/>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='${seedPath}'/>
      <target dev='sda' bus='scsi'/>
      <readonly/>
    </disk>
    <interface type='network'>
      <source network='${NETWORK}'/>
      <mac address='${MAC}'/>
      <model type='virtio'/>
    </interface>
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <serial type='file'><source path='${consoleLog}'/></serial>
    <console type='file'><source path='${consoleLog}'/></console>
    <memballoon model='none'/>
  </devices>
</domain>`;
}

before(
    async () => {
        const host = loadTestHost();
        cachedImage = host.cloudGuestImage;
        removeTestObjects(PREFIX);
        assert.deepEqual(seedErrors(SEED_INPUT), [], "the test's own seed passes the checks");
        seed = buildNoCloudSeed(SEED_INPUT);

        workDir = mkdtempSync("/var/tmp/pltest-cloudguest-");
        const overlay = join(workDir, "overlay.qcow2");
        const seedPath = join(workDir, "seed.iso");
        const consoleLog = join(workDir, "console.log");
        writeFileSync(seedPath, seed.image);
        const stat = statSync(cachedImage);
        imageBefore = { size: stat.size, mtimeMs: stat.mtimeMs };
        // The guest writes only into its overlay; QEMU opens the backing image read-only.
        execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", cachedImage, overlay]);

        writeFileSync(join(workDir, "net.xml"), networkXml());
        virsh(["net-create", join(workDir, "net.xml")]);
        writeFileSync(join(workDir, "domain.xml"), domainXml(host, overlay, seedPath, consoleLog));
        virsh(["define", join(workDir, "domain.xml")]);

        const started = Date.now();
        virsh(["start", DOMAIN]);
        try {
            await waitForAgent(DOMAIN, BOOT_TIMEOUT_MS);
            timings.agentMs = Date.now() - started;
            const status = await guestExec(DOMAIN, "/usr/bin/cloud-init", ["status", "--wait"], CLOUD_INIT_TIMEOUT_MS);
            timings.cloudInitMs = Date.now() - started;
            timings.cloudInitExit = status.exitCode;
        } catch (error) {
            let consoleTail = "";
            try {
                consoleTail = readFileSync(consoleLog, "utf8").slice(-3000);
            } catch {}
            throw new Error(
                `${(error as Error).message}\n--- guest console (last 3000 characters) ---\n${consoleTail}`,
            );
        }
    },
    { timeout: FILE_TIMEOUT_MS },
);

after(() => {
    removeTestObjects(PREFIX);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test("the guest boots and its agent answers; cloud-init finishes: status done, no errors, the seed read from the cdrom", {
    timeout: FILE_TIMEOUT_MS,
}, async (t) => {
    t.diagnostic(`start -> guest agent answers: ${(timings.agentMs! / 1000).toFixed(1)} s`);
    t.diagnostic(`start -> cloud-init done: ${(timings.cloudInitMs! / 1000).toFixed(1)} s`);
    await assertCloudInitDone(DOMAIN, seed.instanceId);
});

test("the guest kernel shows the seed as iso9660 labelled cidata with the exact lower-case file names", {
    timeout: FILE_TIMEOUT_MS,
}, async () => {
    const blkid = await guestExec(DOMAIN, "/sbin/blkid", ["-o", "export", "/dev/sr0"]);
    assert.match(blkid.stdout, /^LABEL=cidata$/m);
    assert.match(blkid.stdout, /^TYPE=iso9660$/m);
    // Mounted by default, the kernel reads Rock Ridge (file modes 444 come from its PX entries);
    // with norock it reads Joliet (no modes: the mount's default 555). Both show the same names.
    const mountAndList = (options: string) =>
        guestExec(DOMAIN, "/bin/sh", [
            "-c",
            `mkdir -p /run/seed-check && mount -t iso9660 -o ${options} /dev/sr0 /run/seed-check && ls -1 /run/seed-check && stat -c %a /run/seed-check/user-data && cat /run/seed-check/meta-data; umount /run/seed-check`,
        ]);
    const names = ["meta-data", "network-config", "user-data", "vendor-data"].join("\n");
    const rockRidge = await mountAndList("ro");
    assert.equal(rockRidge.exitCode, 0, rockRidge.stderr);
    assert.equal(rockRidge.stdout, `${names}\n444\n${seed.documents["meta-data"]}`);
    const joliet = await mountAndList("ro,norock");
    assert.equal(joliet.exitCode, 0, joliet.stderr);
    assert.equal(joliet.stdout, `${names}\n555\n${seed.documents["meta-data"]}`);
});

test("the hostname is the declared one", { timeout: FILE_TIMEOUT_MS }, async () => {
    await assertHostname(DOMAIN, HOSTNAME);
});

test("the declared user exists with exactly the declared authorized keys", { timeout: FILE_TIMEOUT_MS }, async () => {
    await assertUserWithKeys(DOMAIN, USER, KEYS);
});

test("the write_files file has its content, and the runcmd ran", { timeout: FILE_TIMEOUT_MS }, async () => {
    assert.equal(guestReadFile(DOMAIN, WRITTEN_PATH), WRITTEN_CONTENT);
    assert.equal(guestReadFile(DOMAIN, RUNCMD_MARKER), `runcmd ran on ${HOSTNAME}\n`);
    assert.equal(guestReadFile(DOMAIN, VENDOR_MARKER), "vendor-data\n", "vendor-data's bootcmd ran too");
});

test("the NIC got its DHCP lease on the declared network config, with no IPv6 address", {
    timeout: FILE_TIMEOUT_MS,
}, async () => {
    const interfaces = agentCommand(DOMAIN, "guest-network-get-interfaces") as {
        name: string;
        "hardware-address"?: string;
        "ip-addresses"?: { "ip-address-type": string; "ip-address": string }[];
    }[];
    const nic = interfaces.find((i) => i["hardware-address"] === MAC);
    assert.ok(nic, `an interface with MAC ${MAC}: ${JSON.stringify(interfaces)}`);
    const addresses = nic["ip-addresses"] ?? [];
    assert.deepEqual(
        addresses.map((a) => a["ip-address-type"]),
        ["ipv4"],
    );
    assert.ok(addresses[0]!["ip-address"].startsWith(`${SUBNET}.`), addresses[0]!["ip-address"]);
    // libvirt's dnsmasq handed that lease out: cross-checked on the host side.
    assert.match(
        virsh(["net-dhcp-leases", NETWORK]),
        new RegExp(`${MAC}\\s+ipv4\\s+${addresses[0]!["ip-address"].replaceAll(".", "\\.")}/24`),
    );
    // The lease came from the seed's network-config (matched by MAC), rendered for systemd-networkd.
    const rendered = await guestExec(DOMAIN, "/bin/sh", ["-c", "cat /etc/systemd/network/10-cloud-init-*.network"]);
    assert.match(rendered.stdout, new RegExp(`^MACAddress=${MAC}$`, "im"), rendered.stdout);
    assert.match(rendered.stdout, /^DHCP=ipv4$/m, rendered.stdout);
    // Nothing but DHCP: no name server to query (the image's resolv.conf names none).
    assert.doesNotMatch(guestReadFile(DOMAIN, "/etc/resolv.conf"), /^\s*nameserver/m);
});

test("a quiesced external snapshot (DomainSnapshot quiesce: true): the agent froze and thawed the guest's file systems; delete merged it back", {
    timeout: FILE_TIMEOUT_MS,
}, async () => {
    const overlay = join(workDir, "quiesced.qcow2");
    const checked = await domainSnapshotHandler.check(
        {},
        {
            namePrefix: `${PREFIX}quiesced`,
            domain: DOMAIN,
            kind: "external",
            quiesce: true,
            disks: [
                { target: "vda", overlay },
                { target: "sda", exclude: true },
            ],
        },
    );
    assert.deepEqual(checked.failures ?? [], []);
    try {
        const { id, outs } = await domainSnapshotHandler.create(checked.inputs!);
        assert.equal(outs.state, "disk-snapshot");
        assert.deepEqual(outs.files, [overlay]);
        assert.equal(agentCommand(DOMAIN, "guest-fsfreeze-status"), "thawed", "thawed after the snapshot");
        const journal = await guestExec(DOMAIN, "/usr/bin/journalctl", [
            "-u",
            "qemu-guest-agent",
            "--no-pager",
            "-o",
            "cat",
        ]);
        assert.match(journal.stdout, /guest-fsfreeze called/, "the agent froze the file systems");
        await domainSnapshotHandler.delete(id, outs);
        assert.equal(existsSync(overlay), false, "merged back and removed");
        assert.match(virsh(["domblklist", DOMAIN]), /vda\s+\S*overlay\.qcow2/, "the guest is back on its own overlay");
    } finally {
        await defaultPool.closeAll();
    }
});

test("the cached image was not written", () => {
    const stat = statSync(cachedImage);
    assert.deepEqual({ size: stat.size, mtimeMs: stat.mtimeMs }, imageBefore);
});
