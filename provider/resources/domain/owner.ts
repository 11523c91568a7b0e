/**
 * Which resource a domain belongs to (issue 16, item 1, for domains): every domain the provider
 * defines or adopts carries an owner record in its `<metadata>`, under the project's own namespace:
 *
 *     <metadata><owner:owner xmlns:owner="https://pulumi-libvirt.dev/xmlns/owner/1" id="..."/></metadata>
 *
 * The owner is derived in shared/owner.ts (from the kind, the stack, the logical name and the
 * libvirt name),
 * so a create that was interrupted after the define (the process killed, the state never written)
 * finds its own domain on the next run and finishes the job instead of failing with "already
 * exists". Limits there.
 */
import { type LibvirtClient, LibvirtError } from "../../rpc";
import { VirDomainMetadataType, VirDomainModificationImpact, VirErrorNumber } from "../../rpc/generated";
import type { Properties } from "../shared/handler";
import { OWNER_NAMESPACE, ownerOf as sharedOwnerOf } from "../shared/owner";
import type { Dom } from "./libvirt";

export { OWNER_NAMESPACE };
const OWNER_PREFIX = "owner";

/** The owner of the domain a resource declares, or undefined without a logical name (a `get`). */
export function ownerOf(props: Properties): string | undefined {
    return sharedOwnerOf("Domain", props);
}

/** The `<metadata>` element holding the owner record, for a definition about to be defined. */
function ownerElement(owner: string): string {
    return `<${OWNER_PREFIX}:owner xmlns:${OWNER_PREFIX}="${OWNER_NAMESPACE}" id="${owner}"/>`;
}

/** The domain XML with the owner record in its `<metadata>` (the model writes no metadata). */
export function withOwner(xml: string, owner: string | undefined): string {
    if (owner === undefined) return xml;
    const at = xml.indexOf("</name>");
    if (at < 0) return xml;
    const end = at + "</name>".length;
    return `${xml.slice(0, end)}<metadata>${ownerElement(owner)}</metadata>${xml.slice(end)}`;
}

/** Writes (or replaces) the owner record in the persistent definition. */
export async function recordOwner(client: LibvirtClient, dom: Dom, owner: string): Promise<void> {
    await client.domainSetMetadata({
        dom,
        type: VirDomainMetadataType.VIR_DOMAIN_METADATA_ELEMENT,
        // Unprefixed: libvirt puts the element in `uri`'s namespace with `key` as its prefix.
        metadata: `<owner id="${owner}"/>`,
        key: OWNER_PREFIX,
        uri: OWNER_NAMESPACE,
        flags: VirDomainModificationImpact.VIR_DOMAIN_AFFECT_CONFIG,
    });
}

/** The owner recorded in the persistent definition, or undefined when there is none. */
export async function recordedOwner(client: LibvirtClient, dom: Dom): Promise<string | undefined> {
    try {
        const { metadata } = await client.domainGetMetadata({
            dom,
            type: VirDomainMetadataType.VIR_DOMAIN_METADATA_ELEMENT,
            uri: OWNER_NAMESPACE,
            flags: VirDomainModificationImpact.VIR_DOMAIN_AFFECT_CONFIG,
        });
        return /\bid="([0-9a-f]+)"/.exec(metadata)?.[1];
    } catch (error) {
        if (error instanceof LibvirtError && error.code === VirErrorNumber.VIR_ERR_NO_DOMAIN_METADATA) return undefined;
        throw error;
    }
}
