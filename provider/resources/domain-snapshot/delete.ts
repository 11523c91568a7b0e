/**
 * DomainSnapshot delete (DOMAIN_SNAPSHOT_DELETE). For an external snapshot libvirt's delete merges
 * the overlays back into their backing images with a block commit and removes them; where libvirt
 * cannot merge, delete refuses and changes nothing (deleting only the metadata would leave overlays
 * nobody tracks, and removing them would lose what was written since).
 */
import type { LibvirtError } from "../../rpc";
import { clientFor } from "../shared/connection";
import { oldUri } from "../shared/diff";
import { describeError, libvirtCause, step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { withLock } from "../shared/locks";
import { logInfo, logWarning } from "../shared/log";
import { label, parseId } from "./args";
import { domainLockKey, kindOfDocument, overlaysOf, recordedSnapshot } from "./libvirt";

const KIND = "DomainSnapshot";

/**
 * The codes with which libvirt refuses a snapshot delete before it starts merging (checked on
 * libvirt 9.0: an internal parent is unsupported; a shut-off guest's snapshot that is not the
 * latest is an invalid argument): the snapshot and its overlays are as they were.
 */
function refusesToMerge(cause: LibvirtError): boolean {
    return cause.reportedByDaemon && (cause.isUnsupported() || cause.isInvalidArgument() || cause.isOperationInvalid());
}

export async function deleteDomainSnapshot(id: string, props: Properties): Promise<void> {
    const uri = oldUri(props);
    const { domain, name } = parseId(id);
    const client = await step(KIND, name, `connect to ${uri}`, () => clientFor(uri));
    await withLock(domainLockKey(uri, domain), async () => {
        const found = await recordedSnapshot(client, props, id);
        if (found === undefined) return; // gone already (or the domain with it): nothing to do
        const external = kindOfDocument(found.state.document) === "external";
        try {
            await client.domainSnapshotDelete({ snap: found.snap, flags: 0 });
        } catch (error) {
            const cause = libvirtCause(error);
            if (external && cause !== undefined && refusesToMerge(cause)) {
                const overlays = overlaysOf(found.state.document)
                    .map((o) => `${o.target}: ${o.file}`)
                    .join(", ");
                throw new Error(
                    `${KIND} '${label(domain, name)}': cannot delete: libvirt cannot merge this external snapshot's overlays (${overlays}) back into their backing images here (${describeError(cause)}). Nothing was changed: deleting only the metadata would leave the guest on overlays nothing tracks, and removing them would lose what was written since. Delete the snapshots taken after it first (libvirt 9.0 merges only the latest external snapshot of a shut-off guest, and none whose parent is internal), or merge by hand (virsh blockcommit ${domain} <disk> --active --pivot, then virsh snapshot-delete ${domain} ${name} --metadata) and run again`,
                );
            }
            throw new Error(`${KIND} '${label(domain, name)}': delete failed: ${describeError(cause ?? error)}`);
        }
        const memory = found.state.document.memory;
        if (memory?.snapshot === "external" && memory.file !== undefined) {
            // libvirt keeps the memory state file; it is useless without the snapshot.
            logWarning(
                KIND,
                label(domain, name),
                `libvirt left the memory state file ${memory.file}; remove it when no longer needed`,
            );
        }
        logInfo(KIND, label(domain, name), external ? "deleted; its overlays were merged back" : "deleted");
    });
}
