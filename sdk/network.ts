/**
 * `Network`: a libvirt virtual network (NAT, routed, isolated, open, or on a host bridge), defined,
 * set to autostart and started. DHCP hosts and ranges and DNS records change live through network
 * update; other changes restart the network only when `allowRestart` is set, since a restart
 * disconnects every guest.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NetworkArgsInput } from "../provider/resources/network/args";
import type { DeepInput, HiddenInputs } from "./inputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

/** Arguments of a Network; every property may be a plain value, a Promise or an Output. */
// Mapped over `keyof Omit<...>` so optional arguments stay optional.
export type NetworkArgs = { [K in keyof Omit<NetworkArgsInput, HiddenInputs>]: DeepInput<NetworkArgsInput[K]> };

/** Properties of an existing Network, for `Network.get`. */
export type NetworkState = Partial<NetworkArgs>;

const NETWORK_TYPE = "pulumi-nodejs:dynamic/libvirt:Network";

/**
 * Every declared property, passed as `undefined` unless given: Pulumi makes an Output only for keys
 * present in the props, so without these an argument left out (the automatic `name` above all) would
 * be `undefined` on the instance. They are not sent to the engine.
 */
const COMPUTED_PLACEHOLDERS = {
    name: undefined,
    uri: undefined,
    adopt: undefined,
    allowRestart: undefined,
    autostart: undefined,
    ipv6: undefined,
    forward: undefined,
    bridge: undefined,
    mac: undefined,
    mtu: undefined,
    domain: undefined,
    dns: undefined,
    ips: undefined,
    extra: undefined,
    uuid: undefined,
    bridgeName: undefined,
    active: undefined,
};

type Unwrapped = pulumi.Unwrap<NetworkArgs>;

export class Network extends pulumi.dynamic.Resource {
    /** Brand checked by `isInstance`; reliable across duplicate copies of this package. */
    public readonly __pulumiType = NETWORK_TYPE;

    /** The network's name (given, or `<logical name>-<7 hex>`). Pass it to DhcpHost/DnsHost and domain interfaces. */
    declare public readonly name: pulumi.Output<string>;
    /** libvirt URI the network lives on, as given (unset means the default). */
    declare public readonly uri: pulumi.Output<string | undefined>;
    declare public readonly adopt: pulumi.Output<boolean | undefined>;
    declare public readonly allowRestart: pulumi.Output<boolean | undefined>;
    declare public readonly autostart: pulumi.Output<boolean | undefined>;
    declare public readonly ipv6: pulumi.Output<boolean | undefined>;
    declare public readonly forward: pulumi.Output<Unwrapped["forward"]>;
    declare public readonly bridge: pulumi.Output<Unwrapped["bridge"]>;
    declare public readonly mac: pulumi.Output<string | undefined>;
    declare public readonly mtu: pulumi.Output<number | undefined>;
    declare public readonly domain: pulumi.Output<Unwrapped["domain"]>;
    declare public readonly dns: pulumi.Output<Unwrapped["dns"]>;
    declare public readonly ips: pulumi.Output<Unwrapped["ips"]>;
    declare public readonly extra: pulumi.Output<Unwrapped["extra"]>;

    /** The network's UUID (also the resource id). */
    declare public readonly uuid: pulumi.Output<string>;
    /** The Linux bridge device of the network (virbrN when libvirt chose it). */
    declare public readonly bridgeName: pulumi.Output<string>;
    /** Whether the network is running. */
    declare public readonly active: pulumi.Output<boolean>;

    constructor(name: string, args?: NetworkArgs, opts?: pulumi.CustomResourceOptions) {
        // A fresh object each time: the dynamic Resource writes __provider into the object it is given.
        super(
            providerStub("network"),
            name,
            withSecretInputs("network", { ...COMPUTED_PLACEHOLDERS, ...args, ...hiddenInputs(name) }),
            withSecretOutputs("network", opts),
            "libvirt",
            "Network",
        );
    }

    /** Looks up an existing network by id (its UUID or its name); `state` may give its uri. */
    static get(
        name: string,
        id: pulumi.Input<pulumi.ID>,
        state?: NetworkState,
        opts?: pulumi.CustomResourceOptions,
    ): Network {
        return new Network(name, { ...state }, { ...opts, id });
    }

    /** True when `obj` is a Network, even one from another copy of this package. */
    static override isInstance(obj: unknown): obj is Network {
        return (
            typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === NETWORK_TYPE
        );
    }
}
