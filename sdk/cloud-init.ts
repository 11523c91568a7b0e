/**
 * `CloudInit`: a cloud-init NoCloud seed (ISO 9660, label `cidata`, files user-data, meta-data,
 * network-config, vendor-data) written in pure TypeScript and uploaded as a raw volume into a
 * pool. Attach `path` as a cdrom. New content is a new volume under a new name (created before the
 * old one is deleted), so a Domain whose cdrom points at `path` gets the new medium live.
 */
import * as pulumi from "@pulumi/pulumi";
import type { CloudInitArgs } from "./generated/inputs";
import type { CloudInitOutputs } from "./generated/outputs";
import { withSecretInputs, withSecretOutputs } from "./secrets";
import { providerStub } from "./stub";
import { hiddenInputs } from "./hidden-inputs";

export type { CloudInitArgs };

const CLOUD_INIT_TYPE = "pulumi-nodejs:dynamic/libvirt:CloudInit";

/** Every declared property, passed as `undefined` unless given: Pulumi makes Outputs only of the keys it is handed. */
const PLACEHOLDERS = {
    name: undefined,
    pool: undefined,
    uri: undefined,
    userData: undefined,
    metaData: undefined,
    networkConfig: undefined,
    vendorData: undefined,
    path: undefined,
    key: undefined,
    sha256: undefined,
    instanceId: undefined,
    size: undefined,
};

/** True for a value the program gave as is (not an Output or a Promise, which may be secret). */
function isPlain(value: unknown): boolean {
    return !pulumi.Output.isInstance(value) && typeof (value as { then?: unknown } | null)?.then !== "function";
}

/**
 * Outputs derived from an input under another name, which the engine would not mark secret when
 * that input is: `instanceId` echoes a given `metaData["instance-id"]`, `path` and `key` contain
 * the `name` prefix. Whether an Output is secret is known only later, so an Output there makes
 * the derived outputs secret; plain values leave them readable.
 */
function derivedSecretOutputs(args: CloudInitArgs | undefined): string[] {
    const keys: string[] = [];
    const metaData = args?.metaData as unknown;
    const instanceId =
        metaData !== undefined && isPlain(metaData) ? (metaData as Record<string, unknown>)["instance-id"] : metaData;
    if (instanceId !== undefined && !isPlain(instanceId)) keys.push("instanceId");
    if (args?.name !== undefined && !isPlain(args.name)) keys.push("path", "key");
    return keys;
}

export class CloudInit extends pulumi.dynamic.Resource {
    /** Brand checked by `isInstance`; reliable across duplicate copies of this package. */
    public readonly __pulumiType = CLOUD_INIT_TYPE;

    /** The seed volume's name: `<prefix>-<first 8 hex digits of the image's sha256>.iso`. */
    declare public readonly name: pulumi.Output<CloudInitOutputs["name"]>;
    /** The pool holding the seed volume. */
    declare public readonly pool: pulumi.Output<CloudInitOutputs["pool"]>;
    /** libvirt URI the volume lives on, as given (unset means the default). */
    declare public readonly uri: pulumi.Output<CloudInitOutputs["uri"]>;
    /** user-data as given. Secret. */
    declare public readonly userData: pulumi.Output<CloudInitOutputs["userData"]>;
    /** meta-data as given (without the computed instance-id: see `instanceId`). */
    declare public readonly metaData: pulumi.Output<CloudInitOutputs["metaData"]>;
    /** network-config as given. */
    declare public readonly networkConfig: pulumi.Output<CloudInitOutputs["networkConfig"]>;
    /** vendor-data as given. Secret. */
    declare public readonly vendorData: pulumi.Output<CloudInitOutputs["vendorData"]>;

    /** Where the seed volume lives on the host: use it as a cdrom's source file. */
    declare public readonly path: pulumi.Output<CloudInitOutputs["path"]>;
    /** libvirt's key of the volume (its path in file pools); also the resource id. */
    declare public readonly key: pulumi.Output<CloudInitOutputs["key"]>;
    /** sha256 of the seed image, hex. */
    declare public readonly sha256: pulumi.Output<CloudInitOutputs["sha256"]>;
    /** The instance-id in meta-data: the given one, or `iid-` and 16 hex digits of a hash of the documents. */
    declare public readonly instanceId: pulumi.Output<CloudInitOutputs["instanceId"]>;
    /** The image's size in bytes. */
    declare public readonly size: pulumi.Output<CloudInitOutputs["size"]>;

    constructor(name: string, args: CloudInitArgs, opts?: pulumi.CustomResourceOptions) {
        if (args?.pool === undefined) throw new Error("Missing required property 'pool'");
        if (args.userData === undefined) throw new Error("Missing required property 'userData'");
        const derived = derivedSecretOutputs(args);
        const options = withSecretOutputs("cloudInit", opts);
        // A fresh object each time: the dynamic Resource writes __provider into the object it is given.
        super(
            providerStub("cloudInit"),
            name,
            // userData and vendorData are secret even when the program passed plain values.
            withSecretInputs("cloudInit", { ...PLACEHOLDERS, ...args, ...hiddenInputs(name) }),
            derived.length === 0 ? options : pulumi.mergeOptions(options, { additionalSecretOutputs: derived }),
            "libvirt",
            "CloudInit",
        );
    }

    /** True when `obj` is a CloudInit, even one from another copy of this package. */
    static override isInstance(obj: unknown): obj is CloudInit {
        return (
            typeof obj === "object" &&
            obj !== null &&
            (obj as { __pulumiType?: unknown }).__pulumiType === CLOUD_INIT_TYPE
        );
    }
}
