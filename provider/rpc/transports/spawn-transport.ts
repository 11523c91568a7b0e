import { spawn } from "node:child_process";
import type { TransportKind } from "../uri";
import { type ChildFailure, ChildProcessStream } from "./child-stream";
import { guardConnect } from "./connect-guard";
import type { OpenTransportOptions, Transport } from "./transport";
import { TransportError } from "./transport-error";

export interface SpawnSpec {
    readonly uri: string;
    readonly transport: TransportKind;
    readonly description: string;
    readonly command: string;
    readonly args: readonly string[];
    /** Error for a failed start (e.g. the binary is missing). */
    readonly startFailure: (error: NodeJS.ErrnoException) => TransportError;
    /** Error for an unexpected exit, built from the stderr tail. */
    readonly exitFailure: ChildFailure;
    /**
     * Optional check run after the start, still under the timeout and signal: resolves with what
     * is wrong, or null when the tunnel works. Its stream errors (the child's exit) are reported as is.
     */
    readonly ready?: (stream: ChildProcessStream) => Promise<string | null>;
}

/**
 * Start a local program whose stdin/stdout carry the protocol (ssh and ext). The transport is
 * ready once the program runs and `spec.ready` (if any) passed; a failure on the far side later
 * (login refused, no daemon) surfaces as an error on the stream carrying the program's stderr.
 */
export function spawnTransport(spec: SpawnSpec, options?: OpenTransportOptions): Promise<Transport> {
    const context = { uri: spec.uri, transport: spec.transport, description: spec.description };
    return guardConnect<Transport>(context, options, (settle) => {
        // The environment is inherited so that ssh finds ~/.ssh/config, SSH_AUTH_SOCK and the like.
        const child = spawn(spec.command, spec.args, { stdio: ["pipe", "pipe", "pipe"] });
        const stream = new ChildProcessStream(child, spec.exitFailure);
        const onError = (error: NodeJS.ErrnoException) => settle.reject(spec.startFailure(error));
        child.once("error", onError);
        child.once("spawn", () => {
            child.off("error", onError);
            // Later process errors (e.g. kill failing) end the stream with the same explanation.
            child.on("error", (error) => stream.destroy(spec.startFailure(error)));
            const transport: Transport = { stream, description: spec.description, close: () => stream.destroy() };
            if (!spec.ready) {
                settle.resolve(transport);
                return;
            }
            spec.ready(stream).then(
                (problem) => {
                    if (problem === null) settle.resolve(transport);
                    else
                        settle.reject(
                            new TransportError(
                                spec.uri,
                                spec.transport,
                                `cannot open ${spec.uri} through ${spec.description}: ${problem}`,
                            ),
                        );
                },
                (error: Error) => settle.reject(error),
            );
        });
        return () => stream.destroy();
    });
}
