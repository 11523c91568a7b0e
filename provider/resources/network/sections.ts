/**
 * The parts of a network that libvirt's network update changes in place (DHCP hosts and ranges,
 * DNS hosts, TXT and SRV records): how to find their entries in a model, what identifies an
 * entry, which entries clash, and the fragment network update takes for each.
 *
 * A Network resource owns only the entries it declares: entries added by DhcpHost/DnsHost
 * resources or by hand share the same lists and are left alone.
 */
import type { DhcpHostEntry } from "../../model/dhcp-host";
import type { DnsHostEntry } from "../../model/dns-host";
import type { DhcpRange, Network } from "../../model/network";
import { VirNetworkUpdateSection } from "../../rpc";
import { dhcpHostToXml } from "../../xml/dhcp-host";
import { dnsHostToXml } from "../../xml/dns-host";
import { type DnsSrv, type DnsTxt, dhcpRangeToXml, dnsSrvToXml, dnsTxtToXml } from "../../xml/network-records";
import { sameValue } from "./values";

/** parentIndex meaning "the only element that can hold this section" (the DNS sections). */
export const NO_PARENT_INDEX = -1;

/** One kind of in-place-updatable list of a network. */
export interface SectionSpec<E> {
    /** libvirt's section constant for network update. */
    readonly section: VirNetworkUpdateSection;
    /** How users call an entry, for messages: "DHCP host". */
    readonly label: string;
    /** The entries of this list in a model (under the `<ip>` at `parentIndex` for per-subnet lists). */
    entries(model: Network, parentIndex: number): readonly E[] | undefined;
    /** Puts a list in place in `model` (mutating it); undefined removes the list. */
    setEntries(model: Network, parentIndex: number, entries: E[] | undefined): void;
    /** What names an entry: two entries with one key are the same entry, perhaps changed. */
    key(entry: E): string;
    /** Why `entry` cannot sit beside `existing` in one list, or undefined when it can. */
    clash(entry: E, existing: E): string | undefined;
    /** The fragment network update takes. */
    toXml(entry: E): string;
    /** libvirt can modify an entry in place (matched by its key) rather than delete and add it. */
    readonly canModify?: boolean;
}

function attributesText(fields: Record<string, unknown>): string {
    return Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => `${name}='${String(value)}'`)
        .join(" ");
}

/** How an entry is named in messages: its XML element without children. */
export function describeDhcpHost(host: DhcpHostEntry): string {
    return `<host ${attributesText({ mac: host.mac, id: host.id, name: host.name, ip: host.ip })}/>`;
}

/** How a DNS record is named in messages. */
export function describeDnsHost(host: DnsHostEntry): string {
    return `<host ip='${host.ip ?? ""}'>${host.hostnames.map((name) => `<hostname>${name}</hostname>`).join("")}</host>`;
}

type Dhcp = NonNullable<NonNullable<Network["ips"]>[number]["dhcp"]>;
type Dns = NonNullable<Network["dns"]>;

function setDhcpList<K extends "hosts" | "ranges">(
    model: Network,
    parentIndex: number,
    key: K,
    entries: Dhcp[K] | undefined,
): void {
    const ip = model.ips?.[parentIndex];
    if (ip === undefined) return;
    if (entries === undefined) {
        if (ip.dhcp !== undefined) delete ip.dhcp[key];
        return;
    }
    ip.dhcp = { ...ip.dhcp, [key]: entries };
}

function setDnsList<K extends "hosts" | "txts" | "srvs">(model: Network, key: K, entries: Dns[K] | undefined): void {
    if (entries === undefined) {
        if (model.dns !== undefined) delete model.dns[key];
        return;
    }
    model.dns = { ...model.dns, [key]: entries };
}

