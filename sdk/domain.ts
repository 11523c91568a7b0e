/**
 * `Domain`: a KVM/QEMU virtual machine. Edits apply live where libvirt can (vCPUs, balloon,
 * hot plug, media, link state, metadata, autostart), are written for the next boot where that is
 * enough, and wait for a restart (or restart it, per `restartPolicy`) otherwise; only identity
 * changes (name, type, UUID, architecture, host) replace it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DomainResourceArgs } from "../provider/resources/domain/args";
import type { DeepInput, HiddenInputs } from "./inputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

/**
 * The arguments of a Domain: every property may be a `pulumi.Input`. Mapped over `Omit` so that
 * optional properties stay optional (a mapping over `Exclude<keyof T, ...>` loses the `?`).
 */
export type DomainArgs = { [K in keyof Omit<DomainResourceArgs, HiddenInputs>]: DeepInput<DomainResourceArgs[K]> };

type Plain = DomainResourceArgs;

/**
 * `undefined` placeholders make Pulumi expose every declared output on the instance, also the
 * inputs left out (echoed or filled in by the provider, like the automatic name); they are not
 * sent to the engine.
 */
const computedPlaceholders = {
    name: undefined,
    type: undefined,
    memory: undefined,
    currentMemory: undefined,
    vcpu: undefined,
    cpu: undefined,
    os: undefined,
    devices: undefined,
    title: undefined,
    description: undefined,
    autostart: undefined,
    running: undefined,
    uri: undefined,
    restartPolicy: undefined,
    uuid: undefined,
    macAddresses: undefined,
    ipAddresses: undefined,
    state: undefined,
    pendingRestart: undefined,
    pendingChanges: undefined,
    graphicsPasswords: undefined,
};

export class Domain extends pulumi.dynamic.Resource {
    /** @internal Brand for `isInstance`, reliable across duplicate copies of this package. */
    public readonly __pulumiType = "pulumi-nodejs:dynamic/libvirt:Domain";

    /** Whether `obj` is a Domain (also across separately loaded copies of the SDK). */
    public static override isInstance(obj: unknown): obj is Domain {
        return (
            obj !== undefined &&
            obj !== null &&
            (obj as { __pulumiType?: unknown }).__pulumiType === "pulumi-nodejs:dynamic/libvirt:Domain"
        );
    }

    /**
     * An existing domain by ID (its UUID, or its name), read from libvirt; `state` may carry `uri`
     * for a domain on another host. Needs @pulumi/pulumi 3.268 or later.
     */
    public static get(
        name: string,
        id: pulumi.Input<pulumi.ID>,
        state?: Partial<DomainArgs>,
        opts?: pulumi.CustomResourceOptions,
    ): Domain {
        return new Domain(name, (state ?? {}) as DomainArgs, { ...opts, id });
    }

    /** The domain's name on the host (automatic: the logical name, `-` and seven hex characters). */
    declare public readonly name: pulumi.Output<string>;
    /** kvm or qemu. */
    declare public readonly type: pulumi.Output<Plain["type"]>;
    /** Boot-time memory (as given: MiB or a string with a unit). */
    declare public readonly memory: pulumi.Output<Plain["memory"]>;
    /** The balloon target. */
    declare public readonly currentMemory: pulumi.Output<Plain["currentMemory"]>;
    /** vCPUs (count or { maximum, current, placement, cpuset }). */
    declare public readonly vcpu: pulumi.Output<Plain["vcpu"]>;
    /** The CPU model and topology. */
    declare public readonly cpu: pulumi.Output<Plain["cpu"]>;
    /** Machine type, firmware, boot order, direct kernel boot. */
    declare public readonly os: pulumi.Output<Plain["os"]>;
    /** The devices as declared (console passwords are in `graphicsPasswords`). */
    declare public readonly devices: pulumi.Output<Plain["devices"]>;
    /** Title and description (metadata). */
    declare public readonly title: pulumi.Output<string | undefined>;
    declare public readonly description: pulumi.Output<string | undefined>;
    /** Whether libvirtd starts the domain when it starts. */
    declare public readonly autostart: pulumi.Output<boolean | undefined>;
    /** The desired power state: true (running), false (shut off) or "paused" (suspended). */
    declare public readonly running: pulumi.Output<Plain["running"]>;
    /** The connection URI, when given. */
    declare public readonly uri: pulumi.Output<string | undefined>;
    /** never, graceful or force. */
    declare public readonly restartPolicy: pulumi.Output<Plain["restartPolicy"]>;

    /** The domain's UUID (also its Pulumi ID). */
    declare public readonly uuid: pulumi.Output<string>;
    /** The MAC address of each interface, in `devices.interfaces` order. */
    declare public readonly macAddresses: pulumi.Output<string[]>;
    /** The non-link-local IP addresses of each interface, in `devices.interfaces` order. */
    declare public readonly ipAddresses: pulumi.Output<string[][]>;
    /** The power state: running, shutoff, paused... */
    declare public readonly state: pulumi.Output<string>;
    /** True when the definition holds changes the running guest gets only after a restart. */
    declare public readonly pendingRestart: pulumi.Output<boolean>;
    /** The fields waiting for that restart. */
    declare public readonly pendingChanges: pulumi.Output<string[]>;
    /** The console password of each `devices.graphics` entry (null where none). Secret. */
    declare public readonly graphicsPasswords: pulumi.Output<Array<string | null>>;

    constructor(name: string, args: DomainArgs, opts?: pulumi.CustomResourceOptions) {
        if (opts?.id === undefined && (args === undefined || args.memory === undefined)) {
            throw new Error("Missing required property 'memory'");
        }
        // A fresh object: the dynamic Resource writes __provider into the props it is given.
        const props = { ...computedPlaceholders, ...args, ...hiddenInputs(name) };
        super(
            providerStub("domain"),
            name,
            // Console passwords are secret even when the program passed them as plain strings.
            withSecretInputs("domain", props),
            withSecretOutputs("domain", opts),
            "libvirt",
            "Domain",
        );
    }
}
