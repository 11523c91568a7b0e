/**
 * `DomainSnapshot`: a snapshot of an existing domain, taken when the resource is created: internal
 * (inside the qcow2 disks, with the memory of a running guest) or external (overlay files, disk-only
 * or with the memory). A new `revertTrigger` value reverts the domain to it; deleting it removes
 * the snapshot (libvirt merges an external snapshot's overlays back).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DomainSnapshotArgs } from "./generated/inputs";
import type { DomainSnapshotOutputs } from "./generated/outputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

export type { DomainSnapshotArgs };

/** Properties of an existing DomainSnapshot, for `DomainSnapshot.get`. */
export type DomainSnapshotState = Partial<DomainSnapshotArgs>;

const TYPE_TOKEN = "pulumi-nodejs:dynamic/libvirt:DomainSnapshot";

/**
 * Every declared property, passed as `undefined` unless given: Pulumi makes an Output only for keys
 * present in the props, so an argument left out would otherwise be `undefined` on the instance. They
 * are not sent to the engine.
 */
const COMPUTED_PLACEHOLDERS = {
    domain: undefined,
    name: undefined,
    uri: undefined,
    adopt: undefined,
    description: undefined,
    kind: undefined,
    memory: undefined,
    memoryFile: undefined,
    disks: undefined,
    quiesce: undefined,
    revertTrigger: undefined,
    domainUuid: undefined,
    creationTime: undefined,
    state: undefined,
    parent: undefined,
    current: undefined,
    overlays: undefined,
    files: undefined,
};

export class DomainSnapshot extends pulumi.dynamic.Resource {
    /** Brand checked by `isInstance`; reliable across duplicate copies of this package. */
    public readonly __pulumiType = TYPE_TOKEN;

    /** Name of the domain the snapshot belongs to. */
    declare public readonly domain: pulumi.Output<DomainSnapshotOutputs["domain"]>;
    /** The snapshot's name within its domain. */
    declare public readonly name: pulumi.Output<DomainSnapshotOutputs["name"]>;
    /** libvirt URI the domain lives on, as resolved. */
    declare public readonly uri: pulumi.Output<DomainSnapshotOutputs["uri"]>;
    declare public readonly adopt: pulumi.Output<DomainSnapshotOutputs["adopt"]>;
    /** Free text for humans. */
    declare public readonly description: pulumi.Output<DomainSnapshotOutputs["description"]>;
    /** internal or external, as declared (unset means internal). */
    declare public readonly kind: pulumi.Output<DomainSnapshotOutputs["kind"]>;
    declare public readonly memory: pulumi.Output<DomainSnapshotOutputs["memory"]>;
    declare public readonly memoryFile: pulumi.Output<DomainSnapshotOutputs["memoryFile"]>;
    declare public readonly disks: pulumi.Output<DomainSnapshotOutputs["disks"]>;
    declare public readonly quiesce: pulumi.Output<DomainSnapshotOutputs["quiesce"]>;
    /** The value whose change reverts the domain to this snapshot. */
    declare public readonly revertTrigger: pulumi.Output<DomainSnapshotOutputs["revertTrigger"]>;

    /** UUID of the domain (the snapshot is found by it, whatever the domain is called later). */
    declare public readonly domainUuid: pulumi.Output<DomainSnapshotOutputs["domainUuid"]>;
    /** When the snapshot was taken (ISO 8601, libvirt's `creationTime`). */
    declare public readonly creationTime: pulumi.Output<DomainSnapshotOutputs["creationTime"]>;
    /** The domain's state when it was taken: running, shutoff, disk-snapshot (an external disk-only one)... */
    declare public readonly state: pulumi.Output<DomainSnapshotOutputs["state"]>;
    /** The snapshot this one was taken on top of, when there is one. */
    declare public readonly parent: pulumi.Output<DomainSnapshotOutputs["parent"]>;
    /** Whether it is the domain's current snapshot (the one the guest last reverted to or was taken last). */
    declare public readonly current: pulumi.Output<DomainSnapshotOutputs["current"]>;
    /** The overlay file of each disk an external snapshot covers. */
    declare public readonly overlays: pulumi.Output<{ target: string; file: string }[]>;
    /** Every file the snapshot created: the overlays, then the memory state file. */
    declare public readonly files: pulumi.Output<DomainSnapshotOutputs["files"]>;

    constructor(name: string, args: DomainSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
        // `get` (opts.id) reads an existing snapshot and needs no declaration.
        if (opts?.id === undefined && args?.domain === undefined) {
            throw new Error("Missing required property 'domain'");
        }
        // A fresh object each time: the dynamic Resource writes __provider into the object it is given.
        super(
            providerStub("domainSnapshot"),
            name,
            withSecretInputs("domainSnapshot", { ...COMPUTED_PLACEHOLDERS, ...args, ...hiddenInputs(name) }),
            withSecretOutputs("domainSnapshot", opts),
            "libvirt",
            "DomainSnapshot",
        );
    }

    /** Looks up an existing snapshot by id (`<domain>/<snapshot>`); `state` may give its uri. */
    static get(
        name: string,
        id: pulumi.Input<pulumi.ID>,
        state?: DomainSnapshotState,
        opts?: pulumi.CustomResourceOptions,
    ): DomainSnapshot {
        return new DomainSnapshot(name, { ...state } as DomainSnapshotArgs, { ...opts, id });
    }

    /** True when `obj` is a DomainSnapshot, even one from another copy of this package. */
    static override isInstance(obj: unknown): obj is DomainSnapshot {
        return (
            typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === TYPE_TOKEN
        );
    }
}
