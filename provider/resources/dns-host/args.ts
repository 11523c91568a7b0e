/**
 * The DnsHost resource's arguments: one DNS host record (an address and its names) for an
 * existing network, plus the resource-level fields.
 */
import { z } from "zod";
import { dnsHostSchema } from "../../model/dns-host";
import { resourceFields, HIDDEN_INPUT_KEYS } from "../shared/check";

/** The argument schema. */
export const dnsHostArgsSchema = z.strictObject({
    ...dnsHostSchema.shape,
    ...resourceFields,
});

/** What users may write for a DnsHost. */
export type DnsHostArgsInput = z.input<typeof dnsHostArgsSchema>;

/** Output-only properties of a DnsHost. */
export interface DnsHostComputedOutputs {
    /** UUID of the network holding the record. */
    networkUuid: string;
    /** Whether that network was running when the record was last written or read. */
    networkActive: boolean;
}

/** Inputs that belong to the resource, not to the entry or its network (`network` is part of the model). */
export const DNS_HOST_RESOURCE_FIELDS = ["uri", "adopt", ...HIDDEN_INPUT_KEYS] as const;
