/**
 * The exact ssh invocation of libvirt 9.0's client (virNetSocketNewConnectSSH with the remote
 * command of virNetClientSSHHelperCommand), as pure functions so it can be tested byte for byte:
 *
 *     ssh [-p PORT] [-l USER] [-i KEYFILE] -T -e none [-o BatchMode=yes]
 *         [-o StrictHostKeyChecking=no] [-o UserKnownHostsFile=FILE] -- HOST REMOTE_COMMAND
 *
 * `-o UserKnownHostsFile` is ours: libvirt honours ?known_hosts= only for libssh/libssh2.
 */
import type { SshSettings } from "../uri";

/** The remote program that relays stdin/stdout to the right local daemon (shipped with recent libvirt). */
export const SSH_HELPER = "virt-ssh-helper";

/** Characters for which libvirt's virBufferEscapeShell quotes a word; anything else stays bare. */
const SHELL_METACHARACTERS = /[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/;

/** libvirt's virBufferEscapeShell: quote with '...' only when needed, ' becomes '\''. */
export function escapeShell(word: string): string {
    if (word === "") return "''";
    if (!SHELL_METACHARACTERS.test(word)) return word;
    return `'${word.replaceAll("'", "'\\''")}'`;
}

/** The remote command passes through two shells (the login shell, then `sh -c`), so escape twice. */
export function escapeShellTwice(word: string): string {
    return escapeShell(escapeShell(word));
}

/**
 * The netcat part: probe whether this nc needs `-q0` to exit at end of input (Debian/SUSE
 * netcat does), then connect to the daemon socket. The socket path is inserted verbatim, as
 * libvirt 9.0 does.
 */
function netcatCommand(netcat: string, socketPath: string): string {
    const nc = escapeShellTwice(netcat);
    return (
        `if '${nc}' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ` +
        "ARG=-q0;" +
        "else " +
        "ARG=;" +
        "fi;" +
        `'${nc}' $ARG -U ${socketPath}`
    );
}

function helperCommand(driverUri: string, readOnly: boolean): string {
    return `${SSH_HELPER}${readOnly ? " -r " : " "}'${escapeShellTwice(driverUri)}'`;
}

/** The command line run on the remote host, chosen by `?proxy=` (see SshSettings.proxy). */
export function buildRemoteCommand(settings: SshSettings, driverUri: string, readOnly = false): string {
    switch (settings.proxy) {
        case "auto":
            return (
                `sh -c 'which ${SSH_HELPER} 1>/dev/null 2>&1; ` +
                "if test $? = 0; then " +
                `    ${helperCommand(driverUri, readOnly)}; ` +
                "else" +
                `    ${netcatCommand(settings.netcat, settings.remoteSocket)}; ` +
                "fi'"
            );
        case "netcat":
            return `sh -c '${netcatCommand(settings.netcat, settings.remoteSocket)}'`;
        case "native":
            return `sh -c '${helperCommand(driverUri, readOnly)}'`;
    }
}

export interface SshInvocation {
    /** The local binary (`?command=`, default "ssh"). */
    readonly command: string;
    readonly args: readonly string[];
}

/** The full local ssh command: options, `--`, host, then the remote command as one argument. */
export function buildSshInvocation(settings: SshSettings, driverUri: string, readOnly = false): SshInvocation {
    const args: string[] = [];
    if (settings.port !== undefined) args.push("-p", String(settings.port));
    if (settings.user !== undefined) args.push("-l", settings.user);
    if (settings.keyfile !== undefined) args.push("-i", settings.keyfile);
    args.push("-T", "-e", "none");
    if (settings.noTty) args.push("-o", "BatchMode=yes");
    if (settings.noVerify) args.push("-o", "StrictHostKeyChecking=no");
    if (settings.knownHosts !== undefined) args.push("-o", `UserKnownHostsFile=${settings.knownHosts}`);
    args.push("--", settings.host, buildRemoteCommand(settings, driverUri, readOnly));
    return { command: settings.command, args };
}
