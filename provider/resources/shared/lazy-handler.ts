/**
 * A kind's handler whose module is loaded by its first call. The provider host loads the runtime
 * for every stack, and most stacks use a few of the kinds: a kind's handler pulls in its zod
 * schemas, its XML readers and writers and, for CloudInit, the YAML library, which cost memory
 * and start-up time in every provider host that never serves that kind. The host's Node compile
 * cache is saved again after a handler loads (compile-cache.ts), so that it holds the handler too.
 */
import { saveCompileCacheSoon } from "../../compile-cache";
import type { Properties, ResourceHandler } from "./handler";

export function lazyHandler(load: () => ResourceHandler): ResourceHandler {
    let handler: ResourceHandler | undefined;
    const loaded = (): ResourceHandler => {
        if (handler === undefined) {
            handler = load();
            saveCompileCacheSoon();
        }
        return handler;
    };
    return {
        check: (olds: Properties, news: Properties) => loaded().check(olds, news),
        diff: (id: string, olds: Properties, news: Properties) => loaded().diff(id, olds, news),
        create: (inputs: Properties) => loaded().create(inputs),
        read: (id: string, props?: Properties) => loaded().read(id, props),
        update: (id: string, olds: Properties, news: Properties) => loaded().update(id, olds, news),
        delete: (id: string, props: Properties) => loaded().delete(id, props),
    };
}
