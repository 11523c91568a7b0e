/**
 * Which domains use a volume as a disk. libvirt has no reverse index, so every domain is looked
 * at: the inactive definition (what will boot) and, for a running guest, the live one (what QEMU
 * has open, including backing chains).
 *
 * Two scans, both single-flight (the deletes Pulumi runs together share one; a caller that
 * arrives after a scan finished starts a new one, so a scan never answers for a state older than
 * the call that asked):
 * - `domainsUsingVolume`, for resizing a running guest's disk and for cloning: every domain's XML
 *   (it needs each disk's `<readonly/>` and `<shareable/>`).
 * - `domainsHoldingVolume`, for the in-use check of deletes: who holds the volume at all. One call
 *   gives every domain's image paths (domain-block-paths.ts); only the domains it cannot answer
 *   for are read: a running guest's definition (the next boot may use other disks than QEMU has
 *   open; libvirt's statistics report only the latter) and a domain with a disk that has no local
 *   path (a pool volume of a domain that is not running, a network disk, an empty CD-ROM). So a
 *   delete costs a constant number of calls however many defined domains the host holds.
 */
import type { LibvirtClient, RemoteNonnullDomain } from "../../rpc";
import { VirConnectListAllDomainsFlags, VirDomainXMLFlags } from "../../rpc";
import { type DiskSourceRef, type DiskUse, diskUses } from "../../xml/domain-facts";
import { unlessGone } from "../shared/unless-gone";
import { type BlockImage, readDomainBlockPaths } from "./domain-block-paths";

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
            const live = running.has(dom.name);
            // The next boot may use a volume even when the running guest does not (or the reverse).
            const [xml, inactive] = await Promise.all([
                readXml(client, dom, live ? 0 : VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE),
                live ? readXml(client, dom, VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE) : undefined,
            ]);
            // A domain undefined between the listing and the read uses nothing any more.
            if (xml === undefined) return undefined;
            return {
                domain: dom.name,
                dom,
                live,
                current: diskUses(xml),
                nextBoot: inactive !== undefined ? diskUses(inactive) : [],
            };
        }),
    );
    return scanned.filter((d): d is DomainDisks => d !== undefined);
}

/** One domain's XML document, or undefined when the domain is gone (undefined since the listing). */
function readXml(client: LibvirtClient, dom: RemoteNonnullDomain, flags: number): Promise<string | undefined> {
    return unlessGone(
        async () => (await client.domainGetXmlDesc({ dom, flags })).xml,
        (error) => error.isNoDomain(),
    );
}

/** The images of the block statistics as disk uses: each image stands alone, matched by its path. */
function usesOfImages(images: readonly BlockImage[]): DiskUse[] {
    return images.map((image) => ({
        target: image.target,
        source: { file: image.path },
        backingSources: [],
        // Unknown from the statistics: these uses answer only "who holds it" (domainsHoldingVolume).
        readOnly: false,
        shareable: false,
    }));
}

/**
 * Every domain's disks from the block statistics, reading the XML only of the domains those cannot
 * answer for (see the file comment); the full scan when libvirtd cannot give the statistics.
 */
async function scanHolders(client: LibvirtClient): Promise<DomainDisks[]> {
    const domains = await readDomainBlockPaths(client);
    if (domains === undefined) return scanDomains(client);
    const scanned = await Promise.all(
        domains.map(async ({ dom, active, images }): Promise<DomainDisks | undefined> => {
            const inactiveXml = () => readXml(client, dom, VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE);
            if (!active) {
                if (images !== undefined)
                    return { domain: dom.name, dom, live: false, current: usesOfImages(images), nextBoot: [] };
                const xml = await inactiveXml();
                return xml === undefined
                    ? undefined
                    : { domain: dom.name, dom, live: false, current: diskUses(xml), nextBoot: [] };
            }
            const [liveXml, nextXml] = await Promise.all([
                images === undefined ? readXml(client, dom, 0) : undefined,
                inactiveXml(),
            ]);
            if (images === undefined && liveXml === undefined) return undefined;
            return {
                domain: dom.name,
                dom,
                live: true,
                current: images !== undefined ? usesOfImages(images) : diskUses(liveXml!),
                nextBoot: nextXml ? diskUses(nextXml) : [],
            };
        }),
    );
    return scanned.filter((d): d is DomainDisks => d !== undefined);
}

/** Module state: the scans in flight per connection (single-flight, see the file comment). */
const scans = new WeakMap<LibvirtClient, Promise<DomainDisks[]>>();
const holderScans = new WeakMap<LibvirtClient, Promise<DomainDisks[]>>();

function sharedScan(
    client: LibvirtClient,
    inFlight: WeakMap<LibvirtClient, Promise<DomainDisks[]>>,
    scan: (client: LibvirtClient) => Promise<DomainDisks[]>,
): Promise<DomainDisks[]> {
    let running = inFlight.get(client);
    if (running === undefined) {
        running = scan(client).finally(() => inFlight.delete(client));
        inFlight.set(client, running);
    }
    return running;
}

/** A disk of a scanned domain that uses the volume. */
type DiskUser = ReturnType<typeof disksUsing>[number] & { d: DomainDisks; live: boolean };

/** The disks of the scanned domains that use the volume: those QEMU has open, then the next boot's. */
function usersIn(scanned: readonly DomainDisks[], volume: VolumeIdentity): DiskUser[] {
    const users: DiskUser[] = [];
    for (const d of scanned) {
        for (const disk of disksUsing(d.current, volume)) users.push({ ...disk, d, live: d.live });
        for (const disk of disksUsing(d.nextBoot, volume)) {
            if (!users.some((u) => u.d === d && u.target === disk.target)) users.push({ ...disk, d, live: false });
        }
    }
    return users;
}

/** Every disk of every domain on the connection that uses the volume. */
export async function domainsUsingVolume(client: LibvirtClient, volume: VolumeIdentity): Promise<VolumeUser[]> {
    return usersIn(await sharedScan(client, scans, scanDomains), volume)
        .map(({ d, ...disk }) => ({ domain: d.domain, dom: d.dom, ...disk }))
        .sort((a, b) => a.domain.localeCompare(b.domain) || a.target.localeCompare(b.target));
}

/** One disk of a domain that holds the volume (as a disk, or in a disk's backing chain). */
export interface VolumeHolder {
    readonly domain: string;
    /** The disk's target device (vda, sdb...). */
    readonly target: string;
}

/**
 * Every disk of every domain on the connection that holds the volume, now or at its next boot:
 * the same domains and disks `domainsUsingVolume` finds, at a constant number of calls.
 */
export async function domainsHoldingVolume(client: LibvirtClient, volume: VolumeIdentity): Promise<VolumeHolder[]> {
    const holders = usersIn(await sharedScan(client, holderScans, scanHolders), volume)
        .map(({ d, target }) => ({ domain: d.domain, target }))
        .sort((a, b) => a.domain.localeCompare(b.domain) || a.target.localeCompare(b.target));
    // The statistics list a disk once per image of its chain: a volume twice in one chain is one disk.
    return holders.filter(
        (h, i) => i === 0 || h.domain !== holders[i - 1]!.domain || h.target !== holders[i - 1]!.target,
    );
}