export const dhcpHostSection: SectionSpec<DhcpHostEntry> = {
    section: VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_HOST,
    label: "DHCP host",
    entries: (model, parentIndex) => model.ips?.[parentIndex]?.dhcp?.hosts,
    setEntries: (model, parentIndex, hosts) => setDhcpList(model, parentIndex, "hosts", hosts),
    key: (host) => (host.mac ? `mac ${host.mac}` : host.id ? `id ${host.id}` : `ip ${host.ip ?? host.name}`),
    clash(host, existing) {
        // libvirt refuses a second entry with the same MAC, name or address (and a duplicate id).
        if (host.mac !== undefined && host.mac === existing.mac) return `MAC ${host.mac}`;
        if (host.id !== undefined && host.id === existing.id) return `client id ${host.id}`;
        if (host.ip !== undefined && host.ip === existing.ip) return `address ${host.ip}`;
        if (host.name !== undefined && host.name === existing.name) return `name ${host.name}`;
        return undefined;
    },
    toXml: (host) => dhcpHostToXml(host),
    // libvirt's modify finds the entry by MAC (or name); entries without a MAC are replaced instead.
    canModify: true,
};

export const dhcpRangeSection: SectionSpec<DhcpRange> = {
    section: VirNetworkUpdateSection.VIR_NETWORK_SECTION_IP_DHCP_RANGE,
    label: "DHCP range",
    entries: (model, parentIndex) => model.ips?.[parentIndex]?.dhcp?.ranges,
    setEntries: (model, parentIndex, ranges) => setDhcpList(model, parentIndex, "ranges", ranges),
    key: (range) => `${range.start}-${range.end}`,
    clash: (range, existing) =>
        range.start === existing.start && range.end === existing.end ? `range ${range.start}-${range.end}` : undefined,
    toXml: (range) => dhcpRangeToXml(range),
};

export const dnsHostSection: SectionSpec<DnsHostEntry> = {
    section: VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_HOST,
    label: "DNS host",
    entries: (model) => model.dns?.hosts,
    setEntries: (model, _parentIndex, hosts) => setDnsList(model, "hosts", hosts),
    key: (host) => `ip ${host.ip ?? ""}`,
    clash(host, existing) {
        // libvirt refuses a record that shares the address or any name with an existing one.
        if (host.ip !== undefined && host.ip === existing.ip) return `address ${host.ip}`;
        const shared = host.hostnames.find((name) => existing.hostnames.includes(name));
        return shared === undefined ? undefined : `hostname ${shared}`;
    },
    toXml: (host) => dnsHostToXml(host),
};

export const dnsTxtSection: SectionSpec<DnsTxt> = {
    section: VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_TXT,
    label: "DNS TXT record",
    entries: (model) => model.dns?.txts,
    setEntries: (model, _parentIndex, txts) => setDnsList(model, "txts", txts),
    key: (txt) => `name ${txt.name}`,
    clash: (txt, existing) => (txt.name === existing.name ? `name ${txt.name}` : undefined),
    toXml: (txt) => dnsTxtToXml(txt),
};

export const dnsSrvSection: SectionSpec<DnsSrv> = {
    section: VirNetworkUpdateSection.VIR_NETWORK_SECTION_DNS_SRV,
    label: "DNS SRV record",
    entries: (model) => model.dns?.srvs,
    setEntries: (model, _parentIndex, srvs) => setDnsList(model, "srvs", srvs),
    key: (srv) => [srv.service, srv.protocol, srv.domain, srv.target, srv.port].join("/"),
    clash: (srv, existing) => (sameValue(srv, existing) ? "the same record" : undefined),
    toXml: (srv) => dnsSrvToXml(srv),
};

/** A list together with where it sits: the spec and the `<ip>` index (or NO_PARENT_INDEX). */
export interface SectionPlace {
    // One place holds a list of any entry type.
    spec: SectionSpec<any>;
    parentIndex: number;
}

