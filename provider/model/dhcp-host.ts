/**
 * Static DHCP host entries: `<host>` under a network's `<ip><dhcp>`, and the DhcpHost resource that
 * manages one such entry in an existing network through network update.
 */
import { z } from "zod";
import {
    extraSchema,
    ipAddressSchema,
    isAddressInSubnet,
    libvirtNameSchema,
    macAddressSchema,
    parseIp,
    prefixFitsAddress,
} from "./common";
import { hostnameSchema } from "./hostname";

/** Units libvirt accepts for a DHCP lease time. */
export const leaseUnits = ["seconds", "minutes", "hours"] as const;

/** `<lease>` under a DHCP range or host: how long dnsmasq hands out the address. */
export const dhcpLeaseSchema = z.strictObject({
    /** `expiry` attribute: lease length in `unit`; 0 means the lease never expires. */
    expiry: z.number().int().min(0),
    /** `unit` attribute: seconds, minutes or hours; libvirt reads a missing unit as minutes. */
    unit: z.enum(leaseUnits).optional(),
});

/** A DHCP lease time. */
export type DhcpLease = z.infer<typeof dhcpLeaseSchema>;

/** One `<host>` entry of `<dhcp>`: a fixed address for a MAC (IPv4) or a client id (IPv6). */
export const dhcpHostEntrySchema = z.strictObject({
    /** `mac` attribute: the guest NIC's unicast MAC address (IPv4 networks only). */
    mac: macAddressSchema.optional(),
    /** `id` attribute: the DHCP client identifier or DHCPv6 DUID, as libvirt spells it. */
    id: z.string().min(1).optional(),
    /** `name` attribute: host name dnsmasq gives the client and publishes in DNS (RFC 1123: letters, digits, inner '-', dot-separated). */
    name: hostnameSchema.optional(),
    /** `ip` attribute: the fixed address handed out; must lie in the subnet of the enclosing `<ip>`. */
    ip: ipAddressSchema.optional(),
    /** `<lease>` child: lease time for this host only. */
    lease: dhcpLeaseSchema.optional(),
    /** Attributes and children of `<host>` this model does not describe, kept verbatim. */
    extra: extraSchema.optional(),
});

/** A static DHCP host entry. */
export type DhcpHostEntry = z.infer<typeof dhcpHostEntrySchema>;

/** A subnet of a network, as far as DHCP host checks need it. */
export interface SubnetLike {
    address: string;
    prefix?: number | undefined;
}

/**
 * Why a host entry cannot be placed in a subnet, or undefined when it can. Mirrors the checks
 * libvirt makes when it defines a network or applies a network update, so they fail early.
 */
export function dhcpHostProblems(host: DhcpHostEntry, subnet?: SubnetLike): { field: string; reason: string }[] {
    const problems: { field: string; reason: string }[] = [];
    if (host.ip === undefined) {
        problems.push({ field: "ip", reason: "a static DHCP host needs an ip address" });
        return problems;
    }
    const family = parseIp(host.ip)?.family;
    if (family === "ipv4" && host.mac === undefined && host.name === undefined) {
        problems.push({ field: "mac", reason: "an IPv4 DHCP host needs a mac or a name to be matched by" });
    }
    if (family === "ipv6" && host.mac !== undefined) {
        problems.push({ field: "mac", reason: "DHCPv6 hosts are matched by client id (DUID), not MAC; use id" });
    }
    if (family === "ipv6" && host.id === undefined && host.name === undefined) {
        problems.push({ field: "id", reason: "an IPv6 DHCP host needs an id (DUID) or a name to be matched by" });
    }
    if (subnet !== undefined) {
        const subnetFamily = parseIp(subnet.address)?.family;
        if (family !== subnetFamily) {
            problems.push({
                field: "ip",
                reason: `${host.ip} is not of the same family as the subnet ${subnet.address}`,
            });
        } else if (
            subnet.prefix !== undefined &&
            prefixFitsAddress(subnet.address, subnet.prefix) &&
            !isAddressInSubnet(host.ip, subnet.address, subnet.prefix)
        ) {
            problems.push({
                field: "ip",
                reason: `${host.ip} lies outside the subnet ${subnet.address}/${subnet.prefix}`,
            });
        }
    }
    return problems;
}

/** The DhcpHost resource: one static DHCP entry added to an existing network with network update. */
export const dhcpHostSchema = dhcpHostEntrySchema
    .extend({
        /** Name of the libvirt network whose `<ip><dhcp>` receives the entry. */
        network: libvirtNameSchema,
        /** `ip` attribute: the fixed address; required here, and checked against the network's subnets. */
        ip: ipAddressSchema,
    })
    .superRefine((host, ctx) => {
        for (const problem of dhcpHostProblems(host)) {
            ctx.addIssue({ code: "custom", path: [problem.field], message: problem.reason });
        }
    });

/** A DhcpHost resource's arguments. */
export type DhcpHost = z.infer<typeof dhcpHostSchema>;

/**
 * Checks a DhcpHost against the subnets of its network: the address must lie in one of them.
 * Returns the reasons it does not, empty when it fits; the resource calls this once it has read the network.
 */
export function dhcpHostFitsNetwork(host: DhcpHostEntry, subnets: readonly SubnetLike[]): string[] {
    if (host.ip === undefined) return ["a static DHCP host needs an ip address"];
    const sameFamily = subnets.filter((subnet) => parseIp(subnet.address)?.family === parseIp(host.ip!)?.family);
    const home = sameFamily.find(
        (subnet) => subnet.prefix === undefined || isAddressInSubnet(host.ip!, subnet.address, subnet.prefix),
    );
    if (home === undefined) {
        const listed = subnets.map((s) => `${s.address}/${s.prefix ?? "?"}`).join(", ") || "none";
        return [`${host.ip} lies outside every subnet of the network (subnets: ${listed})`];
    }
    return dhcpHostProblems(host, home).map((problem) => problem.reason);
}
