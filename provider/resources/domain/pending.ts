/**
 * Which fields still wait for a restart: those where the running guest (live XML) still differs
 * from the definition. A guest restarted outside Pulumi (virsh destroy + start) has picked them up,
 * so they no longer count; a field whose live reading cannot be compared stays pending, which
 * errs on the side of telling the user.
 */
import type { Domain } from "../../model/domain";
import type { LibvirtClient } from "../../rpc";
import { classifyChanges } from "../../model/change-policy";
import { domainFromXml } from "../../xml/domain";
import { comparable } from "./comparable";
import { type Dom, inactiveXml, isActive, liveXml } from "./libvirt";

function covers(field: string, path: string): boolean {
    return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}

/**
 * `known`: what the caller has read already, so it is not read again: the definition (read
 * without `like`) and whether a QEMU process exists.
 */
export async function stillPending(
    client: LibvirtClient,
    dom: Dom,
    pending: readonly string[],
    known: { defined?: Domain; active?: boolean } = {},
): Promise<string[]> {
    if (pending.length === 0 || !(known.active ?? (await isActive(client, dom)))) return [];
    try {
        const defined = known.defined ?? domainFromXml(await inactiveXml(client, dom));
        const running = domainFromXml(await liveXml(client, dom), { like: defined });
        const differences = classifyChanges("domain", comparable(running), comparable(defined)).map((c) => c.path);
        return pending.filter((field) => differences.some((path) => covers(field, path)));
    } catch {
        return [...pending];
    }
}