/** Every in-place list of a model and of the model it replaces, one place per list. */
export function sectionPlaces(...models: readonly Network[]): SectionPlace[] {
    const ipCount = Math.max(0, ...models.map((model) => model.ips?.length ?? 0));
    const places: SectionPlace[] = [];
    for (let index = 0; index < ipCount; index++) {
        places.push({ spec: dhcpHostSection, parentIndex: index }, { spec: dhcpRangeSection, parentIndex: index });
    }
    for (const spec of [dnsHostSection, dnsTxtSection, dnsSrvSection]) {
        places.push({ spec, parentIndex: NO_PARENT_INDEX });
    }
    return places;
}

/** Network-update steps for one list on one side (configuration or running network). */
export interface SectionPlan<E> {
    deletes: E[];
    /** Entries changed in place (same MAC), as they should end up. */
    modifies?: E[];
    adds: E[];
}

/**
 * What to delete and add so that `current` holds `desired`, touching only entries that the
 * resource owned before (`owned`) or declares now. An entry that another owner holds and that
 * clashes with a declared one is an error naming it.
 */
export function planSection<E>(
    spec: SectionSpec<E>,
    current: readonly E[],
    owned: readonly E[] | undefined,
    desired: readonly E[] | undefined,
    networkName: string,
): SectionPlan<E> {
    if (owned === undefined && desired === undefined) return { deletes: [], adds: [] };
    const ownedKeys = new Set((owned ?? []).map((entry) => spec.key(entry)));
    const wanted = desired ?? [];
    const deletes = current.filter(
        (entry) => ownedKeys.has(spec.key(entry)) && !wanted.some((want) => sameValue(want, entry)),
    );
    const remaining = current.filter((entry) => !deletes.includes(entry));
    const adds = wanted.filter((want) => !remaining.some((entry) => sameValue(want, entry)));
    for (const add of adds) {
        for (const existing of remaining) {
            const reason = spec.clash(add, existing);
            if (reason !== undefined) {
                throw new Error(
                    `cannot add ${spec.label} ${spec.toXml(add)} to network '${networkName}': ` +
                        `the existing entry ${spec.toXml(existing)} already has ${reason}. ` +
                        "Remove or change one of them (the existing one may belong to a DhcpHost/DnsHost resource or have been added by hand).",
                );
            }
        }
    }
    return spec.canModify ? pairModifies(spec, { deletes, adds }) : { deletes, adds };
}

/** A delete and an add of the same MAC become one in-place modify. */
function pairModifies<E>(spec: SectionSpec<E>, plan: SectionPlan<E>): SectionPlan<E> {
    const modifies: E[] = [];
    const deletes = plan.deletes.filter((gone) => {
        const key = spec.key(gone);
        const replacement = plan.adds.find((add) => spec.key(add) === key);
        if (replacement === undefined || !key.startsWith("mac ")) return true;
        modifies.push(replacement);
        return false;
    });
    const adds = plan.adds.filter((add) => !modifies.includes(add));
    return { deletes, modifies, adds };
}

/**
 * The entries of `libvirtEntries` that the resource owns, in the order it declared them: what
 * `read` reports, so that entries added by others never show as drift and order never does.
 */
export function ownedEntries<E>(
    spec: SectionSpec<E>,
    libvirtEntries: readonly E[] | undefined,
    owned: readonly E[] | undefined,
): E[] | undefined {
    if (owned === undefined) return undefined;
    const found: E[] = [];
    for (const entry of owned) {
        const match = (libvirtEntries ?? []).find((candidate) => spec.key(candidate) === spec.key(entry));
        if (match !== undefined) found.push(match);
    }
    return found;
}

/** `current` after a plan: deleted entries gone, added ones appended (as network update's add-last does). */
export function afterPlan<E>(spec: SectionSpec<E>, current: readonly E[], plan: SectionPlan<E>): E[] {
    const keyOf = (entry: E) => spec.key(entry);
    const modified = (entry: E) => plan.modifies?.find((changed) => sameValue(keyOf(changed), keyOf(entry)));
    const kept = current
        .filter((entry) => !plan.deletes.some((gone) => sameValue(gone, entry)))
        .map((entry) => modified(entry) ?? entry);
    return [...kept, ...plan.adds];
}
