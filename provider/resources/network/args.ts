/**
 * The Network resource's arguments: every field of the Network model (friendly form) plus the
 * resource-level fields. `name` is optional here because `check` autonames from `namePrefix`.
 */
import { z } from "zod";
import { libvirtNameSchema } from "../../model/common";
import { networkSchema } from "../../model/network";

/** Fields that belong to the resource rather than to libvirt's `<network>` document. */
export const networkResourceFieldsSchema = z.strictObject({
    /** libvirt connection URI; default: stack config `libvirt:uri`, LIBVIRT_DEFAULT_URI, qemu:///system. */
    uri: z.string().min(1).optional(),
    /** Take over an existing network of this name (reporting and updating what differs) instead of failing. */
    adopt: z.boolean().optional(),
    /** Hidden: the logical resource name the SDK passes for autonaming. */
    namePrefix: z.string().min(1).optional(),
    nameScope: z.string().optional(),
    /**
     * Allow changes that need the network stopped and started again (which disconnects its guests).
     * Without it such a change fails and names the fields that need it.
     */
    allowRestart: z.boolean().optional(),
});

/** The argument schema: model fields plus resource fields (the cross-field model checks run in `check`). */
export const networkArgsSchema = z.strictObject({
    ...networkSchema.shape,
    ...networkResourceFieldsSchema.shape,
    /** The network's name; when unset, `<logical name>-<7 hex>`. */
    name: libvirtNameSchema.optional(),
});

/** What users may write for a Network. */
export type NetworkArgsInput = z.input<typeof networkArgsSchema>;

/** Keys of the resource-level fields, which are not part of the `<network>` model. */
export const NETWORK_RESOURCE_FIELDS = Object.keys(networkResourceFieldsSchema.shape) as readonly string[];

/** Output-only properties of a Network, computed from libvirt. */
export interface NetworkComputedOutputs {
    /** The network's UUID (also the resource ID). */
    uuid: string;
    /** The Linux bridge the network uses (virbrN when libvirt chose it). */
    bridgeName: string;
    /** Whether the network is running. */
    active: boolean;
}
