/**
 * The libvirt test host that scripts/setup-test-host.sh prepares: where to reach its libvirtd over
 * each transport, its credentials, the tiny guest, and the script's libvirtd subcommands (for the
 * reconnection tests).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function findProjectRoot(start: string): string {
    let folder = start;
    while (!existsSync(join(folder, "package.json"))) {
        const parent = dirname(folder);
        if (parent === folder) throw new Error(`no package.json in any folder above ${start}`);
        folder = parent;
    }
    return folder;
}

/** The repository root: the nearest folder above this file holding package.json (works from dist too). */
export const PROJECT_ROOT = findProjectRoot(__dirname);
/** The read-only reference folder checked out beside the repository. */
export const SHARED_DIR = join(PROJECT_ROOT, "..", "shared");

/** The private folder the setup script keeps everything in. */
export const TEST_HOST_DIR = "/var/lib/pulumi-libvirt-testhost";
export const HOST_JSON_PATH = join(TEST_HOST_DIR, "host.json");
export const SETUP_SCRIPT = join(PROJECT_ROOT, "scripts", "setup-test-host.sh");

const NOT_SET_UP = "test host is not set up: run `sudo bash scripts/setup-test-host.sh` (npm test does this)";

/** host.json as written by scripts/setup-test-host.sh. */
export interface TestHost {
    /** qemu:///system over the UNIX socket. */
    unixUri: string;
    unixSocket: string;
    /** Plain TCP on 127.0.0.1:16509, auth none. */
    tcpUri: string;
    /** TLS on 127.0.0.1:16514 with `?pkipath=` pointing at `pkiPath`. */
    tlsUri: string;
    /** Holds cacert.pem, clientcert.pem and clientkey.pem. */
    pkiPath: string;
    /**
     * qemu+ssh:// to the loopback sshd, with `keyfile=` and `known_hosts=`. libvirt's own plain
     * ssh transport ignores `known_hosts=`; for virsh append `&command=` + `sshCommand`.
     */
    sshUri: string;
    sshPort: number;
    /** ed25519 private key without passphrase, authorised for root. */
    sshKey: string;
    /** known_hosts with the sshd's host key for [127.0.0.1]:sshPort and [localhost]:sshPort. */
    knownHosts: string;
    /** An ssh wrapper pinned to knownHosts, for libvirt's `?command=` (virsh cross-checks). */
    sshCommand: string;
    libvirtdConf: string;
    libvirtdPidFile: string;
    libvirtdLog: string;
    /** False when a libvirtd not started by the script was running: then restarts are refused. */
    libvirtdManaged: boolean;
    /** Direct-boot kernel and initramfs of the tiny guest (DHCP on eth0, prints its address to ttyS0). */
    guestKernel: string;
    guestInitrd: string;
    /**
     * The cloud-init guest (scripts/build-cloud-guest.sh): a Debian 12 qcow2 image with cloud-init
     * (NoCloud from a cdrom labelled cidata), the guest agent and sshd, booted directly with this
     * kernel, initrd and command line. Boot qcow2 overlays of it; never write the image itself.
     */
    cloudGuestImage: string;
    cloudGuestKernel: string;
    cloudGuestInitrd: string;
    cloudGuestCmdline: string;
    /** Whether /dev/kvm exists and answers; guests that must boot should use type='qemu' anyway. */
    kvm: boolean;
    /** The Pulumi CLI built from its Go module (tools/pulumi-cli pins the version). */
    pulumiCli: string;
    pulumiCliVersion: string;
}

const STRING_FIELDS = [
    "unixUri",
    "unixSocket",
    "tcpUri",
    "tlsUri",
    "pkiPath",
    "sshUri",
    "sshKey",
    "knownHosts",
    "sshCommand",
    "libvirtdConf",
    "libvirtdPidFile",
    "libvirtdLog",
    "guestKernel",
    "guestInitrd",
    "cloudGuestImage",
    "cloudGuestKernel",
    "cloudGuestInitrd",
    "cloudGuestCmdline",
    "pulumiCli",
    "pulumiCliVersion",
] as const;
const BOOLEAN_FIELDS = ["libvirtdManaged", "kvm"] as const;

/** Fails, naming the file and the fix, when the tiny guest's kernel or initrd is missing (a booting test's first check). */
export function assertTinyGuest(host: TestHost): void {
    for (const file of [host.guestKernel, host.guestInitrd]) {
        if (!existsSync(file)) throw new Error(`the tiny guest is missing (${file}): run scripts/setup-test-host.sh`);
    }
}

