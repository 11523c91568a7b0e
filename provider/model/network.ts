/**
 * The Network model: one schema per element of libvirt's `<network>` document (formatnetwork).
 * Unmodelled attributes and children of each element are carried in its `extra`.
 */
import { z } from "zod";
import {
    compareIps,
    extraSchema,
    ipAddressSchema,
    ipv4AddressSchema,
    isAddressInSubnet,
    libvirtNameSchema,
    macAddressSchema,
    parseIp,
    prefixFitsAddress,
    prefixLengthSchema,
    uuidSchema,
} from "./common";
import { dhcpHostEntrySchema, dhcpHostProblems, dhcpLeaseSchema } from "./dhcp-host";
import { dnsHostEntrySchema, dnsNameSchema } from "./dns-host";

/** Forward modes libvirt knows; an isolated network has no `<forward>` at all. */
export const forwardModes = ["nat", "route", "open", "bridge", "passthrough", "private", "vepa", "hostdev"] as const;

/** A forward mode as written in the XML. */
export type ForwardMode = (typeof forwardModes)[number];

/** A first-to-last pair of numbers or addresses (`start`/`end` attributes). */
const portRangeSchema = z
    .strictObject({
        /** `start` attribute: first port of the range. */
        start: z.number().int().min(1).max(65535),
        /** `end` attribute: last port of the range. */
        end: z.number().int().min(1).max(65535),
    })
    .refine((range) => range.start <= range.end, { message: "the port range starts after it ends", path: ["end"] });

const natAddressRangeSchema = z
    .strictObject({
        /** `start` attribute: first public IPv4 address used for masquerading. */
        start: ipv4AddressSchema,
        /** `end` attribute: last public IPv4 address used for masquerading. */
        end: ipv4AddressSchema,
    })
    .refine((range) => compareIps(range.start, range.end) <= 0, {
        message: "the address range starts after it ends",
        path: ["end"],
    });

