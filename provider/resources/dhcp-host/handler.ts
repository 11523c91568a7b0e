/**
 * The DhcpHost resource: one static DHCP entry in an existing network, added, modified and
 * removed live through network update. Its address must lie in one of the network's subnets
 * (checked against the running network before anything changes); the entry goes under that
 * subnet's `<dhcp>`.
 */
import { type DhcpHostEntry, dhcpHostFitsNetwork, dhcpHostSchema } from "../../model/dhcp-host";
import { isAddressInSubnet, parseIp } from "../../model/common";
import type { ResourceHandler } from "../shared/handler";
import { entryHandler } from "../network/entry-handler";
import type { NetworkModels } from "../network/libvirt";
import { dhcpHostSection } from "../network/sections";
import { dhcpHostArgsSchema, toModelSpelling, toResourceSpelling } from "./args";

const ENTRY_FIELDS = ["mac", "id", "name", "ip", "lease", "extra"] as const;

function subnetsOf(state: NetworkModels) {
    return (state.live ?? state.config).ips ?? [];
}

export const dhcpHostHandler: ResourceHandler = entryHandler<DhcpHostEntry>({
    kind: "DhcpHost",
    policyKind: "dhcpHost",
    argsSchema: dhcpHostArgsSchema,
    modelSchema: dhcpHostSchema,
    toModelSpelling,
    toResourceSpelling,
    spec: dhcpHostSection,
    entryOf(args) {
        const entry: Record<string, unknown> = {};
        for (const key of ENTRY_FIELDS) if (args[key] !== undefined) entry[key] = args[key];
        return entry as DhcpHostEntry;
    },
    idKey: (entry) => entry.mac ?? entry.id ?? entry.ip ?? "",
    matchesIdKey: (entry, key) => entry.mac === key || entry.id === key || entry.ip === key,
    placeIn(state, entry) {
        const subnets = subnetsOf(state);
        const reasons = dhcpHostFitsNetwork(entry, subnets);
        if (reasons.length > 0) {
            throw new Error(
                `DhcpHost ${entry.ip} cannot go into network '${state.config.name}': ${reasons.join("; ")}. Choose an address inside one of the network's subnets.`,
            );
        }
        const family = parseIp(entry.ip!)?.family;
        const index = subnets.findIndex(
            (subnet) =>
                parseIp(subnet.address)?.family === family &&
                (subnet.prefix === undefined || isAddressInSubnet(entry.ip!, subnet.address, subnet.prefix)),
        );
        return index;
    },
    parentIndexes: (state) => subnetsOf(state).map((_subnet, index) => index),
    placeProperty: "ip",
    clashProperties: [
        ["MAC", "mac"],
        ["client id", "clientId"],
        ["address", "ip"],
        ["name", "name"],
    ],
});
