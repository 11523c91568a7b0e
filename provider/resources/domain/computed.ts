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

/**
 * The MACs of a domain just defined from `model`, when the model gives every interface its MAC
 * (or has none): libvirt keeps a given MAC as it is (the model holds it canonical, lowercase with
 * colons, as libvirt writes it) and the interfaces in the model's order, so reading the definition
 * back would only say the same. Undefined when an interface leaves its MAC to libvirt, which
 * generates one that only a read of the definition tells.
 */
export function declaredMacs(model: Domain): string[] | undefined {
    const macs: string[] = [];
    for (const nic of model.devices.interfaces ?? []) {
        if (nic.mac === undefined) return undefined;
        macs.push(nic.mac);
    }
    return macs;
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
