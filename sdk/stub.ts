/**
 * The `__provider` text every SDK class stores with its resource: a small module, written here by
 * hand, whose `handler()` gives Pulumi's dynamic-provider host a provider object for one kind. Its
 * methods load this package's runtime (`require("pulumi-libvirt/provider")`) inside the host and
 * call the kind's handler there, so deletes and refreshes of old resources run the installed code.
 * Connection pools and locks live in the runtime module, which the host loads once.
 *
 * Why a text and not a serialized object: `pulumi.dynamic.Resource` serializes its provider with
 * Pulumi's closure serializer, which wraps each method (about 4 KB for the seven). The text
 * travels in every check and diff request twice and sits twice in every resource's state, where
 * it was about 90% of a resource's bytes: the engine writes the whole snapshot after each step,
 * and the provider host decodes each request. This one is about 1.5 KB, and the classes register
 * as `pulumi.dynamic.Resource` does (its type, and `__provider` among the inputs).
 *
 * Rules (snapshot-tested in test/unit/sdk/stub-snapshot.test.ts):
 * - the text may change between releases: the host caches a provider per text, its diff ignores
 *   `__provider`, and an `up` after a change shows only same steps while refreshes and deletes
 *   still run through the text stored in the outputs (test/cli/stub-upgrade.test.ts); it never
 *   drops a method;
 * - it uses only Node's own modules and requires only this package's own name: first as Node
 *   resolves it from the project folder (the host's working folder, as the host compiles the text
 *   without a file name), then, for a program that gets pulumi-libvirt through another package,
 *   where npm's nested (its own node_modules) and linked (`node_modules/.store/<name>`) layouts
 *   and pnpm (`node_modules/.pnpm/node_modules`) put it, with an error naming every folder tried;
 * - the runtime's export names (`configure`, the kind keys) never change.
 */
import type { KindKey } from "./generated/kinds";

/** Kind keys: the runtime's export name for each resource kind (one per kind descriptor). */
export type { KindKey };

/** The runtime's module name, as the project (or a package it depends on) installs it. */
const RUNTIME = "pulumi-libvirt/provider";

/** The loader of the runtime (plain JavaScript, run by the host): `loaded` caches it per text. */
const LOADER = [
    "function runtime(){if(loaded)return loaded;",
    `var name=${JSON.stringify(RUNTIME)};`,
    "try{return loaded=require(name)}catch(first){",
    'var fs=require("fs"),path=require("path"),modules=path.join(process.cwd(),"node_modules"),',
    'starts=[path.join(modules,".pnpm")],',
    "list=function(d){try{return fs.readdirSync(d)}catch(_){return[]}};",
    'list(path.join(modules,".store")).forEach(function(n){starts.push(path.join(modules,".store",n))});',
    "list(modules).forEach(function(n){",
    'if(n.charAt(0)==="@")list(path.join(modules,n)).forEach(function(m){starts.push(path.join(modules,n,m))});',
    'else if(n.charAt(0)!==".")starts.push(path.join(modules,n))});',
    "for(var i=0;i<starts.length;i++){try{return loaded=require(require.resolve(name,{paths:[starts[i]]}))}catch(_){}}",
    'throw new Error("pulumi-libvirt: cannot load "+name+" for the Pulumi project in "+process.cwd()+',
    '" ("+String(first.message).split("\\n")[0]+"). Tried "+modules+',
    '", node_modules/.pnpm, node_modules/.store/* and the node_modules of every installed package. "+',
    '"Add pulumi-libvirt to the project\'s own dependencies (npm install pulumi-libvirt).")}}',
].join("");

/** The provider methods the host calls, each handing its arguments to the kind's handler. */
const METHODS = [
    "configure:function(q){return runtime().configure(q.config)},",
    "check:function(o,n){return runtime()[kind].check(o,n)},",
    "diff:function(i,o,n){return runtime()[kind].diff(i,o,n)},",
    "create:function(n){return runtime()[kind].create(n)},",
    "read:function(i,p){return runtime()[kind].read(i,p)},",
    "update:function(i,o,n){return runtime()[kind].update(i,o,n)},",
    "delete:function(i,p){return runtime()[kind].delete(i,p)}",
].join("");

/** The `__provider` text of a kind. */
export function providerText(kind: KindKey): string {
    return `exports.handler=function(){var kind=${JSON.stringify(kind)},loaded;${LOADER}return{${METHODS}}};\n`;
}

/** A class's props with its `__provider`, as `pulumi.dynamic.Resource` adds it. */
export function withProviderText(kind: KindKey, props: Record<string, unknown>): Record<string, unknown> {
    return { ...props, __provider: providerText(kind) };
}
