/**
 * The guest's IP addresses per interface, from DHCP leases, the guest agent or the host's ARP
 * table, and the wait for them. An address counts only when it is not link-local (169.254/16,
 * fe80::/10), so a wait never ends early on an address every NIC has before DHCP answers.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isIP } from "node:net";
import { type LibvirtClient, LibvirtError } from "../../rpc";
import { VirDomainInterfaceAddressesSource } from "../../rpc/generated";
import type { WaitForIp } from "./args";
import { type LeasesBefore, staleLeases } from "./leases-before";
import type { Dom } from "./libvirt";

/** How often addresses are asked for while waiting. */
const POLL_INTERVAL_MS = 1000;
/** No single query may hold up a wait past its deadline by more than this. */
const QUERY_TIMEOUT_MS = 10_000;

const sources: Record<WaitForIp["source"], number> = {
    lease: VirDomainInterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
    agent: VirDomainInterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
    arp: VirDomainInterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP,
};

/** True for 169.254.0.0/16 and fe80::/10, which say nothing about reachability. */
export function isLinkLocal(address: string): boolean {
    if (isIP(address) === 4) return address.startsWith("169.254.");
    return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** Every address libvirt reports, per MAC (lower case), link-local ones included. */
export async function addressesByMac(
    client: LibvirtClient,
    dom: Dom,
    source: WaitForIp["source"],
): Promise<Map<string, string[]>> {
    const { ifaces } = await client.domainInterfaceAddresses(
        { dom, source: sources[source], flags: 0 },
        { timeoutMs: QUERY_TIMEOUT_MS },
    );
    const result = new Map<string, string[]>();
    for (const iface of ifaces) {
        if (!iface.hwaddr) continue;
        const mac = iface.hwaddr.toLowerCase();
        result.set(mac, [...(result.get(mac) ?? []), ...iface.addrs.map((a) => a.addr)]);
    }
    return result;
}

/** The usable (non-link-local) addresses of each MAC, in the order given; errors give empty lists. */
export async function currentAddresses(
    client: LibvirtClient,
    dom: Dom,
    macs: readonly string[],
    source: WaitForIp["source"] = "lease",
): Promise<string[][]> {
    try {
        const found = await addressesByMac(client, dom, source);
        return macs.map((mac) => (found.get(mac.toLowerCase()) ?? []).filter((a) => !isLinkLocal(a)));
    } catch (error) {
        // A guest without an agent, or not running, simply has no addresses to report yet.
        if (error instanceof LibvirtError && error.reportedByDaemon) return macs.map(() => []);
        throw error;
    }
}

/** The addresses per MAC without those whose lease is unchanged since before the guest started. */
function withoutStale(seen: Map<string, string[]>, stale: ReadonlySet<string>): Map<string, string[]> {
    if (stale.size === 0) return seen;
    const fresh = new Map<string, string[]>();
    for (const [mac, addresses] of seen)
        fresh.set(
            mac,
            addresses.filter((address) => !stale.has(`${mac} ${address}`)),
        );
    return fresh;
}

/**
 * Waits until every chosen interface has a non-link-local address from the chosen source, and
 * returns the addresses of every interface. When time is up it fails with what it saw: the
 * addresses per MAC (link-local ones too) and the last error libvirt gave, if any. With `before`
 * (the leases held before the guest started), a lease source counts only leases that are new or
 * renewed since then.
 */
export async function waitForAddresses(
    client: LibvirtClient,
    dom: Dom,
    domainName: string,
    macs: readonly string[],
    wait: WaitForIp,
    before?: LeasesBefore,
): Promise<string[][]> {
    const wanted = wait.interfaces ?? macs.map((_, index) => index);
    for (const index of wanted) {
        if (macs[index] === undefined) {
            throw new Error(
                `Domain '${domainName}': waitForIp.interfaces names interface ${index}, but the domain has ${macs.length} interface(s)`,
            );
        }
    }
    const deadline = Date.now() + wait.timeoutSeconds * 1000;
    let seen = new Map<string, string[]>();
    let lastError: string | undefined;
    for (;;) {
        try {
            seen = await addressesByMac(client, dom, wait.source);
            if (wait.source === "lease" && before !== undefined)
                seen = withoutStale(seen, await staleLeases(client, before));
            lastError = undefined;
        } catch (error) {
            // The agent not connected yet, or no lease file yet: keep waiting, remember why.
            if (!(error instanceof LibvirtError && error.reportedByDaemon)) throw error;
            lastError = `${error.message} (libvirt error ${error.code})`;
        }
        const usable = macs.map((mac) => (seen.get(mac.toLowerCase()) ?? []).filter((a) => !isLinkLocal(a)));
        if (wanted.every((index) => usable[index]!.length > 0)) return usable;
        const left = deadline - Date.now();
        if (left <= 0) break;
        await sleep(Math.min(POLL_INTERVAL_MS, left));
    }
    const report = wanted
        .map((index) => {
            const mac = macs[index]!;
            const all = seen.get(mac.toLowerCase()) ?? [];
            const usable = all.filter((a) => !isLinkLocal(a));
            const state =
                usable.length > 0
                    ? usable.join(", ")
                    : all.length > 0
                      ? `${all.join(", ")} (link-local only)`
                      : "no address";
            return `interface ${index} (${mac}): ${state}`;
        })
        .join("; ");
    throw new Error(
        `Domain '${domainName}': no IP address from source '${wait.source}' within ${wait.timeoutSeconds} s; saw ${report}` +
            (lastError ? `; last error: ${lastError}` : ""),
    );
}
