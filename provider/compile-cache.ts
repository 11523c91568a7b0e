/**
 * Saves Node's compile cache of the provider host soon after this runtime has loaded, when the
 * user turned the cache on (NODE_COMPILE_CACHE; `npm run lab` does). Node writes the cache only
 * when a process exits, and the engine ends the provider host with a signal, so without this the
 * host would compile @pulumi/pulumi, TypeScript and this runtime afresh in every deployment.
 */
import { flushCompileCache, getCompileCacheDir } from "node:module";

export function saveCompileCacheSoon(): void {
    if (getCompileCacheDir() === undefined) return;
    // After the current request has loaded what it needs; a write error only costs the cache.
    setTimeout(() => {
        try {
            flushCompileCache();
        } catch {
            // the cache is an optimisation: a folder that cannot be written changes nothing else
        }
    }, 0).unref();
}
