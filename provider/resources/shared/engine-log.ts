/**
 * Lines for the Pulumi engine, from inside the dynamic-provider host. The engine starts the host as
 * `dynamic-provider <engine address>` but gives the providers in it no logger: `pulumi.log` there
 * falls back to the console, and the engine does not show a provider's stderr. So the change
 * summaries ("2 change(s), strongest: live ...") would never reach a user of `pulumi preview`.
 * This sends each line to the engine's Log RPC instead, where it is printed among the diagnostics.
 */
import { dirname } from "node:path";
import type { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { LogSeverity } from "@pulumi/pulumi/proto/engine_pb";

/** The host's entry point, as Node records it in require.main. */
const HOST_ENTRY = /[\\/]cmd[\\/]dynamic-provider(?:[\\/]index\.js)?$/;

/** The engine's address when this process is a provider host the engine started, else undefined. */
export function engineAddress(
    argv: readonly string[] = process.argv,
    main: string | undefined = require.main?.filename,
    env: NodeJS.ProcessEnv = process.env,
): string | undefined {
    if (env.PULUMI_NODEJS_ENGINE) return env.PULUMI_NODEJS_ENGINE;
    return main !== undefined && HOST_ENTRY.test(main) && argv[2] ? argv[2] : undefined;
}

/** How much a line matters: the engine shows warnings as such. */
export type LogLevel = "info" | "warning";

type Send = (level: LogLevel, line: string) => void;

/** A sender to the engine at `address`, through the gRPC library and stubs the SDK itself uses. */
function connect(address: string): Send {
    const sdkRoot = dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkRoot] }));
    const stubs = require("@pulumi/pulumi/proto/engine_grpc_pb") as {
        EngineClient: new (...a: unknown[]) => EngineClient;
    };
    const messages = require("@pulumi/pulumi/proto/engine_pb") as typeof import("@pulumi/pulumi/proto/engine_pb");
    const client = new stubs.EngineClient(address, grpc.credentials.createInsecure());
    const severity: Record<LogLevel, LogSeverity> = {
        info: messages.LogSeverity.INFO,
        warning: messages.LogSeverity.WARNING,
    };
    return (level, line) => {
        const request = new messages.LogRequest();
        request.setSeverity(severity[level]);
        request.setMessage(line);
        // A lost line must not fail the operation it describes; stderr still has it.
        client.log(request, () => undefined);
    };
}

let sender: Send | null | undefined;

/** Sends a line to the engine when there is one (inside the provider host); otherwise does nothing. */
export function sendToEngine(level: LogLevel, line: string): boolean {
    if (sender === undefined) {
        const address = engineAddress();
        sender = address === undefined ? null : connect(address);
    }
    if (sender === null) return false;
    sender(level, line);
    return true;
}
