/**
 * The floor of issue 14's stack benchmarks: the same declarations registered the way the SDK's
 * classes register them (every declared property, the secrets, a `__provider` text of the same
 * length, stacks paused), but handled by a provider that does nothing: check hands the inputs
 * back, diff finds no change, create answers the inputs as outputs, delete returns. No libvirt call
 * is made. What such a stack costs is what the Pulumi program, the engine (or the emulator) and
 * the dynamic-provider host spend on that many resources before any provider does any work; the
 * difference to ours is what our provider and libvirt add.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TestHost } from "../test/helpers/test-host";
import type { KindKey } from "../sdk/generated/kinds";
import { kindFacts } from "../sdk/generated/kinds";
import { pausePromiseStacks, resumePromiseStacks } from "../sdk/promise-stacks";
import { registration } from "../sdk/registration";
import { providerText } from "../sdk/stub";
import { declareMember } from "./stack-members";

/** A provider module (the `__provider` form) whose methods answer at once. */
const NOOP = [
    "exports.handler=function(){return{",
    "check:function(o,n){return Promise.resolve({inputs:n})},",
    "diff:function(){return Promise.resolve({changes:false})},",
    'create:function(n){return Promise.resolve({id:String(n.name||"floor"),outs:n})},',
    "read:function(i,p){return Promise.resolve({id:i,props:p})},",
    "update:function(i,o,n){return Promise.resolve({outs:n})},",
    "delete:function(){return Promise.resolve()}",
    "}};",
].join("");

/** The no-op module padded with a comment to the length of the kind's real text: the same bytes travel. */
function floorText(kind: KindKey): string {
    const pad = Math.max(0, providerText(kind).length - NOOP.length - 5);
    return `${NOOP}/*${"-".repeat(pad)}*/\n`;
}

/** A resource of `kind` as its SDK class registers it, under a type of its own, with the no-op provider. */
class FloorResource extends pulumi.CustomResource {
    /** Every kind the benchmarks declare has a name (an Output, as the SDK classes' is). */
    declare public readonly name: pulumi.Output<string>;

    constructor(kind: KindKey, name: string, args: object) {
        const { props, options } = registration(kindFacts[kind], name, args, undefined);
        const stacks = pausePromiseStacks();
        try {
            super(
                `pulumi-nodejs:dynamic/libvirt-floor:${kind}`,
                name,
                { ...props, __provider: floorText(kind) },
                options,
            );
        } finally {
            resumePromiseStacks(stacks);
        }
    }
}

/** A constructor with the SDK classes' shape (`new C(name, args)`) for the floor's resources of `kind`. */
function floorClass(kind: KindKey) {
    return class extends FloorResource {
        constructor(name: string, args: object) {
            super(kind, name, args);
        }
    };
}

/** The names of a benchmark stack's pool and network. */
export interface FloorStackNames {
    prefix: string;
    pool: string;
    poolDir: string;
    network: string;
    /** The network's address (a /16). */
    address: string;
}

/** The program of a benchmark stack (pool, network, n members) declared through the floor's provider. */
export function floorProgram(n: number, names: FloorStackNames, host: TestHost): () => Promise<void> {
    const classes = { Volume: floorClass("volume"), Domain: floorClass("domain") };
    return async () => {
        const pool = new FloorResource("storagePool", "pool", {
            name: names.pool,
            type: "dir",
            target: { path: names.poolDir },
        });
        new FloorResource("network", "net", { name: names.network, ips: [{ address: names.address, prefix: 16 }] });
        for (let i = 0; i < n; i++) declareMember(names.prefix, i, pool.name, host, classes);
    };
}
