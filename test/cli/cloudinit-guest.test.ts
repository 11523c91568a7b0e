/**
 * End to end under the real Pulumi engine: a program declares a pool, a qcow2 overlay of the test
 * host's Debian 12 cloud image, a CloudInit seed, an isolated network and a Domain booting the
 * image's kernel (TCG) with the seed as its cdrom and a guest agent channel, waiting for its address
 * through the agent (`waitForIp: { source: "agent" }`: its positive test). Then, through the guest
 * agent only (never the guest's network), cloud-init is seen to have consumed the seed: status done
 * without errors, the instance-id and hostname declared, the user with exactly the declared key, a
 * write_files file, a runcmd marker. The address waitForIp returned is the one the agent reports
 * for the declared MAC and the one dnsmasq leased. A second up changes nothing.
 *
 * The cdrom is on IDE (the pc machine): the Domain model has no `<controller>`, and the SCSI
 * controller libvirt adds by default here is lsilogic, not virtio-scsi; Debian's cloud kernel reads
 * IDE cdroms (DEVELOPERS.md). Times are printed as diagnostics, not asserted.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CloudInit, Domain, Network, StoragePool, Volume } from "pulumi-libvirt";
import { assertCloudInitDone, assertHostname, assertUserWithKeys } from "../helpers/cloud-init-checks";
import { agentCommand, guestExec, guestReadFile } from "../helpers/guest-agent";
import { ed25519PublicKey } from "../helpers/ssh-keys";
import { loadTestHost } from "../helpers/test-host";
import { listNames, virsh } from "../helpers/virsh";
import { type CliScenario, cliScenario, onlySame } from "./harness";

const PREFIX = "pltest-cli-cig";
const DOMAIN = `${PREFIX}-vm`;
const NETWORK = `${PREFIX}-net`;
const SUBNET = "10.253.177";
const MAC = "52:54:00:cc:19:11";
const HOSTNAME = "seeded-guest-01";
const USER = "labuser";
const WRITTEN_PATH = "/etc/pulumi-libvirt/e2e.txt";
const WRITTEN_CONTENT = "written by cloud-init from a CloudInit resource\n";
const RUNCMD_MARKER = "/var/lib/pulumi-libvirt-e2e-runcmd";
/** TCG on two shared cores: boots take 60-110 s, more when the machine is busy. */
const AGENT_TIMEOUT_SECONDS = 900;
const TEST_TIMEOUT_MS = 25 * 60_000;

const KEY = ed25519PublicKey("e2e@pltest");

