/**
 * Turns a serialised `__provider` into a provider object the way the real host does
 * (`cmd/dynamic-provider/index.js` getProvider): compile the text as a CommonJS module whose `require` resolves
 * from process.cwd(), call `.handler()`, cache per distinct text, and call `configure` once on first load with a
 * Config over the whole stack configuration (project-prefixed keys).
 */
import type { PulumiSdk } from "./sdk";
import { isSecret } from "./values";

export interface DynamicProvider {
    configure?(req: { config: unknown }): Promise<void>;
    check?(olds: unknown, news: unknown): Promise<{ inputs?: Record<string, unknown>; failures?: CheckFailure[] }>;
    diff?(
        id: string,
        olds: unknown,
        news: unknown,
    ): Promise<{ changes?: boolean; replaces?: string[]; stables?: string[]; deleteBeforeReplace?: boolean }>;
    create(inputs: unknown): Promise<{ id: string; outs?: Record<string, unknown> }>;
    read?(id: string, props?: unknown): Promise<{ id?: string; props?: Record<string, unknown>; inputs?: unknown }>;
    update?(id: string, olds: unknown, news: unknown): Promise<{ outs?: Record<string, unknown> } | undefined>;
    delete?(id: string, props: unknown): Promise<void>;
}

export interface CheckFailure {
    property: string;
    reason: string;
}

/** One instance plays one host process: the engine starts one per deployment, so caches last one operation. */
export class ProviderLoader {
    private readonly cache = new Map<string, Promise<DynamicProvider>>();

    constructor(
        private readonly sdk: PulumiSdk,
        private readonly config: Record<string, string>,
        private readonly project: string,
    ) {}

    /** Loads the provider named by `props.__provider` (secret-wrapped text is unwrapped, as the engine would). */
    load(props: Record<string, unknown>): Promise<DynamicProvider> {
        let text = props.__provider;
        if (isSecret(text)) text = text.value;
        if (typeof text !== "string") throw new Error(`code must be a string, not ${typeof text}`);
        let provider = this.cache.get(text);
        if (!provider) {
            provider = this.instantiate(text);
            this.cache.set(text, provider);
        }
        return provider;
    }

    private async instantiate(text: string): Promise<DynamicProvider> {
        const provider = this.sdk.requireFromString(text).handler() as DynamicProvider;
        if (provider.configure) {
            await provider.configure({ config: new this.sdk.HostConfig(this.config, this.project) });
        }
        return provider;
    }
}