/** `<nat>` under `<forward mode='nat'>`: which addresses and ports masquerading may use. */
export const natSchema = z.strictObject({
    /** `<address start end>`: the public IPv4 range to masquerade to. */
    addresses: natAddressRangeSchema.optional(),
    /** `<port start end>`: the source port range to masquerade to (libvirt's default is 1024-65535). */
    ports: portRangeSchema.optional(),
    /** `ipv6` attribute: also NAT IPv6 traffic (yes/no). */
    ipv6: z.boolean().optional(),
    /** Attributes and children of `<nat>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** `<forward>`: how the network reaches the outside; mode "isolated" means no `<forward>` at all. */
export const forwardSchema = z
    .strictObject({
        /** `mode` attribute: nat, route, open, bridge (an existing host bridge), or a device-assignment mode; "isolated" drops `<forward>`. */
        mode: z.enum([...forwardModes, "isolated"]),
        /** `dev` attribute: host interface the traffic must leave through. */
        dev: z.string().min(1).optional(),
        /** `<nat>` child: masquerading ranges for mode nat. */
        nat: natSchema.optional(),
        /** Attributes and children of `<forward>` this model does not describe (interfaces, pf, driver...). */
        extra: extraSchema.optional(),
    })
    .transform((forward) =>
        forward.mode === "isolated" ? undefined : { ...forward, mode: forward.mode as ForwardMode },
    );

/** Bridge names must fit Linux's interface name limit (15 bytes) and contain no '/' or spaces. */
const bridgeNameSchema = z
    .string()
    .regex(/^[^/\s]{1,15}$/, { message: "a bridge name is 1-15 characters without '/' or spaces, e.g. virbr10" });

/** `<bridge>`: the Linux bridge that libvirt creates (or, for mode bridge, uses). */
export const bridgeSchema = z.strictObject({
    /** `name` attribute: the bridge device; libvirt picks virbrN when unset. */
    name: bridgeNameSchema.optional(),
    /** `stp` attribute: Spanning Tree Protocol on or off (libvirt's default is on). */
    stp: z.boolean().optional(),
    /** `delay` attribute: STP forward delay in seconds (libvirt's default is 0). */
    delay: z.number().int().min(0).optional(),
    /** `macTableManager` attribute: kernel (default) or libvirt managing the bridge's forwarding table. */
    macTableManager: z.enum(["kernel", "libvirt"]).optional(),
    /** `zone` attribute: firewalld zone for the bridge. */
    zone: z.string().min(1).optional(),
    /** Attributes and children of `<bridge>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** `<domain>`: the DNS domain dnsmasq serves for the network's guests. */
export const dnsDomainSchema = z.strictObject({
    /** `name` attribute: the domain name, e.g. "lab.example". */
    name: dnsNameSchema,
    /** `localOnly` attribute: answer names in this domain locally only, never forward them (yes/no). */
    localOnly: z.boolean().optional(),
    /** Attributes and children of `<domain>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** `<range>` under `<dhcp>`: a pool of addresses handed out dynamically. */
export const dhcpRangeSchema = z
    .strictObject({
        /** `start` attribute: first address of the pool. */
        start: ipAddressSchema,
        /** `end` attribute: last address of the pool. */
        end: ipAddressSchema,
        /** `<lease>` child: lease time for addresses from this range. */
        lease: dhcpLeaseSchema.optional(),
        /** Attributes and children of `<range>` this model does not describe. */
        extra: extraSchema.optional(),
    })
    .superRefine((range, ctx) => {
        const start = parseIp(range.start);
        const end = parseIp(range.end);
        if (start && end && start.family !== end.family) {
            ctx.addIssue({ code: "custom", path: ["end"], message: "start and end are of different address families" });
        } else if (start && end && start.value > end.value) {
            ctx.addIssue({
                code: "custom",
                path: ["end"],
                message: `the range starts (${range.start}) after it ends (${range.end}); swap them`,
            });
        }
    });

/** A DHCP range. */
export type DhcpRange = z.infer<typeof dhcpRangeSchema>;

/** `<dhcp>` under `<ip>`: dynamic ranges and static hosts served by dnsmasq. */
export const dhcpSchema = z.strictObject({
    /** `<range>` children: dynamic address pools, in order. */
    ranges: z.array(dhcpRangeSchema).optional(),
    /** `<host>` children: static assignments, in order. */
    hosts: z.array(dhcpHostEntrySchema).optional(),
    /** Attributes and children of `<dhcp>` this model does not describe (bootp...). */
    extra: extraSchema.optional(),
});

/** `<ip>`: an address of the host on the network, with its subnet and DHCP service. */
export const networkIpSchema = z.strictObject({
    /** `address` attribute: the host's address on the bridge (the guests' gateway). */
    address: ipAddressSchema,
    /** `prefix` attribute (a `netmask` is read into it): the subnet's prefix length, e.g. 24 or 64. */
    prefix: prefixLengthSchema.optional(),
    /** `localPtr` attribute: answer reverse lookups for this subnet locally (yes/no). */
    localPtr: z.boolean().optional(),
    /** `<dhcp>` child: DHCP service on this subnet. */
    dhcp: dhcpSchema.optional(),
    /** Attributes and children of `<ip>` this model does not describe (tftp...). */
    extra: extraSchema.optional(),
});

/** An address block of a network. */
export type NetworkIp = z.infer<typeof networkIpSchema>;

/** `<forwarder>` under `<dns>`: an upstream DNS server, optionally for one domain only. */
export const dnsForwarderSchema = z.strictObject({
    /** `addr` attribute: the upstream server's address. */
    address: ipAddressSchema.optional(),
    /** `domain` attribute: only queries for this domain go there. */
    domain: dnsNameSchema.optional(),
    /** Attributes and children of `<forwarder>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** `<txt>` under `<dns>`: a TXT record. */
export const dnsTxtSchema = z.strictObject({
    /** `name` attribute: the record's name. */
    name: dnsNameSchema,
    /** `value` attribute: the record's text. */
    value: z.string().optional(),
    /** Attributes and children of `<txt>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** `<srv>` under `<dns>`: an SRV record. */
export const dnsSrvSchema = z.strictObject({
    /** `service` attribute: the service name, without the leading underscore. */
    service: z.string().min(1).optional(),
    /** `protocol` attribute: tcp or udp, without the leading underscore. */
    protocol: z.string().min(1).optional(),
    /** `domain` attribute: the domain of the record. */
    domain: dnsNameSchema.optional(),
    /** `target` attribute: the host providing the service ("." for none). */
    target: z.string().min(1).optional(),
    /** `port` attribute: the service's port. */
    port: z.number().int().min(0).max(65535).optional(),
    /** `priority` attribute: lower is preferred. */
    priority: z.number().int().min(0).max(65535).optional(),
    /** `weight` attribute: share among records of equal priority. */
    weight: z.number().int().min(0).max(65535).optional(),
    /** Attributes and children of `<srv>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** `<dns>`: the DNS service dnsmasq provides on the network. */
export const dnsSchema = z.strictObject({
    /** `enable` attribute: run the DNS server at all (yes/no; libvirt's default is yes). */
    enable: z.boolean().optional(),
    /** `forwardPlainNames` attribute: forward names without a domain upstream (yes/no). */
    forwardPlainNames: z.boolean().optional(),
    /** `<forwarder>` children: upstream servers. */
    forwarders: z.array(dnsForwarderSchema).optional(),
    /** `<host>` children: address records. */
    hosts: z.array(dnsHostEntrySchema).optional(),
    /** `<srv>` children: SRV records. */
    srvs: z.array(dnsSrvSchema).optional(),
    /** `<txt>` children: TXT records. */
    txts: z.array(dnsTxtSchema).optional(),
    /** Attributes and children of `<dns>` this model does not describe. */
    extra: extraSchema.optional(),
});

/** The Network resource: a libvirt virtual network. */
export const networkSchema = z
    .strictObject({
        /** `<name>`: the network's unique name. */
        name: libvirtNameSchema,
        /** `<uuid>`: the network's UUID; libvirt generates one when unset. */
        uuid: uuidSchema.optional(),
        /** `ipv6` attribute of `<network>`: let guests talk IPv6 to each other without an IPv6 address (yes/no). */
        ipv6: z.boolean().optional(),
        /** `<forward>`: connectivity mode; absent (or mode "isolated") for an isolated network. */
        forward: forwardSchema.optional(),
        /** `<bridge>`: the bridge device and its STP settings. */
        bridge: bridgeSchema.optional(),
        /** `<mac address>`: MAC of the bridge; libvirt generates one when unset. */
        mac: macAddressSchema.optional(),
        /** `<mtu size>`: MTU of the bridge in bytes. */
        mtu: z.number().int().min(68).max(65535).optional(),
        /** `<domain>`: the DNS domain of the network. */
        domain: dnsDomainSchema.optional(),
        /** `<dns>`: DNS service settings and records. */
        dns: dnsSchema.optional(),
        /** `<ip>` children: the network's IPv4 and IPv6 subnets. */
        ips: z.array(networkIpSchema).optional(),
        /** Start the network when libvirtd starts (not part of the XML; set through the API). */
        autostart: z.boolean().optional(),
        /** Attributes and children of `<network>` this model does not describe (portgroups, routes, bandwidth...). */
        extra: extraSchema.optional(),
    })
    .superRefine((network, ctx) => {
        for (const problem of networkProblems(network)) {
            ctx.addIssue({ code: "custom", path: problem.path, message: problem.reason });
        }
    });

/** A Network as the provider holds it (bytes, canonical addresses). */
export type Network = z.infer<typeof networkSchema>;
/** A Network as users may write it. */
export type NetworkInput = z.input<typeof networkSchema>;

type Problem = { path: (string | number)[]; reason: string };

function ipProblems(ip: NetworkIp, index: number): Problem[] {
    const problems: Problem[] = [];
    const at = (...rest: (string | number)[]) => ["ips", index, ...rest];
    const family = parseIp(ip.address)?.family;
    if (ip.prefix !== undefined && !prefixFitsAddress(ip.address, ip.prefix)) {
        problems.push({ path: at("prefix"), reason: `prefix ${ip.prefix} is too long for an ${family} address` });
        return problems;
    }
    if (family === "ipv6" && ip.prefix === undefined) {
        problems.push({ path: at("prefix"), reason: "an IPv6 subnet needs a prefix, e.g. 64" });
    }
    const inSubnet = (address: string) => ip.prefix === undefined || isAddressInSubnet(address, ip.address, ip.prefix);
    for (const [r, range] of (ip.dhcp?.ranges ?? []).entries()) {
        for (const end of ["start", "end"] as const) {
            if (parseIp(range[end])?.family !== family) {
                problems.push({
                    path: at("dhcp", "ranges", r, end),
                    reason: `${range[end]} is not an ${family} address`,
                });
            } else if (!inSubnet(range[end])) {
                problems.push({
                    path: at("dhcp", "ranges", r, end),
                    reason: `${range[end]} lies outside the subnet ${ip.address}/${ip.prefix}`,
                });
            }
        }
    }
    const seenMacs = new Map<string, number>();
    for (const [h, host] of (ip.dhcp?.hosts ?? []).entries()) {
        for (const problem of dhcpHostProblems(host, ip)) {
            problems.push({ path: at("dhcp", "hosts", h, problem.field), reason: problem.reason });
        }
        if (host.mac !== undefined) {
            const earlier = seenMacs.get(host.mac);
            if (earlier !== undefined) {
                problems.push({
                    path: at("dhcp", "hosts", h, "mac"),
                    reason: `${host.mac} is already used by hosts[${earlier}]`,
                });
            } else seenMacs.set(host.mac, h);
        }
    }
    return problems;
}

/** Cross-field checks libvirt would otherwise make at define time, with full paths. */
function networkProblems(network: Network): Problem[] {
    const problems: Problem[] = [];
    for (const [index, ip] of (network.ips ?? []).entries()) problems.push(...ipProblems(ip, index));
    for (const family of ["ipv4", "ipv6"] as const) {
        const withDhcp = (network.ips ?? []).flatMap((ip, index) =>
            ip.dhcp !== undefined && parseIp(ip.address)?.family === family ? [index] : [],
        );
        if (withDhcp.length > 1) {
            problems.push({
                path: ["ips", withDhcp[1]!, "dhcp"],
                reason: `libvirt serves DHCP on one ${family} subnet only (ips[${withDhcp[0]}] already has it); keep a single <dhcp> per family`,
            });
        }
    }
    for (const [index, host] of (network.dns?.hosts ?? []).entries()) {
        if (host.ip === undefined)
            problems.push({ path: ["dns", "hosts", index, "ip"], reason: "a DNS host needs an ip" });
        if (host.hostnames.length === 0) {
            problems.push({
                path: ["dns", "hosts", index, "hostnames"],
                reason: "a DNS host needs at least one hostname",
            });
        }
    }
    if (network.forward?.nat !== undefined && network.forward.mode !== "nat") {
        problems.push({ path: ["forward", "nat"], reason: "nat settings only apply to forward mode nat" });
    }
    return problems;
}