describe("a CloudInit seed consumed by a real cloud-init guest, under the real Pulumi engine", {
    concurrency: 1,
}, () => {
    let s: CliScenario;
    let consoleLog = "";
    const host = loadTestHost();

    before(() => {
        s = cliScenario(PREFIX, { operationBoundMs: TEST_TIMEOUT_MS - 60_000 });
        consoleLog = join(s.dir, "console.log");
    });
    after(async () => {
        try {
            await s.destroy();
        } finally {
            s.cleanup();
        }
    });

    const program = () => async () => {
        const uri = host.unixUri;
        const pool = new StoragePool("pool", {
            uri,
            name: `${PREFIX}-pool`,
            type: "dir",
            target: { path: `/var/lib/libvirt/${PREFIX}-pool` },
        });
        // The guest writes only into its overlay; the cached image is its read-only backing file.
        const disk = new Volume("disk", {
            uri,
            pool: pool.name,
            name: `${PREFIX}-disk.qcow2`,
            // The image is not a volume of any pool, so libvirt does not know its size: the recipe's 2 GiB.
            capacity: "2GiB",
            backingStore: { path: host.cloudGuestImage, format: "qcow2" },
        });
        const seed = new CloudInit("seed", {
            uri,
            pool: pool.name,
            userData: {
                users: [{ name: USER, shell: "/bin/bash", ssh_authorized_keys: [KEY] }],
                write_files: [{ path: WRITTEN_PATH, content: WRITTEN_CONTENT, permissions: "0644" }],
                runcmd: [["sh", "-c", `echo "runcmd ran on $(hostname)" > ${RUNCMD_MARKER}`]],
            },
            metaData: { "local-hostname": HOSTNAME },
            networkConfig: {
                version: 2,
                ethernets: { lan: { match: { macaddress: MAC }, dhcp4: true, dhcp6: false } },
            },
        });
        // Isolated (no forward): the guest reaches nothing but the bridge's DHCP server.
        const net = new Network("net", {
            uri,
            name: NETWORK,
            bridge: { name: "pltcig0" },
            ips: [
                {
                    address: `${SUBNET}.1`,
                    prefix: 24,
                    dhcp: { ranges: [{ start: `${SUBNET}.100`, end: `${SUBNET}.200` }] },
                },
            ],
        });
        const vm = new Domain("vm", {
            uri,
            name: DOMAIN,
            type: "qemu",
            memory: 512,
            vcpu: 1,
            os: { kernel: host.cloudGuestKernel, initrd: host.cloudGuestInitrd, cmdline: host.cloudGuestCmdline },
            onReboot: "destroy",
            shutdownTimeoutSeconds: 10,
            devices: {
                disks: [
                    { source: { file: disk.path }, target: { dev: "vda", bus: "virtio" }, driver: { type: "qcow2" } },
                    { device: "cdrom", source: { file: seed.path }, target: { dev: "hdc", bus: "ide" } },
                ],
                interfaces: [{ source: { network: net.name }, mac: MAC, model: "virtio" }],
                channels: [{ type: "unix", name: "org.qemu.guest_agent.0" }],
                serials: [{ type: "file", path: consoleLog }],
                memballoon: { model: "none" },
            },
            waitForIp: { source: "agent", timeoutSeconds: AGENT_TIMEOUT_SECONDS },
        });
        return {
            ip: vm.ipAddresses.apply((ips) => ips[0]?.[0]),
            instanceId: seed.instanceId,
            seedPath: seed.path,
            seedSha256: seed.sha256,
        };
    };

    function consoleTail(): string {
        try {
            return readFileSync(consoleLog, "utf8").slice(-3000);
        } catch {
            return "(no console log)";
        }
    }

    let outputs: Record<string, unknown> = {};

    test("up boots the guest from the seed; waitForIp with source agent returns the guest's address", {
        timeout: TEST_TIMEOUT_MS,
    }, async (t) => {
        const started = Date.now();
        let up: Awaited<ReturnType<CliScenario["up"]>>;
        try {
            up = await s.up(program());
        } catch (error) {
            throw new Error(
                `${(error as Error).message}\n--- guest console (last 3000 characters) ---\n${consoleTail()}`,
            );
        }
        t.diagnostic(`up to the agent's address: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        assert.equal(up.result.summary.result, "succeeded");
        assert.deepEqual(up.steps.changes.sort(), [
            "create disk",
            "create net",
            "create pool",
            "create seed",
            "create vm",
        ]);
        outputs = Object.fromEntries(Object.entries(up.result.outputs).map(([k, v]) => [k, v.value]));
        const ip = String(outputs.ip);
        assert.match(ip, new RegExp(`^${SUBNET.replaceAll(".", "\\.")}\\.\\d+$`), `waitForIp returned ${ip}`);
        // The agent reports that address on the declared MAC, and dnsmasq leased it to that MAC.
        const interfaces = agentCommand(DOMAIN, "guest-network-get-interfaces") as {
            "hardware-address"?: string;
            "ip-addresses"?: { "ip-address": string }[];
        }[];
        const nic = interfaces.find((i) => i["hardware-address"] === MAC);
        assert.ok(nic, `an interface with MAC ${MAC}: ${JSON.stringify(interfaces)}`);
        assert.ok(
            nic["ip-addresses"]?.some((a) => a["ip-address"] === ip),
            JSON.stringify(nic),
        );
        assert.match(
            virsh(["net-dhcp-leases", NETWORK]),
            new RegExp(`${MAC}\\s+ipv4\\s+${ip.replaceAll(".", "\\.")}/24`),
        );
        assert.match(virsh(["domblklist", DOMAIN]), new RegExp(`hdc\\s+${String(outputs.seedPath)}`));
    });

    test("cloud-init consumed the seed: status done, no errors, the seed's instance-id, read from the cdrom", {
        timeout: TEST_TIMEOUT_MS,
    }, async (t) => {
        const started = Date.now();
        const wait = await guestExec(DOMAIN, "/usr/bin/cloud-init", ["status", "--wait"], AGENT_TIMEOUT_SECONDS * 1000);
        t.diagnostic(`cloud-init status --wait returned after ${((Date.now() - started) / 1000).toFixed(1)} s more`);
        assert.equal(wait.exitCode, 0, wait.stdout + wait.stderr);
        await assertCloudInitDone(DOMAIN, String(outputs.instanceId));
    });

    test("the hostname is the declared one", { timeout: TEST_TIMEOUT_MS }, async () => {
        await assertHostname(DOMAIN, HOSTNAME);
    });

    test("the declared user exists with exactly the declared key", { timeout: TEST_TIMEOUT_MS }, async () => {
        await assertUserWithKeys(DOMAIN, USER, [KEY]);
    });

    test("the write_files file has its content, and the runcmd ran", { timeout: TEST_TIMEOUT_MS }, async () => {
        assert.equal(guestReadFile(DOMAIN, WRITTEN_PATH), WRITTEN_CONTENT);
        assert.equal(guestReadFile(DOMAIN, RUNCMD_MARKER), `runcmd ran on ${HOSTNAME}\n`);
    });

    test("a second up changes nothing", { timeout: TEST_TIMEOUT_MS }, async () => {
        const again = await s.up(program());
        assert.ok(onlySame(again.result.summary.resourceChanges), JSON.stringify(again.result.summary.resourceChanges));
        assert.equal(again.result.outputs.ip?.value, outputs.ip);
    });

    test("destroy removes the guest, the seed, the overlay, the network and the pool", {
        timeout: TEST_TIMEOUT_MS,
    }, async () => {
        const destroy = await s.destroy();
        assert.equal(destroy.result.summary.result, "succeeded");
        assert.deepEqual(listNames("domain", PREFIX), []);
        assert.deepEqual(listNames("network", PREFIX), []);
        assert.deepEqual(listNames("pool", PREFIX), []);
    });
});
