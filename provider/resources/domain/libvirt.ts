/**
 * Small libvirt calls the Domain lifecycle shares: finding a domain, its XML, its power state.
 * Errors are classified by libvirt's code, never by message text.
 */
import { type LibvirtClient, LibvirtError } from "../../rpc";
import { type RemoteNonnullDomain, VirDomainState, VirDomainXMLFlags } from "../../rpc/generated";

export type Dom = RemoteNonnullDomain;

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The UUID of a domain handle in libvirt's text form. */
export function uuidText(dom: Dom): string {
    const hex = Buffer.from(dom.uuid).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Runs a lookup and turns libvirt's "no such domain" into undefined. */
async function orMissing(lookup: () => Promise<{ dom: Dom }>): Promise<Dom | undefined> {
    try {
        return (await lookup()).dom;
    } catch (error) {
        if (error instanceof LibvirtError && (error.isNoDomain() || error.isNotFound())) return undefined;
        throw error;
    }
}

/**
 * The handle of the domain with this UUID and name, without asking libvirt: the daemon's drivers
 * find a domain by the handle's UUID (the name only appears in their messages), so a refresh that
 * knows both reads the domain directly, and a domain that is gone fails that read with
 * VIR_ERR_NO_DOMAIN as a lookup would. Undefined when `id` is not a UUID.
 */
export function handleOf(id: string, name: string): Dom | undefined {
    if (!UUID_TEXT.test(id)) return undefined;
    return { name, uuid: Buffer.from(id.replaceAll("-", ""), "hex"), id: -1 };
}

/** Runs a read of a domain and turns libvirt's "no such domain" into undefined. */
export async function unlessMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
        return await read();
    } catch (error) {
        if (error instanceof LibvirtError && (error.isNoDomain() || error.isNotFound())) return undefined;
        throw error;
    }
}

/** The domain with this name, or undefined. */
export function findByName(client: LibvirtClient, name: string): Promise<Dom | undefined> {
    return orMissing(() => client.domainLookupByName({ name }));
}

/**
 * The domain a Pulumi ID names: the ID is the UUID (stable across renames and redefinitions); a
 * name is accepted too, so that `Domain.get("vm", "<name>")` works.
 */
export function findById(client: LibvirtClient, id: string): Promise<Dom | undefined> {
    if (UUID_TEXT.test(id)) {
        const uuid = Buffer.from(id.replaceAll("-", ""), "hex");
        return orMissing(() => client.domainLookupByUuid({ uuid }));
    }
    return findByName(client, id);
}

/** The persistent definition (what the next start uses), with secrets such as graphics passwords. */
export async function inactiveXml(client: LibvirtClient, dom: Dom): Promise<string> {
    const flags = VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE | VirDomainXMLFlags.VIR_DOMAIN_XML_SECURE;
    return (await client.domainGetXmlDesc({ dom, flags })).xml;
}

/** The running guest's definition (what QEMU has now). */
export async function liveXml(client: LibvirtClient, dom: Dom): Promise<string> {
    return (await client.domainGetXmlDesc({ dom, flags: VirDomainXMLFlags.VIR_DOMAIN_XML_SECURE })).xml;
}

const stateNames: Record<number, string> = {
    [VirDomainState.VIR_DOMAIN_NOSTATE]: "nostate",
    [VirDomainState.VIR_DOMAIN_RUNNING]: "running",
    [VirDomainState.VIR_DOMAIN_BLOCKED]: "blocked",
    [VirDomainState.VIR_DOMAIN_PAUSED]: "paused",
    [VirDomainState.VIR_DOMAIN_SHUTDOWN]: "shutdown",
    [VirDomainState.VIR_DOMAIN_SHUTOFF]: "shutoff",
    [VirDomainState.VIR_DOMAIN_CRASHED]: "crashed",
    [VirDomainState.VIR_DOMAIN_PMSUSPENDED]: "pmsuspended",
};

/** The name of a `virDomainState` value, as virsh prints it in `domstate`. */
export function stateName(state: number): string {
    return stateNames[state] ?? `state ${state}`;
}

/** The power state's name as virsh prints it in `domstate` (running, shutoff, paused...). */
export async function powerState(client: LibvirtClient, dom: Dom): Promise<string> {
    const { state } = await client.domainGetState({ dom, flags: 0 });
    return stateName(state);
}

/** Whether a QEMU process exists for the domain (running, paused, shutting down...). */
export async function isActive(client: LibvirtClient, dom: Dom): Promise<boolean> {
    return (await client.domainIsActive({ dom })).active !== 0;
}

/** Whether libvirtd starts the domain when it starts. */
export async function autostartOf(client: LibvirtClient, dom: Dom): Promise<boolean> {
    return (await client.domainGetAutostart({ dom })).autostart !== 0;
}
