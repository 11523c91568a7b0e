/**
 * One descriptor per resource kind: the single source of what the kind is, beside its args schema
 * and change-policy table. `npm run schema` writes from it, in one walk, the SDK's argument and
 * output types, the SDK classes and their runtime facts (sdk/generated/), schema.json, and (through
 * `npm run docs`) the README's and docs' tables. Each kind appends one entry to `schemaKinds`.
 */
import type { z } from "zod";
import type { PolicyKind } from "../../provider/model/change-policy";
import type { ResourceKind } from "../../provider/resources/shared/handler";
import { STORAGE_POOL_RESOURCE_FIELDS, storagePoolArgsSchema } from "../../provider/resources/storage-pool/args";
import { DHCP_HOST_RESOURCE_FIELDS, dhcpHostArgsSchema } from "../../provider/resources/dhcp-host/args";
import { DNS_HOST_RESOURCE_FIELDS, dnsHostArgsSchema } from "../../provider/resources/dns-host/args";
import { NETWORK_RESOURCE_FIELDS, networkArgsSchema } from "../../provider/resources/network/args";
import { VOLUME_REPLACE_FIELDS, VOLUME_RESOURCE_FIELDS, volumeArgsSchema } from "../../provider/resources/volume/args";
import { domainArgsSchema, resourceFieldKeys as DOMAIN_RESOURCE_FIELDS } from "../../provider/resources/domain/args";
import {
    CLOUD_INIT_REPLACE_FIELDS,
    CLOUD_INIT_RESOURCE_FIELDS,
    cloudInitArgsSchema,
} from "../../provider/resources/cloud-init/args";
import {
    DOMAIN_SNAPSHOT_RESOURCE_FIELDS,
    domainSnapshotArgsSchema,
} from "../../provider/resources/domain-snapshot/args";
import type { PropertySpec } from "./pulumi-types";
import type { TypeLocation } from "./type-walk";

/** A computed output: its schema type and description, and where needed the SDK class's own type. */
export interface OutputSpec extends PropertySpec {
    /** The TypeScript the class declares when the schema cannot say it (items that may be null). */
    sdkType?: string;
}

export interface SchemaKind {
    /** The resource type name (`libvirt:index:<kind>`; runtime `pulumi-nodejs:dynamic/libvirt:<kind>`). */
    kind: ResourceKind;
    /** What the resource is, in a sentence or two. */
    description: string;
    /** The args schema from provider/resources/<kind>/args.ts. */
    args: z.ZodType;
    /**
     * The type users write (`z.input` of `args`, or what the resource accepts around it), by module
     * and exported name: the generator reads it, with each field's JSDoc, through the compiler.
     */
    sdkArgs: TypeLocation;
    /** The change-policy table that decides replacements. */
    policyKind: PolicyKind;
    /** Inputs that are not part of the libvirt model (uri, adopt, namePrefix, kind-specific ones). */
    resourceFields: readonly string[];
    /** Resource-level inputs whose change replaces the resource (`uri` always does). */
    replaceFields?: readonly string[];
    /** Input names spelled differently from the model's (DhcpHost `clientId` is the model's `id`). */
    renames?: Readonly<Record<string, string>>;
    /** Output-only properties with their types (`secret: true` marks one the SDK makes secret). */
    outputs: Readonly<Record<string, OutputSpec>>;
    /** Outputs always present (besides required inputs). */
    requiredOutputs: readonly string[];
    /** Replace-class policy rows that have no input (read-only or computed), with the reason. */
    notInputs?: Readonly<Record<string, string>>;
    /** What the id of the class's static `get` is (`its UUID or its name`); a kind without it has no `get`. */
    getById?: string;
    /**
     * Outputs derived from an input under another name, by the input's path (`metaData.instance-id`):
     * the engine does not mark them secret when that input is, so the SDK does whenever the program
     * passes the input as an Output or a Promise (whose secretness is known only later).
     */
    derivedOutputs?: Readonly<Record<string, string>>;
}

/** Computed outputs by type: the description is all that varies. */
const text = (description: string): OutputSpec => ({ type: "string", description });
const flag = (description: string): OutputSpec => ({ type: "boolean", description });
const bytes = (description: string): OutputSpec => ({ type: "number", description });
const texts = (description: string): OutputSpec => ({ type: "array", items: { type: "string" }, description });

