/**
 * DNS host records: `<host>` under a network's `<dns>`, and the DnsHost resource that manages one
 * record in an existing network through network update.
 */
import { z } from "zod";
import { extraSchema, ipAddressSchema, libvirtNameSchema } from "./common";
import { hostnameSchema } from "./hostname";

/** A DNS name as libvirt's schema allows it: letters, digits, '-' and '.' (no spaces, underscores or markup). */
export const dnsNameSchema = z
    .string()
    .regex(/^[a-zA-Z0-9.-]+$/, { message: "not a DNS name; use letters, digits, '-' and '.', e.g. db.lab.example" });

/**
 * One `<host>` record of `<dns>`: names that resolve to an address. Either part may be missing in
 * a network-update fragment that only identifies a record to delete; a network or a DnsHost
 * resource requires both.
 */
export const dnsHostEntrySchema = z.strictObject({
    /** `ip` attribute: the address the names resolve to. */
    ip: ipAddressSchema.optional(),
    /** `<hostname>` children: the names, in order (RFC 1123 host names). */
    hostnames: z.array(hostnameSchema),
    /** Attributes and children of `<host>` this model does not describe, kept verbatim. */
    extra: extraSchema.optional(),
});

/** A DNS host record. */
export type DnsHostEntry = z.infer<typeof dnsHostEntrySchema>;

/** The DnsHost resource: one DNS host record added to an existing network with network update. */
export const dnsHostSchema = dnsHostEntrySchema.extend({
    /** Name of the libvirt network whose `<dns>` receives the record. */
    network: libvirtNameSchema,
    /** `ip` attribute: the address the names resolve to. */
    ip: ipAddressSchema,
    /** `<hostname>` children: the names, in order; at least one (RFC 1123 host names). */
    hostnames: z.array(hostnameSchema).min(1, { message: "a DNS host needs at least one hostname" }),
});

/** A DnsHost resource's arguments. */
export type DnsHost = z.infer<typeof dnsHostSchema>;
