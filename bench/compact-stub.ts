/**
 * A hand-written `__provider` text, for measuring what a smaller stub would save (bench:empty-up's
 * `BENCH_STUB=compact`). Pulumi's closure serializer wraps each of the stub's 7 methods and its
 * runtime loader in a `with(...)` frame (4.1 KB per resource, sent twice in every check and diff);
 * the same provider written as a module by hand is about a quarter of that. The SDK classes cannot
 * hand over a text (pulumi.dynamic.Resource serializes the object it is given), so the benchmark
 * puts the text in place with a stack transformation; the provider host runs it as it runs any
 * stub (`requireFromString(text).handler()`), the runtime loader keeping sdk/stub.ts's fallbacks.
 */
import * as pulumi from "@pulumi/pulumi";

const RUNTIME_LOADER = `function runtime() {
  const name = "pulumi-libvirt/provider";
  try { return require(name); } catch (first) {
    const fs = require("fs"), path = require("path");
    const modules = path.join(process.cwd(), "node_modules");
    const list = (dir) => { try { return fs.readdirSync(dir).map((entry) => path.join(dir, entry)); } catch (_) { return []; } };
    const starts = [path.join(modules, ".pnpm")].concat(list(path.join(modules, ".store")));
    for (const entry of list(modules)) {
      const base = path.basename(entry);
      if (base[0] === "@") starts.push(...list(entry)); else if (base[0] !== ".") starts.push(entry);
    }
    for (const start of starts) { try { return require(require.resolve(name, { paths: [start] })); } catch (_) {} }
    throw new Error("pulumi-libvirt: cannot load " + name + " for the Pulumi project in " + process.cwd() + " (" + String(first.message).split("\\n")[0] + "). Tried " + modules + ", node_modules/.pnpm, node_modules/.store/* and the node_modules of every installed package. Add pulumi-libvirt to the project's own dependencies (npm install pulumi-libvirt).");
  }
}`;

/** The hand-written provider module of one kind (its runtime export name, e.g. "domain"). */
export function compactStubText(kindKey: string): string {
    return `${RUNTIME_LOADER}
const kind = ${JSON.stringify(kindKey)};
exports.handler = () => ({
  configure: (req) => runtime().configure(req.config),
  check: (olds, news) => runtime()[kind].check(olds, news),
  diff: (id, olds, news) => runtime()[kind].diff(id, olds, news),
  create: (inputs) => runtime()[kind].create(inputs),
  read: (id, props) => runtime()[kind].read(id, props),
  update: (id, olds, news) => runtime()[kind].update(id, olds, news),
  delete: (id, props) => runtime()[kind].delete(id, props),
});
`;
}

const TYPE_PREFIX = "pulumi-nodejs:dynamic/libvirt:";

/** From here on in the running program, every pulumi-libvirt resource registers with the hand-written text. */
export function useCompactStubs(): void {
    pulumi.runtime.registerStackTransformation((args) => {
        if (!args.type.startsWith(TYPE_PREFIX)) return undefined;
        const kind = args.type.slice(TYPE_PREFIX.length);
        const kindKey = kind.charAt(0).toLowerCase() + kind.slice(1);
        return { props: { ...args.props, __provider: compactStubText(kindKey) }, opts: args.opts };
    });
}
