/**
 * Hot plug on a running guest: the device changes the xml layer finds between the running guest
 * and the new definition (`liveDeviceChanges`: disks and NICs attached or detached, DIMMs plugged
 * in, cdrom/floppy media swapped, NIC link states, console passwords) become libvirt calls. Only
 * the running guest is touched here (AFFECT_LIVE): the definition was already written by the
 * redefine. Console passwords are set with LIVE|CONFIG, as libvirt's API for them is documented.
 */
import type { LibvirtClient } from "../../rpc";
import { VirDomainDeviceModifyFlags } from "../../rpc/generated";
import { type DomainDocument, type LiveDeviceChange, liveDeviceChanges } from "../../xml/domain";
import type { Dom } from "./libvirt";

/** One change to make to the running guest, described for messages. */
export interface DeviceOperation {
    what: string;
    run: () => Promise<void>;
}

const LIVE = VirDomainDeviceModifyFlags.VIR_DOMAIN_DEVICE_MODIFY_LIVE;
const CONFIG = VirDomainDeviceModifyFlags.VIR_DOMAIN_DEVICE_MODIFY_CONFIG;

function call(client: LibvirtClient, dom: Dom, change: LiveDeviceChange): () => Promise<void> {
    const flags = change.alsoDefinition ? LIVE | CONFIG : LIVE;
    const xml = change.xml;
    switch (change.action) {
        case "attach":
            return async () => void (await client.domainAttachDeviceFlags({ dom, xml, flags }));
        case "detach":
            return async () => void (await client.domainDetachDeviceFlags({ dom, xml, flags }));
        case "update":
            return async () => void (await client.domainUpdateDeviceFlags({ dom, xml, flags }));
    }
}

/**
 * The operations that bring the running guest's devices to the new definition. Devices that
 * cannot change live are left for a restart (the change policy reports them).
 */
export function deviceOperations(
    client: LibvirtClient,
    dom: Dom,
    live: DomainDocument,
    definition: DomainDocument,
): DeviceOperation[] {
    return liveDeviceChanges(live, definition).map((change) => ({
        what: change.what,
        run: call(client, dom, change),
    }));
}
