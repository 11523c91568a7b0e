/**
 * Drives the REAL dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC, as the engine
 * would: spawn it in a project folder with a dummy engine address, read its port from the first stdout line,
 * and call it through the SDK's own generated stubs. Requests and answers are plain objects; properties are
 * converted to and from protobuf Structs. See pulumi-dynamic.md §1.2 and §3c.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

export interface HostOptions {
    /** The project folder: serialised providers resolve their `require`s from here (§2.3). */
    cwd: string;
    /** The project name the host prefixes config keys with (PULUMI_NODEJS_PROJECT). */
    project?: string;
    /** Stack config for the environment (PULUMI_CONFIG), as the engine also sets it. */
    config?: Record<string, string>;
    /**
     * The engine address the host is started with (its one argument). The providers send their
     * lines to its Log service (provider/resources/shared/engine-log.ts); default: an address where
     * nothing listens, so the lines are lost. Use a `RecordingEngine` to see them.
     */
    engineAddress?: string;
}

export type Props = Record<string, unknown>;

export interface DiffAnswer {
    changes: "unknown" | "none" | "some";
    replaces: string[];
    stables: string[];
    deleteBeforeReplace: boolean;
    hasDetailedDiff: boolean;
    diffs: string[];
}

/** A failed call: the gRPC status, message and, for create/update, the ErrorResourceInitFailed detail. */
export class HostCallError extends Error {
    constructor(
        message: string,
        readonly code: number,
        readonly initFailure?: { id: string; properties: Props; reasons: string[] },
    ) {
        super(message);
    }
}

const DIFF_CHANGES = ["unknown", "none", "some"] as const;

/** The `__provider` text for a provider object, made as `pulumi.dynamic.Resource` makes it. */
export async function serializeProvider(provider: object): Promise<string> {
    const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return serialized.text;
}

/** The SDK whose host is run: the project's own copy when it has one, as the plugin shim does. */
function sdkRoot(cwd: string): string {
    try {
        return dirname(require.resolve("@pulumi/pulumi", { paths: [cwd] }));
    } catch {
        return dirname(require.resolve("@pulumi/pulumi"));
    }
}