/** Reads host.json; throws a message saying how to set the host up when it is missing or incomplete. */
export function loadTestHost(): TestHost {
    let text: string;
    try {
        text = readFileSync(HOST_JSON_PATH, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw new Error(`${NOT_SET_UP} (${HOST_JSON_PATH} is missing)`);
        if (code === "EACCES") throw new Error(`cannot read ${HOST_JSON_PATH}: the tests run as root (sudo npm test)`);
        throw error;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        throw new Error(`${NOT_SET_UP} (${HOST_JSON_PATH} is not valid JSON: ${(error as Error).message})`);
    }
    if (typeof parsed !== "object" || parsed === null)
        throw new Error(`${NOT_SET_UP} (${HOST_JSON_PATH} is not an object)`);
    const record = parsed as Record<string, unknown>;
    // An older or half-written host.json would otherwise surface as a confusing failure deep in a test.
    const wrong = [
        ...STRING_FIELDS.filter((key) => typeof record[key] !== "string"),
        ...BOOLEAN_FIELDS.filter((key) => typeof record[key] !== "boolean"),
        ...(Number.isInteger(record.sshPort) ? [] : ["sshPort"]),
    ];
    if (wrong.length > 0) throw new Error(`${NOT_SET_UP} (${HOST_JSON_PATH} lacks or mistypes: ${wrong.join(", ")})`);
    return record as unknown as TestHost;
}

/** Runs one subcommand of the setup script and returns its output; throws with that output on failure. */
function runSetupScript(subcommand: string): string {
    try {
        return execFileSync("bash", [SETUP_SCRIPT, subcommand], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            // The first libvirtd start probes QEMU (seconds); the script itself gives up after ~100 s.
            timeout: 180_000,
        });
    } catch (error) {
        const e = error as {
            status?: number | null;
            signal?: string | null;
            stdout?: string;
            stderr?: string;
            message: string;
        };
        const how = e.signal ? `killed by ${e.signal}` : `exit ${e.status ?? "?"}`;
        const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim() || e.message;
        throw new Error(`scripts/setup-test-host.sh ${subcommand} failed (${how}):\n${output}`);
    }
}

/** Stops the libvirtd the setup script started and starts it again the same way, waiting until it answers. */
export function restartLibvirtd(): string {
    return runSetupScript("restart-libvirtd");
}

/** Stops the libvirtd the setup script started (guests keep running; a restarted libvirtd reattaches). */
export function stopLibvirtd(): string {
    return runSetupScript("stop-libvirtd");
}

/** Starts the setup script's libvirtd again, waiting until UNIX, TCP and TLS answer. */
export function startLibvirtd(): string {
    return runSetupScript("start-libvirtd");
}

/** Whether process `pid` still runs (a zombie, killed and not yet reaped, does not). */
function processRuns(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        return state !== "Z" && state !== "X";
    } catch {
        return false;
    }
}

/**
 * Kills the setup script's libvirtd with SIGKILL, as a crash would (no cleanup; connections drop
 * with calls in flight; guests and dnsmasq keep running), and returns once it is gone. Bring it
 * back with `startLibvirtd()` at once: the daemon is shared with every other test.
 */
export function killLibvirtd(): number {
    const host = loadTestHost();
    if (!host.libvirtdManaged)
        throw new Error("the running libvirtd was not started by scripts/setup-test-host.sh: a test may not kill it");
    const pid = Number(readFileSync(host.libvirtdPidFile, "utf8").trim());
    let command: string[];
    try {
        command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
        throw new Error(`libvirtd is not running (no process ${pid} from ${host.libvirtdPidFile})`);
    }
    if (!command.includes(host.libvirtdConf))
        throw new Error(
            `process ${pid} from ${host.libvirtdPidFile} is not the setup script's libvirtd: not killing it`,
        );
    process.kill(pid, "SIGKILL");
    // The script's start-libvirtd sees a dying daemon as running: wait until it is gone (milliseconds).
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 10_000;
    while (processRuns(pid)) {
        if (Date.now() > deadline) throw new Error(`libvirtd ${pid} still runs 10 s after SIGKILL`);
        Atomics.wait(pause, 0, 0, 10);
    }
    return pid;
}
