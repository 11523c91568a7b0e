/**
 * `pulumi-libvirt/provider`: the runtime that the SDK's provider stubs load inside Pulumi's
 * dynamic-provider host (`require("pulumi-libvirt/provider")` at call time). It exports
 * `configure` and one `ResourceHandler` per kind, keyed as the stubs name them.
 *
 * The export names are a forever contract with serialized stubs in existing stacks: never rename
 * one. Each kind appends exactly one line below. Loading it also saves the host's Node compile
 * cache when that is on (compile-cache.ts), and so does the loading of each kind's handler.
 *
 * Each kind's handler module is loaded by the kind's first call (shared/lazy-handler.ts): the
 * host of a stack without CloudInits never loads the YAML library, for example. In Pulumi's
 * dynamic-provider host, loading it also tunes V8's heap (host-heap.ts).
 */
import { saveCompileCacheSoon } from "./compile-cache";
import type * as CloudInit from "./resources/cloud-init/handler";
import type * as DhcpHost from "./resources/dhcp-host/handler";
import type * as Domain from "./resources/domain/handler";
import type * as DomainSnapshot from "./resources/domain-snapshot/handler";
import type * as DnsHost from "./resources/dns-host/handler";
import type * as Network from "./resources/network/handler";
import { lazyHandler } from "./resources/shared/lazy-handler";
import { findsPendingCreates } from "./resources/shared/pending-create";
import type * as StoragePool from "./resources/storage-pool/handler";
import type * as Volume from "./resources/volume/handler";
import { tuneHostHeap } from "./host-heap";

saveCompileCacheSoon();
tuneHostHeap();

export { defaultPool } from "./rpc/pool";
export { configure } from "./resources/shared/configure";

// Resource kinds: `export const <kindKey> = lazyHandler(() => (require("./resources/<kind>/handler")
// as typeof <Kind>).<kind>Handler);`, or for a kind whose objects carry an owner record, that
// handler wrapped in `findsPendingCreates(...)`: its read with an empty ID answers the object a
// killed create left (resources/shared/pending-create.ts).
export const volume = findsPendingCreates(
    "Volume",
    lazyHandler(() => (require("./resources/volume/handler") as typeof Volume).volumeHandler),
);
export const domain = findsPendingCreates(
    "Domain",
    lazyHandler(() => (require("./resources/domain/handler") as typeof Domain).domainHandler),
);
export const storagePool = findsPendingCreates(
    "StoragePool",
    lazyHandler(() => (require("./resources/storage-pool/handler") as typeof StoragePool).storagePoolHandler),
);
export const network = findsPendingCreates(
    "Network",
    lazyHandler(() => (require("./resources/network/handler") as typeof Network).networkHandler),
);
export const dhcpHost = lazyHandler(
    () => (require("./resources/dhcp-host/handler") as typeof DhcpHost).dhcpHostHandler,
);
export const dnsHost = lazyHandler(() => (require("./resources/dns-host/handler") as typeof DnsHost).dnsHostHandler);
export const cloudInit = lazyHandler(
    () => (require("./resources/cloud-init/handler") as typeof CloudInit).cloudInitHandler,
);
export const domainSnapshot = lazyHandler(
    () => (require("./resources/domain-snapshot/handler") as typeof DomainSnapshot).domainSnapshotHandler,
);