export class ProviderHost {
    /** Everything the host printed (provider console output lands here). */
    stdout = "";
    stderr = "";

    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        private readonly sdk: string,
    ) {}

    static async start(options: HostOptions): Promise<ProviderHost> {
        const root = sdkRoot(options.cwd);
        const project = options.project ?? "project";
        const engine = options.engineAddress ?? "127.0.0.1:1";
        const child = spawn(process.execPath, [join(root, "cmd/dynamic-provider/index.js"), engine], {
            cwd: options.cwd,
            env: {
                ...process.env,
                PULUMI_NODEJS_PROJECT: project,
                PULUMI_PROJECT: project,
                PULUMI_CONFIG: JSON.stringify(options.config ?? {}),
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (d) => {
            stderr += d;
        });
        const port = await new Promise<string>((resolve, reject) => {
            const lines = createInterface({ input: child.stdout! });
            lines.once("line", (line) => resolve(line.trim()));
            child.once("exit", (code) =>
                reject(new Error(`provider host exited (${code}) before listening: ${stderr}`)),
            );
            child.once("error", reject);
        });
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [root] }));
        const services = require(join(root, "proto/provider_grpc_pb"));
        const client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const host = new ProviderHost(child, client, root);
        host.stderr = stderr;
        child.stdout!.on("data", (d) => {
            host.stdout += d;
        });
        child.stderr!.on("data", (d) => {
            host.stderr += d;
        });
        return host;
    }

    private proto(): any {
        return require(join(this.sdk, "proto/provider_pb"));
    }

    private struct(value: Props): any {
        const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [this.sdk] }));
        return Struct.fromJavaScript(value);
    }

    private call<T>(method: string, request: unknown): Promise<T> {
        return new Promise((resolve, reject) => {
            this.client[method](request, (err: any, resp: T) => {
                if (err) reject(this.decodeError(err));
                else resolve(resp);
            });
        });
    }

    /** Unpacks `grpc-status-details-bin` the way the engine's parseError does for create/update. */
    private decodeError(err: any): HostCallError {
        const details = err.metadata?.get?.("grpc-status-details-bin")?.[0];
        let initFailure: HostCallError["initFailure"];
        if (details) {
            const status = require(join(this.sdk, "proto/status_pb")).Status.deserializeBinary(details);
            for (const any of status.getDetailsList()) {
                if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
                const detail = this.proto().ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
                initFailure = {
                    id: detail.getId(),
                    properties: detail.getProperties()?.toJavaScript() ?? {},
                    reasons: detail.getReasonsList(),
                };
            }
        }
        return new HostCallError(err.details ?? err.message, err.code, initFailure);
    }

    async getPluginInfo(): Promise<string> {
        const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [this.sdk] }));
        const info: any = await this.call("getPluginInfo", new Empty());
        return info.getVersion();
    }

    /** `config` holds namespaced keys (`project:key`), as the engine sends the whole stack config. */
    async configure(config: Record<string, string>): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }> {
        const req = new (this.proto().ConfigureRequest)();
        req.setArgs(this.struct(config));
        const resp: any = await this.call("configure", req);
        return { acceptSecrets: resp.getAcceptsecrets(), supportsPreview: resp.getSupportspreview() };
    }

    async check(
        urn: string,
        olds: Props,
        news: Props,
    ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new (this.proto().CheckRequest)();
        req.setUrn(urn);
        req.setOlds(this.struct(olds));
        req.setNews(this.struct(news));
        const resp: any = await this.call("check", req);
        return {
            inputs: resp.getInputs()?.toJavaScript() ?? {},
            failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    /** `olds` are the old outputs, as the engine sends them; old inputs go along too and the host ignores them. */
    async diff(urn: string, id: string, olds: Props, news: Props, oldInputs: Props = {}): Promise<DiffAnswer> {
        const req = new (this.proto().DiffRequest)();
        req.setUrn(urn);
        req.setId(id);
        req.setOlds(this.struct(olds));
        req.setNews(this.struct(news));
        req.setOldInputs(this.struct(oldInputs));
        const resp: any = await this.call("diff", req);
        return {
            changes: DIFF_CHANGES[resp.getChanges() as 0 | 1 | 2],
            replaces: resp.getReplacesList(),
            stables: resp.getStablesList(),
            deleteBeforeReplace: resp.getDeletebeforereplace(),
            hasDetailedDiff: resp.getHasdetaileddiff(),
            diffs: resp.getDiffsList(),
        };
    }

    async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
        const req = new (this.proto().CreateRequest)();
        req.setUrn(urn);
        req.setProperties(this.struct(properties));
        const resp: any = await this.call("create", req);
        return { id: resp.getId(), properties: resp.getProperties()?.toJavaScript() ?? {} };
    }

    /** Refresh passes the state's outputs as `properties`; a `get` passes only `inputs`. */
    async read(
        urn: string,
        id: string,
        properties: Props | undefined,
        inputs?: Props,
    ): Promise<{ id: string; properties: Props; inputs?: Props }> {
        const req = new (this.proto().ReadRequest)();
        req.setUrn(urn);
        req.setId(id);
        if (properties) req.setProperties(this.struct(properties));
        if (inputs) req.setInputs(this.struct(inputs));
        const resp: any = await this.call("read", req);
        return {
            id: resp.getId(),
            properties: resp.getProperties()?.toJavaScript() ?? {},
            inputs: resp.hasInputs() ? resp.getInputs().toJavaScript() : undefined,
        };
    }

    async update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
        const req = new (this.proto().UpdateRequest)();
        req.setUrn(urn);
        req.setId(id);
        req.setOlds(this.struct(olds));
        req.setNews(this.struct(news));
        const resp: any = await this.call("update", req);
        return { properties: resp.getProperties()?.toJavaScript() ?? {} };
    }

    async delete(urn: string, id: string, properties: Props): Promise<void> {
        const req = new (this.proto().DeleteRequest)();
        req.setUrn(urn);
        req.setId(id);
        req.setProperties(this.struct(properties));
        await this.call("delete", req);
    }

    /** Closes the channel and kills the host, waiting until it has exited. */
    async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        this.child.kill();
        await exited;
    }
}

/**
 * A stand-in for the engine's gRPC service with only Log implemented: what the providers in a host
 * started with its `address` say, as the engine would print it among the diagnostics.
 */
export class RecordingEngine {
    private constructor(
        private readonly server: any,
        readonly address: string,
        /** Every logged message, in order. */
        readonly lines: string[],
    ) {}

    static async start(): Promise<RecordingEngine> {
        const root = dirname(require.resolve("@pulumi/pulumi"));
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [root] }));
        const services = require(join(root, "proto/engine_grpc_pb"));
        const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [root] }));
        const server = new grpc.Server();
        const lines: string[] = [];
        // The other methods answer UNIMPLEMENTED (grpc-js's default for a missing handler).
        server.addService(services.EngineService, {
            log: (call: any, callback: (error: null, reply: unknown) => void) => {
                lines.push(call.request.getMessage());
                callback(null, new Empty());
            },
        });
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync(
                "127.0.0.1:0",
                grpc.ServerCredentials.createInsecure(),
                (error: Error | null, p: number) => (error ? reject(error) : resolve(p)),
            ),
        );
        return new RecordingEngine(server, `127.0.0.1:${port}`, lines);
    }

    /** Stops the server (calls in flight are cut off). */
    close(): void {
        this.server.forceShutdown();
    }
}
