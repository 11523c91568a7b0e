/**
 * A shell on a guest's serial console, reached through a UNIX socket chardev (`<serial type='unix'>
 * <source mode='bind' path=.../>`): the tiny guest booted with `rdinit=/bin/busybox -- sh` runs
 * busybox's shell as PID 1 on ttyS0, so a test can type commands and read their output without
 * any network. Each command ends with an `echo` of a numbered token computed by the shell (the
 * echoed input shows the expression, only the output shows its value), which says where the
 * command's output ends.
 */
import { connect, type Socket } from "node:net";

/** Kernel command line that makes the tiny guest's initramfs run busybox's shell on the console. */
export const SHELL_CMDLINE = "console=ttyS0 rdinit=/bin/busybox -- sh";

/** Commands that give the shell busybox's applets, /proc, /dev and the virtio disk driver. */
export const PREPARE_DISK_COMMANDS = [
    "/bin/busybox --install -s /bin",
    "mount -t proc proc /proc; mount -t devtmpfs devtmpfs /dev",
    // Kernel messages (a loaded driver, dropped caches) would land in the middle of command output.
    "dmesg -n 1",
    "for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do insmod /lib/modules/$m.ko; done",
];

/**
 * After PREPARE_DISK_COMMANDS: short shell functions that write a marker into the virtio disk's
 * first block (`wr TEXT`) and read it back past the page cache (`rd`).
 */
export const BLOCK_MARKER_COMMANDS = [
    "wr() { echo $1 | dd of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null; }",
    "rd() { echo 3 >/proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 count=1 2>/dev/null | head -n 1; }",
];

/**
 * A type qemu tiny guest whose console is a shell on a UNIX socket (SerialShell.open) and whose
 * only disk is the qcow2 file `disk` as vda.
 */
export function shellGuestXml(o: {
    name: string;
    kernel: string;
    initrd: string;
    disk: string;
    consoleSocket: string;
}): string {
    return `<domain type='qemu'><name>${o.name}</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><kernel>${o.kernel}</kernel><initrd>${o.initrd}</initrd>
<cmdline>${SHELL_CMDLINE}</cmdline></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${o.disk}'/>
<target dev='vda' bus='virtio'/></disk>
<serial type='unix'><source mode='bind' path='${o.consoleSocket}'/></serial><memballoon model='none'/></devices></domain>`;
}

export class SerialShell {
    private output = "";
    private counter = 0;

    private constructor(private readonly socket: Socket) {
        socket.on("data", (chunk: Buffer) => {
            this.output += chunk.toString("latin1");
        });
    }

    /** Connects to the console socket (retrying while QEMU has not created it yet). */
    static async open(path: string, timeoutMs = 20_000): Promise<SerialShell> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            try {
                const socket = await new Promise<Socket>((resolve, reject) => {
                    const s = connect(path);
                    s.once("connect", () => resolve(s));
                    s.once("error", reject);
                });
                socket.on("error", () => undefined);
                return new SerialShell(socket);
            } catch (error) {
                if (Date.now() > deadline) throw new Error(`cannot reach the guest console at ${path}: ${error}`);
                await new Promise((resolve) => setTimeout(resolve, 250));
            }
        }
    }

    /**
     * Runs a command and returns its output (the lines between the echoed command and the token).
     * Fails after `timeoutMs` with the console's last output.
     */
    async run(command: string, timeoutMs = 30_000): Promise<string> {
        const n = ++this.counter;
        const token = `END${n}X${7000 + n}`;
        const start = this.output.length;
        this.socket.write(`${command}; echo END${n}X$((7000+${n}))\n`);
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const seen = this.output.slice(start);
            const end = seen.indexOf(token);
            if (end >= 0) {
                // biome-ignore lint/suspicious/noControlCharactersInRegex: the line editor's escape sequences are removed
                const text = seen.slice(0, end).replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
                // The first line is the shell echoing what was typed (keep commands short: the line
                // editor wraps a long one over several lines).
                return text.split(/\r?\n/).slice(1).join("\n").replaceAll("\r", "");
            }
            if (Date.now() > deadline) {
                throw new Error(`the guest did not finish \`${command}\`; console: ${this.output.slice(-800)}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }

    /** Waits until the shell answers (the guest has booted). */
    async waitReady(timeoutMs = 90_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            try {
                await this.run("true", 3_000);
                return;
            } catch (error) {
                if (Date.now() > deadline) throw error;
            }
        }
    }

    close(): void {
        this.socket.destroy();
    }
}
