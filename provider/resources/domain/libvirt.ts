/**
 * Small libvirt calls the Domain lifecycle shares: finding a domain, its XML, its power state.
 * Errors are classified by libvirt's code, never by message text.
 */
import { uuidBytes } from "../../model/uuid";
import type { LibvirtClient } from "../../rpc";
import { type RemoteNonnullDomain, VirDomainState, VirDomainXMLFlags } from "../../rpc/generated";
import { unlessGone } from "../shared/unless-gone";

export type Dom = RemoteNonnullDomain;

/**
 * The flags of every domain define and redefine: none, so libvirt does not check the document
 * against its RelaxNG schema (VIR_DOMAIN_DEFINE_VALIDATE). That check reloads domain.rng on each
 * call and costs libvirtd 16-20 ms of CPU per define, ten times the define itself (DEVELOPERS.md,
 * "Domain defines without libvirt's schema check"), and it would only catch what our writer gets
 * wrong: a domain document is written from the typed model alone (no raw XML is declared for
 * domains), every document the writer makes from libvirt's own corpus is validated against
 * domain.rng in the tests (test/unit/xml/domain-corpus.test.ts), and the live tests define each
 * model with the check on. libvirt's parser still refuses values it cannot use, by code.
 */
export const DOMAIN_DEFINE_FLAGS = 0;

/**
 * A domain id is a UUID only when dashed as libvirt prints it (networks and pools also take 32 bare
 * hex digits): 32 bare hex digits name a domain by name.
 */
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs a lookup and turns libvirt's "no such domain" into undefined. */
async function orMissing(lookup: () => Promise<{ dom: Dom }>): Promise<Dom | undefined> {
    return (await unlessMissing(lookup))?.dom;
}

/**
 * The handle of the domain with this UUID and name, without asking libvirt: the daemon's drivers
 * find a domain by the handle's UUID (the name only appears in their messages), so a refresh that
 * knows both reads the domain directly, and a domain that is gone fails that read with
 * VIR_ERR_NO_DOMAIN as a lookup would. Undefined when `id` is not a UUID.
 */
export function handleOf(id: string, name: string): Dom | undefined {
    return UUID_TEXT.test(id) ? { name, uuid: uuidBytes(id), id: -1 } : undefined;
}

/** Runs a read of a domain and turns libvirt's "no such domain" into undefined. */
export function unlessMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
    return unlessGone(read, (error) => error.isNoDomain() || error.isNotFound());
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
    if (UUID_TEXT.test(id)) return orMissing(() => client.domainLookupByUuid({ uuid: uuidBytes(id) }));
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
