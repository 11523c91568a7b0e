/**
 * `Domain`: a KVM/QEMU virtual machine. Edits apply live where libvirt can (vCPUs, balloon,
 * hot plug, media, link state, metadata, autostart), are written for the next boot where that is
 * enough, and wait for a restart (or restart it, per `restartPolicy`) otherwise; only identity
 * changes (name, type, UUID, architecture, host) replace it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DomainArgs } from "./generated/inputs";
import type { DomainOutputs } from "./generated/outputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

export type { DomainArgs };

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
    features: undefined,
    maxMemory: undefined,
    cputune: undefined,
    numatune: undefined,
    memoryBacking: undefined,
    clock: undefined,
    onPoweroff: undefined,
    onReboot: undefined,
    onCrash: undefined,
    shutdownTimeoutSeconds: undefined,
    waitForIp: undefined,
    adopt: undefined,
    memtune: undefined,
    vcpus: undefined,
    iothreads: undefined,
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
    declare public readonly name: pulumi.Output<DomainOutputs["name"]>;
    /** kvm or qemu. */
    declare public readonly type: pulumi.Output<DomainOutputs["type"]>;
    /** Boot-time memory (as given: MiB or a string with a unit). */
    declare public readonly memory: pulumi.Output<DomainOutputs["memory"]>;
    /** The balloon target. */
    declare public readonly currentMemory: pulumi.Output<DomainOutputs["currentMemory"]>;
    /** vCPUs (count or { maximum, current, placement, cpuset }). */
    declare public readonly vcpu: pulumi.Output<DomainOutputs["vcpu"]>;
    /** The CPU model and topology. */
    declare public readonly cpu: pulumi.Output<DomainOutputs["cpu"]>;
    /** Machine type, firmware, boot order, direct kernel boot. */
    declare public readonly os: pulumi.Output<DomainOutputs["os"]>;
    /** The devices as declared (console passwords are in `graphicsPasswords`). */
    declare public readonly devices: pulumi.Output<DomainOutputs["devices"]>;
    /** Title and description (metadata). */
    declare public readonly title: pulumi.Output<DomainOutputs["title"]>;
    declare public readonly description: pulumi.Output<DomainOutputs["description"]>;
    /** Whether libvirtd starts the domain when it starts. */
    declare public readonly autostart: pulumi.Output<DomainOutputs["autostart"]>;
    /** The desired power state: true (running), false (shut off) or "paused" (suspended). */
    declare public readonly running: pulumi.Output<DomainOutputs["running"]>;
    /** The connection URI, when given. */
    declare public readonly uri: pulumi.Output<DomainOutputs["uri"]>;
    /** never, graceful or force. */
    declare public readonly restartPolicy: pulumi.Output<DomainOutputs["restartPolicy"]>;

    /** `<features>`: */
    declare public readonly features: pulumi.Output<DomainOutputs["features"]>;
    /** `<maxMemory>`: */
    declare public readonly maxMemory: pulumi.Output<DomainOutputs["maxMemory"]>;
    /** `<cputune>`: */
    declare public readonly cputune: pulumi.Output<DomainOutputs["cputune"]>;
    /** `<numatune>`: */
    declare public readonly numatune: pulumi.Output<DomainOutputs["numatune"]>;
    /** `<memoryBacking>`: */
    declare public readonly memoryBacking: pulumi.Output<DomainOutputs["memoryBacking"]>;
    /** `<clock>`: */
    declare public readonly clock: pulumi.Output<DomainOutputs["clock"]>;
    /** `<on_poweroff>`: */
    declare public readonly onPoweroff: pulumi.Output<DomainOutputs["onPoweroff"]>;
    /** `<on_reboot>`: */
    declare public readonly onReboot: pulumi.Output<DomainOutputs["onReboot"]>;
    /** `<on_crash>`: */
    declare public readonly onCrash: pulumi.Output<DomainOutputs["onCrash"]>;
    /** How long a graceful shutdown (restart or delete) may take before the guest is powered off. */
    declare public readonly shutdownTimeoutSeconds: pulumi.Output<DomainOutputs["shutdownTimeoutSeconds"]>;
    /** Wait for addresses: */
    declare public readonly waitForIp: pulumi.Output<DomainOutputs["waitForIp"]>;
    /** Take over an existing object of the same name instead of failing because it exists. */
    declare public readonly adopt: pulumi.Output<DomainOutputs["adopt"]>;

    /** `<memtune>`: hard, soft and swap limits on the host memory the guest may use. */
    declare public readonly memtune: pulumi.Output<DomainOutputs["memtune"]>;
    /** `<vcpus>`: one entry per vCPU (all of them, 0 to maximum - 1): which are online at start and which can be unplugged live, so that `vcpu.current` can go down on a running guest. */
    declare public readonly vcpus: pulumi.Output<DomainOutputs["vcpus"]>;
    /** `<iothreads>`: how many I/O threads QEMU runs for disks and controllers (their `driver.iothread`). */
    declare public readonly iothreads: pulumi.Output<DomainOutputs["iothreads"]>;

    /** The domain's UUID (also its Pulumi ID). */
    declare public readonly uuid: pulumi.Output<DomainOutputs["uuid"]>;
    /** The MAC address of each interface, in `devices.interfaces` order. */
    declare public readonly macAddresses: pulumi.Output<DomainOutputs["macAddresses"]>;
    /** The non-link-local IP addresses of each interface, in `devices.interfaces` order. */
    declare public readonly ipAddresses: pulumi.Output<DomainOutputs["ipAddresses"]>;
    /** The power state: running, shutoff, paused... */
    declare public readonly state: pulumi.Output<DomainOutputs["state"]>;
    /** True when the definition holds changes the running guest gets only after a restart. */
    declare public readonly pendingRestart: pulumi.Output<DomainOutputs["pendingRestart"]>;
    /** The fields waiting for that restart. */
    declare public readonly pendingChanges: pulumi.Output<DomainOutputs["pendingChanges"]>;
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
