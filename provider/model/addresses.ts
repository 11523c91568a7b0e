/**
 * IP and MAC addresses as plain functions: parsing, canonical spelling, prefixes and subnets.
 * The zod wrappers live in common.ts; these functions are also used by the XML readers.
 */

export type IpFamily = "ipv4" | "ipv6";

/** An address reduced to its family and its value as an unsigned integer. */
export interface ParsedIp {
    family: IpFamily;
    value: bigint;
}

const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Reads dotted IPv4 ("192.168.122.1"); leading zeros are refused, since some tools read them as octal. */
export function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) return undefined;
    let value = 0n;
    for (const part of parts) {
        if (!IPV4_OCTET.test(part)) return undefined;
        value = (value << 8n) | BigInt(Number(part));
    }
    return value;
}

function parseHextets(text: string): number[] | undefined {
    if (text === "") return [];
    const groups = text.split(":");
    const hextets: number[] = [];
    for (const [index, group] of groups.entries()) {
        if (index === groups.length - 1 && group.includes(".")) {
            const v4 = parseIpv4(group);
            if (v4 === undefined) return undefined;
            hextets.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
            hextets.push(Number.parseInt(group, 16));
        } else {
            return undefined;
        }
    }
    return hextets;
}

/** Reads IPv6 in any RFC 4291 spelling, with "::" and an embedded IPv4 tail; zone ids are refused. */
export function parseIpv6(text: string): bigint | undefined {
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const head = parseHextets(halves[0]!);
    const tail = halves.length === 2 ? parseHextets(halves[1]!) : [];
    if (head === undefined || tail === undefined) return undefined;
    const missing = 8 - head.length - tail.length;
    if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
    const hextets = [...head, ...new Array<number>(missing).fill(0), ...tail];
    return hextets.reduce((value, hextet) => (value << 16n) | BigInt(hextet), 0n);
}

/** Reads an address of either family. */
export function parseIp(text: string): ParsedIp | undefined {
    const v4 = parseIpv4(text);
    if (v4 !== undefined) return { family: "ipv4", value: v4 };
    const v6 = parseIpv6(text);
    if (v6 !== undefined) return { family: "ipv6", value: v6 };
    return undefined;
}

/** Bits in an address of the family. */
export function familyBits(family: IpFamily): number {
    return family === "ipv4" ? 32 : 128;
}

function formatIpv4(value: bigint): string {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

/** RFC 5952 spelling: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
function formatIpv6(value: bigint): string {
    if (value >> 32n === 0xffffn) return `::ffff:${formatIpv4(value & 0xffffffffn)}`;
    const hextets = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
    let bestStart = -1;
    let bestLength = 1;
    for (let start = 0; start < 8; ) {
        if (hextets[start] !== 0) {
            start++;
            continue;
        }
        let end = start;
        while (end < 8 && hextets[end] === 0) end++;
        if (end - start > bestLength) {
            bestStart = start;
            bestLength = end - start;
        }
        start = end;
    }
    const hex = hextets.map((h) => h.toString(16));
    if (bestStart < 0) return hex.join(":");
    return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** The canonical spelling of an address, as libvirt prints it back. */
export function formatIp(ip: ParsedIp): string {
    return ip.family === "ipv4" ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

/** Canonical spelling of an address string, or undefined when it is not an address. */
export function canonicalIp(text: string): string | undefined {
    const parsed = parseIp(text);
    return parsed ? formatIp(parsed) : undefined;
}

/** The mask of a prefix length, as an integer of the family's width. */
export function prefixMask(family: IpFamily, prefix: number): bigint {
    const bits = BigInt(familyBits(family));
    const all = (1n << bits) - 1n;
    return all ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** The prefix length of a dotted IPv4 netmask ("255.255.255.0" → 24), or undefined if its bits are not contiguous. */
export function netmaskToPrefix(netmask: string): number | undefined {
    const value = parseIpv4(netmask);
    if (value === undefined) return undefined;
    for (let prefix = 0; prefix <= 32; prefix++) {
        if (prefixMask("ipv4", prefix) === value) return prefix;
    }
    return undefined;
}

/** True when `address` lies in the subnet `network`/`prefix` (both of the same family). */
export function isAddressInSubnet(address: string, network: string, prefix: number): boolean {
    const a = parseIp(address);
    const n = parseIp(network);
    if (!a || !n || a.family !== n.family) return false;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > familyBits(n.family)) return false;
    const mask = prefixMask(n.family, prefix);
    return (a.value & mask) === (n.value & mask);
}

/** Compares two addresses of the same family: negative, zero or positive. */
export function compareIps(left: string, right: string): number {
    const a = parseIp(left);
    const b = parseIp(right);
    if (!a || !b || a.family !== b.family) throw new Error(`cannot compare '${left}' with '${right}'`);
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

const MAC_PATTERN = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;

/** Lower-case, colon-separated spelling of a MAC address, or undefined when it is not one. */
export function canonicalMac(text: string): string | undefined {
    if (!MAC_PATTERN.test(text)) return undefined;
    return text.toLowerCase().replaceAll("-", ":");
}

/** True for a unicast MAC: the lowest bit of the first octet (the group bit) is clear. */
export function isUnicastMac(mac: string): boolean {
    const firstOctet = Number.parseInt(mac.slice(0, 2), 16);
    return (firstOctet & 1) === 0;
}
