import type { ExtSettings, LibvirtUri } from "../uri";
import { probeDaemon } from "./keepalive-probe";
import { spawnTransport } from "./spawn-transport";
import type { OpenTransportOptions, Transport } from "./transport";
import { TransportError } from "./transport-error";

/** Run `?command=` locally (without arguments, as libvirt does) and speak the protocol over its stdio. */
export function openExt(uri: LibvirtUri, settings: ExtSettings, options?: OpenTransportOptions): Promise<Transport> {
    const description = `ext command ${settings.command}`;
    return spawnTransport(
        {
            uri: uri.original,
            transport: "ext",
            description,
            command: settings.command,
            args: [],
            startFailure: (error) =>
                new TransportError(
                    uri.original,
                    "ext",
                    `cannot open ${uri.original}: cannot run ${settings.command} (${error.code ?? error.message}): ` +
                        "check that ?command= names an executable file (an absolute path is safest)",
                    error,
                ),
            exitFailure: (exit, stderr) =>
                new TransportError(
                    uri.original,
                    "ext",
                    `${description} for ${uri.original} ${exit}` +
                        (stderr ? `: ${stderr}` : " without a message") +
                        " — the command must relay its stdin/stdout to a libvirt daemon until its input ends",
                ),
            ready: (options?.probe ?? false) ? probeDaemon : undefined,
        },
        options,
    );
}
