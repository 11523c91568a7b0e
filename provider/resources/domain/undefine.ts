/**
 * Undefining a domain with everything libvirt keeps beside the definition: a managed-save image,
 * snapshot and checkpoint metadata, and the UEFI variable store (NVRAM). Each flag is sent only
 * when the daemon is new enough to know it; older daemons refuse unknown flags outright.
 */
import type { LibvirtClient } from "../../rpc";
import { VirDomainUndefineFlagsValues } from "../../rpc/generated";
import type { Dom } from "./libvirt";

/** libvirt's version number: major * 1,000,000 + minor * 1,000 + micro. */
const version = (major: number, minor: number, micro: number) => major * 1_000_000 + minor * 1_000 + micro;

/** The release that introduced each undefine flag (libvirt-domain.h). */
export const UNDEFINE_FLAG_SINCE: ReadonlyArray<[VirDomainUndefineFlagsValues, number]> = [
    [VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE, version(0, 9, 4)],
    [VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA, version(0, 9, 5)],
    [VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_NVRAM, version(1, 2, 9)],
    [VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA, version(5, 6, 0)],
];

/** The undefine flags a daemon of this version accepts. */
export function undefineFlags(libVersion: number): number {
    return UNDEFINE_FLAG_SINCE.filter(([, since]) => libVersion >= since).reduce((flags, [flag]) => flags | flag, 0);
}

/** Removes the definition and what libvirt keeps beside it (the guest must be off or transient). */
export async function undefine(client: LibvirtClient, dom: Dom): Promise<void> {
    await client.domainUndefineFlags({ dom, flags: undefineFlags(client.session.libVersion) });
}
