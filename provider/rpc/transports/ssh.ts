import { formatHostPort, type LibvirtUri, type SshSettings } from "../uri";
import { probeDaemon } from "./keepalive-probe";
import { spawnTransport } from "./spawn-transport";
import { buildSshInvocation } from "./ssh-command";
import type { OpenTransportOptions, Transport } from "./transport";
import { TransportError } from "./transport-error";

/** Known ssh/remote-shell complaints and what to do about them. */
const SSH_HINTS: ReadonlyArray<readonly [RegExp, string]> = [
    [
        /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i,
        "add the host's key to known_hosts (ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts), " +
            "name another file with ?known_hosts=FILE, or accept new keys with ?no_verify=1",
    ],
    [
        /Permission denied|Too many authentication failures|no such identity|Load key/i,
        "check the user and the key (?keyfile=PATH, or load it into ssh-agent); ?no_tty=1 stops ssh from prompting",
    ],
    [
        /nc: not found|nc: command not found|nc: .*(No such file or directory|Connection refused)|Failed to connect socket|cannot connect to '.*sock'/i,
        "the remote side could not reach libvirtd: install virt-ssh-helper (libvirt's client tools) or OpenBSD netcat " +
            "on the remote host, check that libvirtd runs there, or name the socket with ?socket=PATH",
    ],
    [
        /Could not resolve hostname|Connection refused|Connection timed out|No route to host/i,
        "check the host name and port in the URI and that sshd runs there",
    ],
];

export function sshFailureHint(stderr: string): string {
    for (const [pattern, hint] of SSH_HINTS) if (pattern.test(stderr)) return hint;
    return "run the same ssh command by hand to see why";
}

function destination(settings: SshSettings): string {
    const host = formatHostPort(settings.host, settings.port);
    return settings.user !== undefined ? `${settings.user}@${host}` : host;
}

/** Tunnel through the system `ssh`, as libvirt does, so ~/.ssh/config, agents and ProxyJump apply. */
export function openSsh(uri: LibvirtUri, settings: SshSettings, options?: OpenTransportOptions): Promise<Transport> {
    const invocation = buildSshInvocation(settings, uri.driverUri, options?.readOnly);
    const description = `ssh ${destination(settings)}`;
    const commandLine = [invocation.command, ...invocation.args.slice(0, -1), "'<remote command>'"].join(" ");
    return spawnTransport(
        {
            uri: uri.original,
            transport: "ssh",
            description,
            command: invocation.command,
            args: invocation.args,
            startFailure: (error) =>
                new TransportError(
                    uri.original,
                    "ssh",
                    `cannot open ${uri.original}: cannot run '${invocation.command}' (${error.code ?? error.message}): ` +
                        "install the OpenSSH client or name the ssh binary with ?command=/path/to/ssh",
                    error,
                ),
            exitFailure: (exit, stderr) =>
                new TransportError(
                    uri.original,
                    "ssh",
                    `${description} for ${uri.original} ${exit}` +
                        (stderr ? `: ${stderr}` : " without a message") +
                        ` — ${sshFailureHint(stderr)} (command: ${commandLine})`,
                ),
            ready: (options?.probe ?? true) ? probeDaemon : undefined,
        },
        options,
    );
}
