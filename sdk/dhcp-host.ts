/**
 * `DhcpHost`: one static DHCP reservation (a fixed address for a MAC or client id) in an existing network, added, changed and removed live through network update; the rest of the network and its guests are untouched.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DhcpHostArgs } from "./generated/inputs";
import type { DhcpHostOutputs } from "./generated/outputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

export type { DhcpHostArgs };

/** Properties of an existing DhcpHost, for `DhcpHost.get`. */
export type DhcpHostState = Partial<DhcpHostArgs>;

const TYPE_TOKEN = "pulumi-nodejs:dynamic/libvirt:DhcpHost";

/**
 * Every declared property, passed as `undefined` unless given: Pulumi makes an Output only for keys
 * present in the props, so an argument left out would otherwise be `undefined` on the instance. They
 * are not sent to the engine.
 */
const COMPUTED_PLACEHOLDERS = {
    network: undefined,
    uri: undefined,
    adopt: undefined,
    mac: undefined,
    clientId: undefined,
    name: undefined,
    ip: undefined,
    lease: undefined,
    extra: undefined,
    networkUuid: undefined,
    networkActive: undefined,
};

export class DhcpHost extends pulumi.dynamic.Resource {
    /** Brand checked by `isInstance`; reliable across duplicate copies of this package. */
    public readonly __pulumiType = TYPE_TOKEN;

    /** Name of the network holding the entry. */
    declare public readonly network: pulumi.Output<DhcpHostOutputs["network"]>;
    /** libvirt URI the network lives on, as given (unset means the default). */
    declare public readonly uri: pulumi.Output<DhcpHostOutputs["uri"]>;
    declare public readonly adopt: pulumi.Output<DhcpHostOutputs["adopt"]>;
    /** The guest NIC's MAC address (IPv4). */
    declare public readonly mac: pulumi.Output<DhcpHostOutputs["mac"]>;
    /** DHCP client id or DUID (IPv6); the XML's `id` attribute. */
    declare public readonly clientId: pulumi.Output<DhcpHostOutputs["clientId"]>;
    /** Host name handed to the client. */
    declare public readonly name: pulumi.Output<DhcpHostOutputs["name"]>;
    /** The reserved address. */
    declare public readonly ip: pulumi.Output<DhcpHostOutputs["ip"]>;
    declare public readonly lease: pulumi.Output<DhcpHostOutputs["lease"]>;
    declare public readonly extra: pulumi.Output<DhcpHostOutputs["extra"]>;

    /** UUID of the network holding the entry. */
    declare public readonly networkUuid: pulumi.Output<DhcpHostOutputs["networkUuid"]>;
    /** Whether that network was running when the entry was last written or read. */
    declare public readonly networkActive: pulumi.Output<DhcpHostOutputs["networkActive"]>;

    constructor(name: string, args: DhcpHostArgs, opts?: pulumi.CustomResourceOptions) {
        // `get` (opts.id) reads an existing entry and needs no declaration.
        if (opts?.id === undefined) {
            if (args?.network === undefined) throw new Error("Missing required property 'network'");
            if (args?.ip === undefined) throw new Error("Missing required property 'ip'");
        }
        // A fresh object each time: the dynamic Resource writes __provider into the object it is given.
        super(
            providerStub("dhcpHost"),
            name,
            withSecretInputs("dhcpHost", { ...COMPUTED_PLACEHOLDERS, ...args, ...hiddenInputs(name) }),
            withSecretOutputs("dhcpHost", opts),
            "libvirt",
            "DhcpHost",
        );
    }

    /** Looks up an existing entry by id (`<network>/<mac, client id or ip>`); `state` may give its uri. */
    static get(
        name: string,
        id: pulumi.Input<pulumi.ID>,
        state?: DhcpHostState,
        opts?: pulumi.CustomResourceOptions,
    ): DhcpHost {
        return new DhcpHost(name, { ...state } as DhcpHostArgs, { ...opts, id });
    }

    /** True when `obj` is a DhcpHost, even one from another copy of this package. */
    static override isInstance(obj: unknown): obj is DhcpHost {
        return (
            typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === TYPE_TOKEN
        );
    }
}
