/**
 * The DhcpHost resource's arguments: one static DHCP entry (MAC or client id, name, address,
 * lease) for an existing network, plus the resource-level fields.
 */
import { z } from "zod";
import { dhcpHostSchema } from "../../model/dhcp-host";
import { resourceFields, HIDDEN_INPUT_KEYS } from "../shared/check";

// The model's `id` (DHCP client id) cannot keep its name: `id` is every Pulumi resource's own ID.
const { id: clientId, ...entryFields } = dhcpHostSchema.shape;

/** The argument schema (the entry's cross-field rules run in `check`). */
export const dhcpHostArgsSchema = z.strictObject({
    ...entryFields,
    /** `id` attribute: the DHCP client identifier or DHCPv6 DUID (named clientId: `id` is the resource's ID). */
    clientId,
    ...resourceFields,
});

/** Properties in the model's spelling (`clientId` becomes the XML's `id`). */
export function toModelSpelling(props: Record<string, unknown>): Record<string, unknown> {
    const { clientId: value, ...rest } = props;
    return value === undefined ? rest : { ...rest, id: value };
}

/** A model entry in the resource's spelling (`id` becomes `clientId`). */
export function toResourceSpelling(entry: Record<string, unknown>): Record<string, unknown> {
    const { id: value, ...rest } = entry;
    return value === undefined ? rest : { ...rest, clientId: value };
}

/** What users may write for a DhcpHost. */
export type DhcpHostArgsInput = z.input<typeof dhcpHostArgsSchema>;

/** Output-only properties of a DhcpHost. */
export interface DhcpHostComputedOutputs {
    /** UUID of the network holding the entry. */
    networkUuid: string;
    /** Whether that network was running when the entry was last written or read. */
    networkActive: boolean;
}

/** Inputs that belong to the resource, not to the entry or its network (`network` is part of the model). */
export const DHCP_HOST_RESOURCE_FIELDS = ["uri", "adopt", ...HIDDEN_INPUT_KEYS] as const;