const storagePool: SchemaKind = {
    kind: "StoragePool",
    description:
        "A libvirt storage pool (dir by default): defined, built when its directory is missing, started and set to autostart. Deleting refuses while it holds volumes.",
    args: storagePoolArgsSchema,
    sdkArgs: { module: "provider/resources/storage-pool/args.ts", type: "StoragePoolArgsInput" },
    policyKind: "storagePool",
    resourceFields: STORAGE_POOL_RESOURCE_FIELDS,
    outputs: {
        uuid: text("The pool's UUID (also the resource id)."),
        active: flag("Whether the pool is running."),
        capacityBytes: bytes("Total size in bytes (0 while inactive)."),
        allocationBytes: bytes("Bytes in use."),
        availableBytes: bytes("Bytes free."),
        built: flag("Whether this resource built the pool (its empty directory is removed with it)."),
    },
    requiredOutputs: ["name", "type", "uri", "uuid", "autostart", "active"],
    getById: "its UUID or its name",
};

const network: SchemaKind = {
    kind: "Network",
    description:
        "A libvirt virtual network: defined, set to autostart and started. DHCP hosts and ranges and DNS records change live through network update; other changes restart the network only with `allowRestart` (a restart disconnects its guests).",
    args: networkArgsSchema,
    sdkArgs: { module: "provider/resources/network/args.ts", type: "NetworkArgsInput" },
    policyKind: "network",
    resourceFields: NETWORK_RESOURCE_FIELDS,
    outputs: {
        uuid: text("The network's UUID (also the resource id)."),
        bridgeName: text("The Linux bridge device of the network (virbrN when libvirt chose it)."),
        active: flag("Whether the network is running."),
    },
    requiredOutputs: ["name", "uri", "uuid", "bridgeName", "active"],
    getById: "its UUID or its name",
};

const entryOutputs: SchemaKind["outputs"] = {
    networkUuid: text("UUID of the network holding the entry."),
    networkActive: flag("Whether that network was running when the entry was last written or read."),
};

const dhcpHost: SchemaKind = {
    kind: "DhcpHost",
    description:
        "One static DHCP reservation in an existing network, added, modified and removed live through network update (the network and its guests are untouched). Its address must lie in one of the network's subnets.",
    args: dhcpHostArgsSchema,
    sdkArgs: { module: "provider/resources/dhcp-host/args.ts", type: "DhcpHostArgsInput" },
    policyKind: "dhcpHost",
    resourceFields: DHCP_HOST_RESOURCE_FIELDS,
    renames: { clientId: "id" },
    outputs: entryOutputs,
    requiredOutputs: ["network", "ip", "uri", "networkUuid", "networkActive"],
    getById: "`<network>/<mac, client id or ip>`",
};

const dnsHost: SchemaKind = {
    kind: "DnsHost",
    description:
        "One DNS host record (an address and its names) in an existing network, added and removed live through network update.",
    args: dnsHostArgsSchema,
    sdkArgs: { module: "provider/resources/dns-host/args.ts", type: "DnsHostArgsInput" },
    policyKind: "dnsHost",
    resourceFields: DNS_HOST_RESOURCE_FIELDS,
    outputs: entryOutputs,
    requiredOutputs: ["network", "ip", "hostnames", "uri", "networkUuid", "networkActive"],
    getById: "`<network>/<ip>`",
};

const volume: SchemaKind = {
    kind: "Volume",
    description:
        "A storage volume in a pool: empty (sparse, or preallocated), filled from a local image or an http(s) URL (streamed, sha256-checked), cloned from another volume, or a qcow2 overlay on a backing image. Growing `capacity` happens in place (a running guest's disk too); lowering it replaces the volume unless `allowShrink` is set. Deleting refuses while a domain uses the volume.",
    args: volumeArgsSchema,
    sdkArgs: { module: "provider/resources/volume/args.ts", type: "VolumeArgsInput" },
    policyKind: "volume",
    resourceFields: VOLUME_RESOURCE_FIELDS,
    replaceFields: VOLUME_REPLACE_FIELDS,
    outputs: {
        key: text("libvirt's key of the volume (its path in file pools; also the resource id)."),
        path: text("Where the volume lives on the host: use it as a disk's source file."),
        format: text("The image format libvirt reports (raw, qcow2...)."),
        capacityBytes: bytes("The virtual size in bytes, as libvirt reports it."),
        allocationBytes: bytes("The space the volume takes on the host, in bytes."),
        backingStorePath: text("The backing image of a copy-on-write overlay."),
        encryptionSecret: text("UUID of the libvirt secret the provider made to hold `passphrase`."),
    },
    requiredOutputs: ["name", "pool", "key", "path", "format", "capacityBytes", "allocationBytes"],
    getById: "its key, e.g. its path",
};

