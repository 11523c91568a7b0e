/**
 * The dynamic provider host's half of each call (`cmd/dynamic-provider/index.js`), in process: which
 * `__provider` text is loaded, the defaults for missing methods, `__provider` re-added to results, the Struct
 * conversion of every result, and what survives of a thrown error (its message, plus id/properties/reasons for
 * create and update). The engine's half (secrets, step rules) lives in deployment.ts.
 */
import type { ProviderLoader } from "./provider-loader";
import { type PropertyMap, structRoundTrip, UNKNOWN } from "./values";

/** A create or update that failed after the object existed: the host's ErrorResourceInitFailed. */
export class ResourceInitError extends Error {
    constructor(
        message: string,
        readonly id: string,
        readonly properties: PropertyMap,
        readonly reasons: string[],
    ) {
        super(message);
    }
}

export type DiffChanges = "some" | "none" | "unknown";

export interface HostDiff {
    changes: DiffChanges;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/** Only the message crosses gRPC (grpc-js sends `details` = message, code UNKNOWN). */
function grpcError(e: unknown): Error {
    return new Error(e instanceof Error ? e.message : String(e));
}

function withProvider(result: unknown, props: PropertyMap): PropertyMap {
    return Object.assign((result as PropertyMap) || {}, { __provider: props.__provider });
}

export class EmulatedHost {
    constructor(private readonly loader: ProviderLoader) {}

    async check(olds: PropertyMap, news: PropertyMap): Promise<{ inputs: PropertyMap; failures: CheckFailureLike[] }> {
        try {
            const provider = await this.loader.load(news.__provider === UNKNOWN ? olds : news);
            let inputs = news;
            let failures: CheckFailureLike[] = [];
            if (provider.check) {
                const result = await provider.check(olds, news);
                if (result.inputs) inputs = result.inputs;
                if (result.failures) failures = result.failures;
            }
            inputs.__provider = news.__provider;
            return { inputs: structRoundTrip(inputs, "check result"), failures };
        } catch (e) {
            throw grpcError(e);
        }
    }

    async diff(id: string, olds: PropertyMap, news: PropertyMap): Promise<HostDiff> {
        try {
            const provider = await this.loader.load(news.__provider === UNKNOWN ? olds : news);
            // No diff method: an empty response, i.e. DIFF_UNKNOWN. `stables` is never forwarded.
            if (!provider.diff) return { changes: "unknown", replaces: [], deleteBeforeReplace: false };
            const result = await provider.diff(id, olds, news);
            const changes = result.changes === true ? "some" : result.changes === false ? "none" : "unknown";
            return {
                changes,
                replaces: result.replaces?.length ? [...result.replaces] : [],
                deleteBeforeReplace: !!result.deleteBeforeReplace,
            };
        } catch (e) {
            throw grpcError(e);
        }
    }

    async create(props: PropertyMap): Promise<{ id: string; properties: PropertyMap }> {
        try {
            const provider = await this.loader.load(props);
            const result = await provider.create(props);
            return { id: result.id, properties: structRoundTrip(withProvider(result.outs, props), "create result") };
        } catch (e) {
            throw initOrPlainError(e);
        }
    }

    /** `inputs` is set only for a `get`: the host falls back to them when the properties are empty (3.268+). */
    async read(
        id: string,
        properties: PropertyMap,
        inputs?: PropertyMap,
    ): Promise<{ id: string; properties: PropertyMap; inputs?: PropertyMap }> {
        try {
            let props = properties;
            if (Object.keys(props).length === 0 && inputs) props = inputs;
            const provider = await this.loader.load(props);
            if (!provider.read) return { id, properties: structRoundTrip(props, "read result") };
            const result = await provider.read(id, props);
            return {
                id: result.id ?? "",
                properties: structRoundTrip(withProvider(result.props, props), "read result"),
                inputs: result.inputs ? structRoundTrip(withProvider(result.inputs, props), "read inputs") : undefined,
            };
        } catch (e) {
            throw grpcError(e);
        }
    }

    async update(id: string, olds: PropertyMap, news: PropertyMap): Promise<{ properties: PropertyMap }> {
        try {
            const provider = await this.loader.load(news);
            // No update method: outs = {} plus __provider, so every other output is lost (as the real host does).
            const result = provider.update ? ((await provider.update(id, olds, news)) ?? {}) : {};
            return { properties: structRoundTrip(withProvider(result.outs, news), "update result") };
        } catch (e) {
            throw initOrPlainError(e);
        }
    }

    /** Loaded from the old outputs' `__provider`: the code frozen in state, not the program's. */
    async delete(id: string, properties: PropertyMap): Promise<void> {
        try {
            const provider = await this.loader.load(properties);
            if (provider.delete) await provider.delete(id, properties);
        } catch (e) {
            throw grpcError(e);
        }
    }
}

export interface CheckFailureLike {
    property: string;
    reason: string;
}

/** grpcResponseFromError: an error carrying a truthy `id` becomes ErrorResourceInitFailed. */
function initOrPlainError(e: unknown): Error {
    const err = e as { id?: unknown; properties?: unknown; reasons?: unknown; message?: string };
    if (err && typeof err === "object" && err.id) {
        const properties = structRoundTrip(err.properties || {}, "error properties");
        return new ResourceInitError(
            err.message ?? "",
            String(err.id),
            properties,
            Array.isArray(err.reasons) ? err.reasons.map(String) : [],
        );
    }
    return grpcError(e);
}
