/**
 * The backing chain of a disk that the definition does not list. After an external snapshot of a
 * running guest, libvirt writes the chain into the definition as `<backingStore>`; after one of a
 * shut-off guest it does not (libvirt 9.0 finds the chain only when the guest starts, and then
 * only the live XML shows it). libvirt still records the chain elsewhere: the running guest's live
 * XML, and each external snapshot's description (its overlay per disk, and the domain as it was,
 * whose disk source is the file below the overlay).
 *
 * The chain found there is lent to the reading and the merge of the parsed definition
 * (provider/xml/domain-backing-chains.ts marks it, and the merge leaves it out again: libvirt keeps
 * finding the chain itself). Only disks whose source differs from the declared one and that list
 * no chain are looked up, so a domain without snapshots costs no extra call.
 */
import type { LibvirtClient } from "../../rpc";
import { VirDomainSnapshotXMLFlags } from "../../rpc/generated";
import type { Domain } from "../../model/domain";
import { DomainDocument, lendChains, needsLentChains } from "../../xml/domain";
import { type Dom, isActive, liveXml } from "./libvirt";

/** Every snapshot's description (each names its overlays and the domain as it was). */
async function snapshotDescriptions(client: LibvirtClient, dom: Dom): Promise<string[]> {
    const { snapshots } = await client.domainListAllSnapshots({ dom, need_results: 1, flags: 0 });
    const xmls: string[] = [];
    for (const snap of snapshots) {
        const { xml } = await client.domainSnapshotGetXmlDesc({
            snap,
            flags: VirDomainSnapshotXMLFlags.VIR_DOMAIN_SNAPSHOT_XML_SECURE,
        });
        xmls.push(xml);
    }
    return xmls;
}

/**
 * The definition, parsed once, with the chains it does not list lent from the live XML (a running
 * guest) or from the snapshots' descriptions. Nothing is lent when no declared disk needs it.
 */
export async function withLentChains(
    client: LibvirtClient,
    dom: Dom,
    xml: string,
    declared: Domain,
): Promise<DomainDocument> {
    const document = DomainDocument.parse(xml);
    if (!needsLentChains(document, declared)) return document;
    const running = await isActive(client, dom);
    lendChains(
        document,
        declared,
        running ? { live: await liveXml(client, dom) } : { snapshotXmls: await snapshotDescriptions(client, dom) },
    );
    return document;
}
