/**
 * Which libvirt daemon a resource talks to, and the shared connection to it.
 *
 * Precedence for a resource's URI: its own `uri` input, then the stack config `libvirt:uri`
 * (delivered to `configure`), then `LIBVIRT_DEFAULT_URI`, then `qemu:///system`. Connections come
 * from the process-wide pool keyed by URI, so every resource on one host shares one connection and
 * a stack may span several hosts.
 */
import { defaultPool, type LibvirtClient } from "../../rpc";

/** libvirt's own default when nothing else names a daemon. */
export const FALLBACK_URI = "qemu:///system";

/** Settings the runtime takes from the stack configuration. */
export interface RuntimeConfig {
    /** `libvirt:uri`: the default connection URI for resources without a `uri` input. */
    uri?: string;
}

/** Module state: lives as long as the provider host process has the runtime loaded. */
let runtimeConfig: RuntimeConfig = {};

/** Replaces the runtime configuration (called by `configure`, and by tests). */
export function configureRuntime(config: RuntimeConfig): void {
    runtimeConfig = { ...config };
}

/** The current runtime configuration (a copy). */
export function runtimeConfiguration(): RuntimeConfig {
    return { ...runtimeConfig };
}

/** The URI a resource uses: its own, else stack config, else LIBVIRT_DEFAULT_URI, else qemu:///system. */
export function resolveUri(uri?: string, env: NodeJS.ProcessEnv = process.env): string {
    return unlessBlank(uri) ?? unlessBlank(runtimeConfig.uri) ?? unlessBlank(env.LIBVIRT_DEFAULT_URI) ?? FALLBACK_URI;
}

/** The shared client for a resource's URI (see `resolveUri`). */
export function clientFor(uri?: string): Promise<LibvirtClient> {
    return defaultPool.get(resolveUri(uri));
}

/** The text, or undefined when it is missing or only white space. */
function unlessBlank(text: string | undefined): string | undefined {
    return typeof text === "string" && text.trim() !== "" ? text : undefined;
}
