/**
 * `Network`: a libvirt virtual network (NAT, routed, isolated, open, or on a host bridge), defined,
 * set to autostart and started. DHCP hosts and ranges and DNS records change live through network
 * update; other changes restart the network only when `allowRestart` is set, since a restart
 * disconnects every guest.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NetworkArgs } from "./generated/inputs";
import type { NetworkOutputs } from "./generated/outputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

export type { NetworkArgs };

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

export class Network extends pulumi.dynamic.Resource {
    /** Brand checked by `isInstance`; reliable across duplicate copies of this package. */
    public readonly __pulumiType = NETWORK_TYPE;

    /** The network's name (given, or `<logical name>-<7 hex>`). Pass it to DhcpHost/DnsHost and domain interfaces. */
    declare public readonly name: pulumi.Output<NetworkOutputs["name"]>;
    /** libvirt URI the network lives on, as given (unset means the default). */
    declare public readonly uri: pulumi.Output<NetworkOutputs["uri"]>;
    declare public readonly adopt: pulumi.Output<NetworkOutputs["adopt"]>;
    declare public readonly allowRestart: pulumi.Output<NetworkOutputs["allowRestart"]>;
    declare public readonly autostart: pulumi.Output<NetworkOutputs["autostart"]>;
    declare public readonly ipv6: pulumi.Output<NetworkOutputs["ipv6"]>;
    declare public readonly forward: pulumi.Output<NetworkOutputs["forward"]>;
    declare public readonly bridge: pulumi.Output<NetworkOutputs["bridge"]>;
    declare public readonly mac: pulumi.Output<NetworkOutputs["mac"]>;
    declare public readonly mtu: pulumi.Output<NetworkOutputs["mtu"]>;
    declare public readonly domain: pulumi.Output<NetworkOutputs["domain"]>;
    declare public readonly dns: pulumi.Output<NetworkOutputs["dns"]>;
    declare public readonly ips: pulumi.Output<NetworkOutputs["ips"]>;
    declare public readonly extra: pulumi.Output<NetworkOutputs["extra"]>;

    /** The network's UUID (also the resource id). */
    declare public readonly uuid: pulumi.Output<NetworkOutputs["uuid"]>;
    /** The Linux bridge device of the network (virbrN when libvirt chose it). */
    declare public readonly bridgeName: pulumi.Output<NetworkOutputs["bridgeName"]>;
    /** Whether the network is running. */
    declare public readonly active: pulumi.Output<NetworkOutputs["active"]>;

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
