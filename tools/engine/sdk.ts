/**
 * Access to the internals of the program's own `@pulumi/pulumi` copy. The emulator must drive the same module
 * instance the program registers resources with (its global store, its MockMonitor), so the SDK is resolved from
 * the program's location rather than from this file. These are internal modules: the SDK version is pinned.
 */
import { dirname, join } from "node:path";

export interface PulumiSdk {
    root: string;
    pulumi: typeof import("@pulumi/pulumi");
    mocks: { MockMonitor: new (mocks: unknown) => any; setMocks: (...args: unknown[]) => Promise<void> };
    settings: { waitForRPCs(): Promise<void>; getProject(): string; getStack(): string };
    state: { getStore(): { settings: { monitor: unknown } } };
    runtimeConfig: { setAllConfig(c: Record<string, string>, secretKeys?: string[]): void };
    resourceProto: any;
    structProto: typeof import("google-protobuf/google/protobuf/struct_pb");
    /** The host's Config class (`cmd/dynamic-provider/config.js`); that module has no side effects. */
    HostConfig: new (
        raw: Record<string, string>,
        project: string,
    ) => { get(k: string): string | undefined; require(k: string): string };
    requireFromString: (code: string, filename?: string) => any;
}

/** Resolves the SDK from `fromDir` (a program's folder), falling back to the copy next to this tool. */
export function loadSdk(fromDir?: string): PulumiSdk {
    let entry: string;
    try {
        entry = require.resolve("@pulumi/pulumi", fromDir ? { paths: [fromDir] } : undefined);
    } catch {
        entry = require.resolve("@pulumi/pulumi");
    }
    const root = dirname(entry);
    const fromSdk = (m: string) => require(require.resolve(m, { paths: [root] }));
    return {
        root,
        pulumi: require(entry),
        mocks: require(join(root, "runtime/mocks")),
        settings: require(join(root, "runtime/settings")),
        state: require(join(root, "runtime/state")),
        runtimeConfig: require(join(root, "runtime/config")),
        resourceProto: require(join(root, "proto/resource_pb")),
        structProto: fromSdk("google-protobuf/google/protobuf/struct_pb"),
        HostConfig: require(join(root, "cmd/dynamic-provider/config")).Config,
        requireFromString: fromSdk("require-from-string"),
    };
}
