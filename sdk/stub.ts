/**
 * The provider object every SDK class hands to `pulumi.dynamic.Resource`: one per kind, whose
 * methods `require("pulumi-libvirt/provider")` when called, inside the provider host. Only this
 * object is serialized into `__provider`, so the text is small, identical across library versions
 * (an upgrade causes no diff), and deletes and refreshes of old resources run the installed code.
 * Connection pools and locks live in the runtime module, which the host loads once.
 *
 * Rules (a forever contract, snapshot-tested in test/unit/sdk/stub-snapshot.test.ts):
 * - methods stay syntactically trivial arrow functions (they must parse under the TypeScript 3.8
 *   that Pulumi vendors when the program has no `typescript` installed);
 * - they capture nothing but the kind key; they require only this package's own name, which the
 *   program depends on directly, so it resolves from the project root;
 * - the runtime's export names (`configure`, the kind keys) never change.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Kind keys: the runtime's export name for each resource kind. */
export type KindKey = "domain" | "network" | "storagePool" | "volume" | "dhcpHost" | "dnsHost";

/** Module state on the program side: one stub per kind, so Pulumi's serialization cache hits. */
const stubs: Partial<Record<KindKey, pulumi.dynamic.ResourceProvider>> = {};

function makeStub(kind: KindKey): pulumi.dynamic.ResourceProvider {
    return {
        configure: (req) => require("pulumi-libvirt/provider").configure(req.config),
        check: (olds, news) => require("pulumi-libvirt/provider")[kind].check(olds, news),
        diff: (id, olds, news) => require("pulumi-libvirt/provider")[kind].diff(id, olds, news),
        create: (inputs) => require("pulumi-libvirt/provider")[kind].create(inputs),
        read: (id, props) => require("pulumi-libvirt/provider")[kind].read(id, props),
        update: (id, olds, news) => require("pulumi-libvirt/provider")[kind].update(id, olds, news),
        delete: (id, props) => require("pulumi-libvirt/provider")[kind].delete(id, props),
    };
}

/** The one provider stub of a kind. */
export function providerStub(kind: KindKey): pulumi.dynamic.ResourceProvider {
    let stub = stubs[kind];
    if (stub === undefined) {
        stub = makeStub(kind);
        stubs[kind] = stub;
    }
    return stub;
}
