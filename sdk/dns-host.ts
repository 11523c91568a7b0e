/**
 * `DnsHost`: one DNS host record (an address and its names) in an existing network, added and removed live through network update.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DnsHostArgs } from "./generated/inputs";
import type { DnsHostOutputs } from "./generated/outputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

export type { DnsHostArgs };

/** Properties of an existing DnsHost, for `DnsHost.get`. */
export type DnsHostState = Partial<DnsHostArgs>;

const TYPE_TOKEN = "pulumi-nodejs:dynamic/libvirt:DnsHost";

/**
 * Every declared property, passed as `undefined` unless given: Pulumi makes an Output only for keys
 * present in the props, so an argument left out would otherwise be `undefined` on the instance. They
 * are not sent to the engine.
 */
const COMPUTED_PLACEHOLDERS = {
    network: undefined,
    uri: undefined,
    adopt: undefined,
    ip: undefined,
    hostnames: undefined,
    extra: undefined,
    networkUuid: undefined,
    networkActive: undefined,
};

export class DnsHost extends pulumi.dynamic.Resource {
    /** Brand checked by `isInstance`; reliable across duplicate copies of this package. */
    public readonly __pulumiType = TYPE_TOKEN;

    /** Name of the network holding the entry. */
    declare public readonly network: pulumi.Output<DnsHostOutputs["network"]>;
    /** libvirt URI the network lives on, as given (unset means the default). */
    declare public readonly uri: pulumi.Output<DnsHostOutputs["uri"]>;
    declare public readonly adopt: pulumi.Output<DnsHostOutputs["adopt"]>;
    /** The address the names resolve to. */
    declare public readonly ip: pulumi.Output<DnsHostOutputs["ip"]>;
    /** The names. */
    declare public readonly hostnames: pulumi.Output<DnsHostOutputs["hostnames"]>;
    declare public readonly extra: pulumi.Output<DnsHostOutputs["extra"]>;

    /** UUID of the network holding the entry. */
    declare public readonly networkUuid: pulumi.Output<DnsHostOutputs["networkUuid"]>;
    /** Whether that network was running when the entry was last written or read. */
    declare public readonly networkActive: pulumi.Output<DnsHostOutputs["networkActive"]>;

    constructor(name: string, args: DnsHostArgs, opts?: pulumi.CustomResourceOptions) {
        // `get` (opts.id) reads an existing entry and needs no declaration.
        if (opts?.id === undefined) {
            if (args?.network === undefined) throw new Error("Missing required property 'network'");
            if (args?.ip === undefined) throw new Error("Missing required property 'ip'");
        }
        // A fresh object each time: the dynamic Resource writes __provider into the object it is given.
        super(
            providerStub("dnsHost"),
            name,
            withSecretInputs("dnsHost", { ...COMPUTED_PLACEHOLDERS, ...args, ...hiddenInputs(name) }),
            withSecretOutputs("dnsHost", opts),
            "libvirt",
            "DnsHost",
        );
    }

    /** Looks up an existing entry by id (`<network>/<ip>`); `state` may give its uri. */
    static get(
        name: string,
        id: pulumi.Input<pulumi.ID>,
        state?: DnsHostState,
        opts?: pulumi.CustomResourceOptions,
    ): DnsHost {
        return new DnsHost(name, { ...state } as DnsHostArgs, { ...opts, id });
    }

    /** True when `obj` is a DnsHost, even one from another copy of this package. */
    static override isInstance(obj: unknown): obj is DnsHost {
        return (
            typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === TYPE_TOKEN
        );
    }
}
