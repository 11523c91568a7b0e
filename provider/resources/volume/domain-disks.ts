/**
 * Which domains use a volume as a disk. libvirt has no reverse index, so every domain's XML is
 * scanned: the inactive definition (what will boot) and, for a running guest, the live one (what
 * QEMU has open, including backing chains). Used to refuse deleting a disk of a defined domain and
 * to resize the block device of a running guest along with its volume.
 *
 * The scan is single-flight: the deletes that Pulumi runs together (a destroy deletes every volume
 * at once) share one listing and one XML read per domain instead of one each, which made a destroy
 * of N volumes cost N x domains calls. A caller that arrives after a scan finished starts a new one,
 * so a scan never answers for a state older than the call that asked.
 */
import type { LibvirtClient, RemoteNonnullDomain } from "../../rpc";
import { LibvirtError, VirConnectListAllDomainsFlags, VirDomainXMLFlags } from "../../rpc";
import { type DiskSourceRef, type DiskUse, diskUses } from "../../xml/domain-facts";

/** How a volume is named in a domain's `<disk><source>`: by path, or by pool and volume name. */
export interface VolumeIdentity {
    readonly path: string;
    readonly pool: string;
    readonly name: string;
}

/** One disk of a domain backed by the volume. */
export interface VolumeUser {
    readonly domain: string;
    readonly dom: RemoteNonnullDomain;
    /** The disk's target device (vda, sdb...). */
    readonly target: string;
    /** True when the guest is running and QEMU has the volume open as this disk (or in its backing chain). */
    readonly live: boolean;
    /** True when the volume is the disk's top image, not only somewhere in its backing chain. */
    readonly top: boolean;
    /** True when the guest may write to the volume: its top image, neither `<readonly/>` nor `<shareable/>`. */
    readonly writable: boolean;
}

function sourceIs(source: DiskSourceRef, volume: VolumeIdentity): boolean {
    if (source.file === volume.path || source.dev === volume.path) return true;
    return source.pool === volume.pool && source.volume === volume.name;
}

function disksUsing(
    disks: readonly DiskUse[],
    volume: VolumeIdentity,
): { target: string; top: boolean; writable: boolean }[] {
    const found: { target: string; top: boolean; writable: boolean }[] = [];
    for (const disk of disks) {
        const top = sourceIs(disk.source, volume);
        if (top || disk.backingSources.some((source) => sourceIs(source, volume))) {
            // QEMU opens backing images read-only; a shareable disk is opened without the exclusive write lock.
            const writable = top && !disk.readOnly && !disk.shareable;
            found.push({ target: disk.target ?? "?", top, writable });
        }
    }
    return found;
}

/** One domain's disks: as QEMU has them (running guests) and as the next boot will. */
interface DomainDisks {
    domain: string;
    dom: RemoteNonnullDomain;
    live: boolean;
    /** The running guest's disks; for a guest that is not running, its definition's. */
    current: DiskUse[];
    /** The definition's disks when the guest runs (the next boot may differ), else empty. */
    nextBoot: DiskUse[];
}

/** Every domain's disks, read once. */
async function scanDomains(client: LibvirtClient): Promise<DomainDisks[]> {
    const [{ domains }, { domains: active }] = await Promise.all([
        client.connectListAllDomains({ need_results: 1, flags: 0 }),
        client.connectListAllDomains({
            need_results: 1,
            flags: VirConnectListAllDomainsFlags.VIR_CONNECT_LIST_DOMAINS_ACTIVE,
        }),
    ]);
    const running = new Set(active.map((dom) => dom.name));
    const scanned = await Promise.all(
        domains.map(async (dom): Promise<DomainDisks | undefined> => {
            try {
                const live = running.has(dom.name);
                const { xml } = await client.domainGetXmlDesc({
                    dom,
                    flags: live ? 0 : VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE,
                });
                // The next boot may use a volume even when the running guest does not (or the reverse).
                const inactive = live
                    ? await client
                          .domainGetXmlDesc({ dom, flags: VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE })
                          .catch(() => undefined)
                    : undefined;
                return {
                    domain: dom.name,
                    dom,
                    live,
                    current: diskUses(xml),
                    nextBoot: inactive ? diskUses(inactive.xml) : [],
                };
            } catch (error) {
                // A domain undefined between the listing and the lookup uses nothing any more.
                if (LibvirtError.isInstance(error) && error.isNoDomain()) return undefined;
                throw error;
            }
        }),
    );
    return scanned.filter((d): d is DomainDisks => d !== undefined);
}

/** Module state: the scan in flight per connection (single-flight, see the file comment). */
const scans = new WeakMap<LibvirtClient, Promise<DomainDisks[]>>();

function sharedScan(client: LibvirtClient): Promise<DomainDisks[]> {
    let scan = scans.get(client);
    if (scan === undefined) {
        scan = scanDomains(client).finally(() => scans.delete(client));
        scans.set(client, scan);
    }
    return scan;
}

/** Every disk of every domain on the connection that uses the volume. */
export async function domainsUsingVolume(client: LibvirtClient, volume: VolumeIdentity): Promise<VolumeUser[]> {
    const users: VolumeUser[] = [];
    for (const d of await sharedScan(client)) {
        for (const disk of disksUsing(d.current, volume))
            users.push({ domain: d.domain, dom: d.dom, ...disk, live: d.live });
        for (const disk of disksUsing(d.nextBoot, volume)) {
            if (!users.some((u) => u.domain === d.domain && u.target === disk.target)) {
                users.push({ domain: d.domain, dom: d.dom, ...disk, live: false });
            }
        }
    }
    return users.sort((a, b) => a.domain.localeCompare(b.domain) || a.target.localeCompare(b.target));
}
