/** The values only libvirt knows, gathered for the outputs after every operation. */
import { uuidText } from "../../model/uuid";
import type { Domain } from "../../model/domain";
import type { LibvirtClient } from "../../rpc";
import { domainFromXml } from "../../xml/domain";
import type { WaitForIp } from "./args";
import { currentAddresses, waitForAddresses } from "./addresses";
import type { LeasesBefore } from "./leases-before";
import { type Dom, inactiveXml, powerState } from "./libvirt";
import type { DomainComputed } from "./outputs";

/** The MAC of each interface of the definition (libvirt generates the ones left out). */
export function macsOf(xml: string): string[] {
    return macsOfModel(domainFromXml(xml));
}

/** The MAC of each interface of a definition read without `like` (which drops generated MACs). */
export function macsOfModel(definition: Domain): string[] {
    return (definition.devices.interfaces ?? []).map((nic) => nic.mac ?? "");
}

/** What the caller has read already (a refresh reads the definition and the state once). */
export interface KnownFacts {
    /** The MACs of the definition's interfaces (`macsOfModel`). */
    readonly macs?: string[];
    /** The power state's name (`powerState`). */
    readonly state?: string;
}

/**
 * UUID, MACs, state and addresses. With `wait` (and a running guest) the addresses are waited
 * for, and a timeout throws; without it they are whatever the DHCP leases say right now.
 */
export async function gatherComputed(
    client: LibvirtClient,
    dom: Dom,
    name: string,
    pendingChanges: string[],
    wait: WaitForIp | undefined,
    leasesBeforeStart?: LeasesBefore,
    known: KnownFacts = {},
): Promise<Omit<DomainComputed, "graphicsPasswords">> {
    // Both reads go out together: neither depends on the other, and a create waits for both.
    const [macs, state] = await Promise.all([
        known.macs ?? inactiveXml(client, dom).then(macsOf),
        known.state ?? powerState(client, dom),
    ]);
    const running = state === "running" || state === "paused" || state === "blocked";
    let ipAddresses: string[][] = macs.map(() => []);
    if (running && macs.length > 0) {
        ipAddresses = wait
            ? await waitForAddresses(client, dom, name, macs, wait, leasesBeforeStart)
            : await currentAddresses(client, dom, macs, "lease");
    }
    return {
        uuid: uuidText(dom.uuid),
        macAddresses: macs,
        ipAddresses,
        state,
        pendingRestart: running && pendingChanges.length > 0,
        pendingChanges: running ? pendingChanges : [],
    };
}
