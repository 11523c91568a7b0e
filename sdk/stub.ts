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
 * - they capture nothing but the kind key and `runtime`, which requires only this package's own
 *   name: first as Node resolves it from the project folder (the host's working folder), then,
 *   for a program that gets pulumi-libvirt through another package, where npm's nested and
 *   linked layouts and pnpm put it, with an error naming every folder tried;
 * - the runtime's export names (`configure`, the kind keys) never change.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { KindKey } from "./generated/kinds";

/** Kind keys: the runtime's export name for each resource kind (one per kind descriptor). */
export type { KindKey };

/** Module state on the program side: one stub per kind, so Pulumi's serialization cache hits. */
const stubs: Partial<Record<KindKey, pulumi.dynamic.ResourceProvider>> = {};

/**
 * The runtime, loaded inside the provider host. It is serialized with the stubs, so it is plain
 * JavaScript that Pulumi's vendored TypeScript 3.8 parses, and it uses only Node's own modules.
 * The host compiles the stubs without a file name, so `require` looks in `<cwd>/node_modules`
 * and above, cwd being the Pulumi project. When the project depends on pulumi-libvirt only
 * through another package, the runtime is elsewhere: in that package's own node_modules (npm's
 * nested install), in `node_modules/.pnpm/node_modules` (pnpm hoists every package there) or in
 * `node_modules/.store/<name>/node_modules` (npm's linked install). Those are tried next.
 */
function runtime(): any {
    try {
        return require("pulumi-libvirt/provider");
    } catch (first) {
        const fs = require("fs");
        const path = require("path");
        const modules = path.join(process.cwd(), "node_modules");
        const starts = [path.join(modules, ".pnpm")];
        const list = (dir: string): string[] => {
            try {
                return fs.readdirSync(dir);
            } catch (_) {
                return [];
            }
        };
        for (const name of list(path.join(modules, ".store"))) starts.push(path.join(modules, ".store", name));
        for (const name of list(modules)) {
            if (name.charAt(0) === "@") {
                for (const inner of list(path.join(modules, name))) starts.push(path.join(modules, name, inner));
            } else if (name.charAt(0) !== ".") starts.push(path.join(modules, name));
        }
        for (const start of starts) {
            try {
                return require(require.resolve("pulumi-libvirt/provider", { paths: [start] }));
            } catch (_) {
                // not there; try the next place
            }
        }
        throw new Error(
            "pulumi-libvirt: cannot load pulumi-libvirt/provider for the Pulumi project in " +
                process.cwd() +
                " (" +
                String((first as Error).message).split("\n")[0] +
                "). Tried " +
                modules +
                ", node_modules/.pnpm, node_modules/.store/* and the node_modules of every installed package. " +
                "Add pulumi-libvirt to the project's own dependencies (npm install pulumi-libvirt).",
        );
    }
}

function makeStub(kind: KindKey): pulumi.dynamic.ResourceProvider {
    return {
        configure: (req) => runtime().configure(req.config),
        check: (olds, news) => runtime()[kind].check(olds, news),
        diff: (id, olds, news) => runtime()[kind].diff(id, olds, news),
        create: (inputs) => runtime()[kind].create(inputs),
        read: (id, props) => runtime()[kind].read(id, props),
        update: (id, olds, news) => runtime()[kind].update(id, olds, news),
        delete: (id, props) => runtime()[kind].delete(id, props),
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
