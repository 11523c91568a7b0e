/**
 * The DnsHost resource: one DNS host record (an address and its names) in an existing network,
 * added and removed live through network update; libvirt cannot modify a record in place, so a
 * change of names deletes the record and adds the new one. The address may point anywhere (a DNS
 * record can name a host outside the network).
 */
import { type DnsHostEntry, dnsHostSchema } from "../../model/dns-host";
import type { ResourceHandler } from "../shared/handler";
import { entryHandler } from "../network/entry-handler";
import { dnsHostSection, NO_PARENT_INDEX } from "../network/sections";
import { dnsHostArgsSchema } from "./args";

export const dnsHostHandler: ResourceHandler = entryHandler<DnsHostEntry>({
    kind: "DnsHost",
    policyKind: "dnsHost",
    argsSchema: dnsHostArgsSchema,
    modelSchema: dnsHostSchema,
    spec: dnsHostSection,
    entryOf(args) {
        const entry: Record<string, unknown> = { ip: args.ip, hostnames: args.hostnames };
        if (args.extra !== undefined) entry.extra = args.extra;
        return entry as DnsHostEntry;
    },
    idKey: (entry) => entry.ip ?? "",
    matchesIdKey: (entry, key) => entry.ip === key,
    placeIn: () => NO_PARENT_INDEX,
    parentIndexes: () => [NO_PARENT_INDEX],
    placeProperty: "ip",
    clashProperties: [
        ["address", "ip"],
        ["hostname", "hostnames"],
    ],
});
