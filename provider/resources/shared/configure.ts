/**
 * `configure` of the runtime: the host calls it once per provider text with the whole stack
 * configuration (namespaced keys, string values). Only `libvirt:uri` is read today.
 */
import { configureRuntime } from "./connection";

/** Config as the dynamic-provider host passes it (`cmd/dynamic-provider/config.js`), or a plain map. */
export type ConfigSource = { get(key: string): string | undefined } | Readonly<Record<string, string | undefined>>;

/** Stack config keys the runtime reads. */
export const CONFIG_KEYS = { uri: "libvirt:uri" } as const;

function read(config: ConfigSource | undefined, key: string): string | undefined {
    if (config === undefined || config === null) return undefined;
    const value =
        typeof (config as { get?: unknown }).get === "function"
            ? (config as { get(key: string): string | undefined }).get(key)
            : (config as Record<string, string | undefined>)[key];
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** Stores the stack configuration the runtime needs; missing keys reset to their defaults. */
export async function configure(config?: ConfigSource): Promise<void> {
    configureRuntime({ uri: read(config, CONFIG_KEYS.uri) });
}