const domain: SchemaKind = {
    kind: "Domain",
    description:
        "A KVM/QEMU virtual machine: defined (validated by libvirt), set to autostart and started. vCPUs, balloon memory, disks, NICs, media, link state, title and description change live; settings the guest reads at boot are written for the next boot; other changes wait for a restart (`pendingRestart`) or restart it by `restartPolicy`. Only name, type, UUID, architecture and host replace it. Deleting shuts it down gracefully first.",
    args: domainArgsSchema,
    sdkArgs: { module: "provider/resources/domain/args.ts", type: "DomainResourceArgs" },
    policyKind: "domain",
    resourceFields: DOMAIN_RESOURCE_FIELDS,
    outputs: {
        uuid: text("The domain's UUID (also the resource id)."),
        macAddresses: texts("The MAC address of each interface, in `devices.interfaces` order."),
        ipAddresses: {
            type: "array",
            items: { type: "array", items: { type: "string" } },
            description: "The non-link-local IP addresses of each interface, in `devices.interfaces` order.",
        },
        state: text("The power state: running, shutoff, paused..."),
        pendingRestart: flag("True when the definition holds changes the running guest gets only after a restart."),
        pendingChanges: texts("The fields waiting for that restart."),
        graphicsPasswords: {
            ...texts("The console password of each `devices.graphics` entry (null where none)."),
            secret: true,
            sdkType: "Array<string | null>",
        },
    },
    requiredOutputs: ["name", "uuid", "macAddresses", "ipAddresses", "state", "pendingRestart", "pendingChanges"],
    getById: "its UUID or its name",
};

const cloudInit: SchemaKind = {
    kind: "CloudInit",
    description:
        "A cloud-init NoCloud seed (ISO 9660 labelled cidata, written in pure TypeScript) uploaded as a raw volume into a pool; attach `path` as a cdrom. The volume is named `<prefix>-<8 hex of the image's sha256>.iso`: new content is a new volume, created before the old one is deleted, and a Domain whose cdrom points at `path` gets the new medium live. userData and vendorData are secret.",
    args: cloudInitArgsSchema,
    sdkArgs: { module: "provider/resources/cloud-init/args.ts", type: "CloudInitArgsInput" },
    policyKind: "cloudInit",
    resourceFields: CLOUD_INIT_RESOURCE_FIELDS,
    replaceFields: CLOUD_INIT_REPLACE_FIELDS,
    outputs: {
        name: text("The seed volume's name: `<prefix>-<8 hex of the image's sha256>.iso`."),
        path: text("Where the seed volume lives on the host: a cdrom's source file."),
        key: text("libvirt's key of the volume (its path in file pools; also the resource id)."),
        sha256: text("sha256 of the seed image, hex."),
        instanceId: text(
            "The instance-id in meta-data: the given one, or `iid-` and 16 hex digits of a hash of the documents.",
        ),
        size: { type: "integer", description: "The image's size in bytes." },
    },
    requiredOutputs: ["name", "pool", "userData", "path", "key", "sha256", "instanceId", "size"],
    // A given instance-id is echoed as `instanceId`; `path` and `key` contain the `name` prefix.
    derivedOutputs: { instanceId: "metaData.instance-id", path: "name", key: "name" },
};

const domainSnapshot: SchemaKind = {
    kind: "DomainSnapshot",
    description:
        "A snapshot of an existing domain, taken when the resource is created: internal (inside the qcow2 disks, with the memory of a running guest) or external (overlay files, disk-only or with the memory). The description changes in place; a new `revertTrigger` value reverts the domain to the snapshot. Deleting removes the snapshot; libvirt merges an external snapshot's overlays back with a block commit, and where it cannot, delete refuses and changes nothing.",
    args: domainSnapshotArgsSchema,
    sdkArgs: { module: "provider/resources/domain-snapshot/args.ts", type: "DomainSnapshotArgsInput" },
    policyKind: "domainSnapshot",
    resourceFields: DOMAIN_SNAPSHOT_RESOURCE_FIELDS,
    outputs: {
        domainUuid: text(
            "UUID of the domain the snapshot belongs to (the snapshot is found by it, whatever the domain is called later).",
        ),
        creationTime: text("When the snapshot was taken (ISO 8601, libvirt's `creationTime`)."),
        state: text("The domain's state when it was taken: running, shutoff, disk-snapshot (external disk-only)..."),
        parent: text("The snapshot this one was taken on top of, when there is one."),
        current: flag(
            "Whether it is the domain's current snapshot (the one the guest last reverted to or was taken last).",
        ),
        overlays: {
            type: "array",
            items: { type: "object", additionalProperties: { type: "string" } },
            description: "The overlay file of each disk an external snapshot covers: `{ target, file }`.",
            sdkType: "{ target: string; file: string }[]",
        },
        files: texts("Every file the snapshot created: the overlays, then the memory state file."),
    },
    requiredOutputs: ["domain", "name", "uri", "domainUuid", "creationTime", "state", "current", "overlays", "files"],
    getById: "`<domain>/<snapshot>`",
};

/** Every kind in the schema; append one entry per kind. */
export const schemaKinds: SchemaKind[] = [
    storagePool,
    network,
    dhcpHost,
    dnsHost,
    volume,
    domain,
    cloudInit,
    domainSnapshot,
];
