/**
 * What a libvirt host holds, as declarations: every network (its DHCP and DNS hosts apart), pool,
 * volume and domain whose name matches, read through the resources' own `read` (what `get`
 * returns), so each declaration is exactly what libvirt has and adopting it changes nothing.
 */
import type { Properties } from "../resources/shared/handler";
import { domainHandler } from "../resources/domain/handler";
import { networkHandler } from "../resources/network/handler";
import { storagePoolHandler } from "../resources/storage-pool/handler";
import { volumeHandler } from "../resources/volume/handler";
import { domainArgsSchema } from "../resources/domain/args";
import { networkArgsSchema } from "../resources/network/args";
import { storagePoolArgsSchema } from "../resources/storage-pool/args";
import { volumeArgsSchema } from "../resources/volume/args";
import { clientFor } from "../resources/shared/connection";
import { VirConnectListAllStoragePoolsFlags } from "../rpc";
import { HIDDEN_INPUT_KEYS } from "../resources/shared/check";

export interface HostObjects {
    networks: Properties[];
    pools: Properties[];
    /** With the path and format the domains' disks and other volumes' backing stores name. */
    volumes: { declaration: Properties; path: string; format?: string; backingPath?: string }[];
    domains: Properties[];
    /** From the networks' DHCP sections: one entry per reserved host. */
    dhcpHosts: Properties[];
    /** From the networks' DNS sections: one entry per address. */
    dnsHosts: Properties[];
}

/** Top-level keys an args schema accepts (the declaration's part of a read's properties). */
function argKeys(schema: unknown): Set<string> {
    const s = schema as {
        shape?: Record<string, unknown>;
        _def?: { in?: { shape?: object }; schema?: { shape?: object } };
    };
    const shape = s.shape ?? s._def?.in?.shape ?? s._def?.schema?.shape ?? {};
    return new Set(Object.keys(shape));
}

const NOT_DECLARED = new Set(["uri", "adopt", ...HIDDEN_INPUT_KEYS, "__provider"]);

function declarationOf(props: Properties, schema: unknown): Properties {
    const keys = argKeys(schema);
    return Object.fromEntries(
        Object.entries(props).filter(([k, v]) => keys.has(k) && !NOT_DECLARED.has(k) && v !== undefined),
    );
}

/** `*` matches any run of characters; anything else matches itself. */
export function nameMatcher(pattern: string | undefined): (name: string) => boolean {
    if (pattern === undefined) return () => true;
    const re = new RegExp(
        `^${pattern
            .split("*")
            .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
    );
    return (name) => re.test(name);
}

type Read = (id: string, props: Properties) => Promise<{ id?: string; props?: Properties; inputs?: Properties }>;

async function readAll(read: Read, ids: string[], uri: string | undefined): Promise<Properties[]> {
    const found: Properties[] = [];
    for (const id of ids) {
        const r = await read(id, uri === undefined ? {} : { uri });
        if (r.id) found.push({ ...(r.props ?? {}), ...(r.inputs ?? {}) });
    }
    return found;
}

export async function readHost(uri: string | undefined, pattern: string | undefined): Promise<HostObjects> {
    const matches = nameMatcher(pattern);
    const client = await clientFor(uri);
    const [{ nets }, { pools }, { domains }] = await Promise.all([
        client.connectListAllNetworks({ need_results: 1, flags: 0 }),
        client.connectListAllStoragePools({ need_results: 1, flags: 0 }),
        client.connectListAllDomains({ need_results: 1, flags: 0 }),
    ]);
    // Each kind's matching objects, read by name in name order (the export's order).
    const readMatching = (read: Read, objects: readonly { name: string }[]) =>
        readAll(
            read,
            objects
                .map((o) => o.name)
                .filter(matches)
                .sort(),
            uri,
        );
    const networks = await readMatching(networkHandler.read, nets);
    const poolProps = await readMatching(storagePoolHandler.read, pools);
    const domainProps = await readMatching(domainHandler.read, domains);

    // Volumes of the matching pools that are running (a stopped pool lists none).
    const { pools: active } = await client.connectListAllStoragePools({
        need_results: 1,
        flags: VirConnectListAllStoragePoolsFlags.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
    });
    const volumes: HostObjects["volumes"] = [];
    for (const pool of active.filter((p) => matches(p.name)).sort((a, b) => a.name.localeCompare(b.name))) {
        const { vols } = await client.storagePoolListAllVolumes({ pool, need_results: 1, flags: 0 });
        for (const vol of vols.sort((a, b) => a.name.localeCompare(b.name))) {
            const r = await volumeHandler.read(vol.key, { ...(uri ? { uri } : {}), pool: pool.name, name: vol.name });
            if (!r.id) continue;
            const props = (r.props ?? {}) as Properties;
            volumes.push({
                declaration: declarationOf({ ...props, ...(r.inputs ?? {}) }, volumeArgsSchema),
                path: String(props.path),
                ...(typeof props.format === "string" ? { format: props.format } : {}),
                ...(typeof props.backingStorePath === "string" ? { backingPath: props.backingStorePath } : {}),
            });
        }
    }

    // DHCP and DNS hosts become resources of their own; the network keeps the rest.
    const dhcpHosts: Properties[] = [];
    const dnsHosts: Properties[] = [];
    const networkDecls = networks.map((n) => {
        const decl = declarationOf(n, networkArgsSchema);
        const ips = (decl.ips as Properties[] | undefined)?.map((ip) => {
            const dhcp = ip.dhcp as Properties | undefined;
            if (!dhcp?.hosts) return ip;
            for (const h of dhcp.hosts as Properties[]) dhcpHosts.push({ network: decl.name, ...h });
            const { hosts: _hosts, ...rest } = dhcp;
            return { ...ip, dhcp: rest };
        });
        const dns = decl.dns as Properties | undefined;
        let dnsRest = dns;
        if (dns?.hosts) {
            for (const h of dns.hosts as Properties[]) dnsHosts.push({ network: decl.name, ...h });
            const { hosts: _hosts, ...rest } = dns;
            dnsRest = Object.keys(rest).length ? rest : undefined;
        }
        return { ...decl, ...(ips ? { ips } : {}), ...(dnsRest ? { dns: dnsRest } : { dns: undefined }) };
    });
    return {
        networks: networkDecls.map((n) => Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined))),
        pools: poolProps.map((p) => declarationOf(p, storagePoolArgsSchema)),
        volumes,
        domains: domainProps.map((d) => declarationOf(d, domainArgsSchema)),
        dhcpHosts,
        dnsHosts,
    };
}
