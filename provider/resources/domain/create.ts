/**
 * Create: define the domain (libvirt parses it; its schema check is left off, see
 * DOMAIN_DEFINE_FLAGS), set autostart, start it unless `running: false`, and wait for addresses
 * when asked. A failure after the define undefines
 * the domain again, so a failed create leaves nothing behind; a wait for addresses that times out
 * keeps the (running) guest and reports a partial create, so the next `up` retries the wait.
 * With `adopt`, an existing domain of that name is taken over instead. Every domain defined or
 * adopted carries this resource's owner record (owner.ts); a create that finds a domain of its
 * name with its own owner record (an earlier create was interrupted before the state was written)
 * takes it over and finishes the job, one with any other owner is refused as before.
 * A domain this create defined anew is not read back when its declaration gives every interface
 * its MAC: the outputs take the MACs from the declaration (computed.ts `declaredMacs`).
 */
import { uuidText } from "../../model/uuid";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { type LibvirtClient, LibvirtError } from "../../rpc";
import type { Domain } from "../../model/domain";
import { classifyChanges } from "../../model/change-policy";
import { domainFromXml, domainToXml } from "../../xml/domain";
import { clientFor } from "../shared/connection";
import { describeError, operationError, partialCreateError, rollback, step } from "../shared/errors";
import { logInfo } from "../shared/log";
import { checkedChange } from "../shared/lost-reply";
import type { Properties } from "../shared/handler";
import type { DomainResourceFields } from "./args";
import { waitSettings } from "./args";
import { applyDeclaration } from "./apply";
import { hostFailures } from "./check";
import { type LeasesBefore, leasesNotItsOwn } from "./leases-before";
import { comparable } from "./comparable";
import { declaredMacs, gatherComputed } from "./computed";
import { DOMAIN_DEFINE_FLAGS, type Dom, findByName, inactiveXml, isActive } from "./libvirt";
import { domainOutputs } from "./outputs";
import { parseOrThrow } from "./parse";
import { ownerOf, recordedOwner, recordOwner, withOwner } from "./owner";
import { powerOff, setDomainAutostart, start } from "./power";
import { redactedChanges } from "./redact";
import { undefine } from "./undefine";

export async function createDomain(inputs: Properties): Promise<dynamic.CreateResult> {
    const { model, resource } = parseOrThrow(inputs, "create");
    const name = model.name;
    const client = await clientFor(resource.uri);
    // Again here, as the host may have changed since check (and a huge vCPU count makes libvirtd 9.0 exit).
    const refused = await hostFailures(inputs);
    if (refused.length > 0) {
        const list = refused.map((f) => `${f.property}: ${f.reason}`).join("; ");
        throw new Error(`Domain '${name}': the host refuses this declaration: ${list}. Nothing was created.`);
    }
    const owner = ownerOf(inputs);

    let dom: Dom;
    let pending: string[];
    // Taken before anything starts the guest; leases-before.ts says which leases are not its own.
    const screenLeases = model.running !== false && waitSettings(resource.waitForIp)?.source === "lease";
    let before: LeasesBefore | undefined;
    // The MACs when they need not be read back (see declaredMacs); read from libvirt otherwise.
    let macs: string[] | undefined;
    const existing = resource.adopt ? await findByName(client, name) : undefined;
    if (existing) {
        dom = existing;
        // An adopted guest is the same guest: only NICs the declaration gives it anew are screened.
        if (screenLeases) before = await leasesNotItsOwn(client, model, dom);
        pending = await takeOver(client, dom, model, resource, owner, "adopted");
    } else {
        const defined = await defineNew(client, model, owner);
        dom = defined.dom;
        if (defined.ours) {
            // Defined by an interrupted run of this create: a new guest unless that run started it
            // already (then the leases it holds may be its own, and waiting for their renewal may hang).
            if (screenLeases)
                before = await leasesNotItsOwn(client, model, (await isActive(client, dom)) ? dom : undefined);
            pending = await takeOver(
                client,
                dom,
                model,
                resource,
                owner,
                "found the domain that an interrupted create of this resource defined; finishing the job",
            );
        } else {
            if (screenLeases) before = await leasesNotItsOwn(client, model, undefined);
            await startNew(client, dom, model);
            pending = [];
            // Only a define whose reply came back is known to hold this model: a domain found after
            // a lost reply may be an older definition of this resource.
            if (defined.replied) macs = declaredMacs(model);
        }
    }

    const id = uuidText(dom.uuid);
    try {
        const computed = await gatherComputed(client, dom, name, pending, waitSettings(resource.waitForIp), before, {
            macs,
        });
        return { id, outs: domainOutputs(inputs, computed) };
    } catch (error) {
        // The guest exists and runs; record it so the next `up` updates (and waits again) instead of failing on a duplicate.
        const computed = await gatherComputed(client, dom, name, pending, undefined, undefined, { macs });
        throw partialCreateError("Domain", name, id, domainOutputs(inputs, computed), error);
    }
}

/**
 * Defines the domain with the owner record. When a domain of that name exists already and
 * carries this resource's owner record, that one is returned (`ours`) to be taken over; any other
 * is refused with the hint to adopt it. `replied`: libvirt answered this define, so the domain
 * holds exactly this model (false when it was found after a lost reply).
 */
export async function defineNew(
    client: LibvirtClient,
    model: Domain,
    owner: string | undefined,
): Promise<{ dom: Dom; ours: boolean; replied: boolean }> {
    try {
        // The document has no UUID unless one is declared, so a define whose reply was lost is
        // not sent again blindly: a domain of the name with this resource's owner record is it.
        const { dom, replied } = await checkedChange(
            { kind: "Domain", name: model.name, operation: "define" },
            async () => {
                const { dom } = await client.domainDefineXmlFlags({
                    xml: withOwner(domainToXml(model), owner),
                    flags: DOMAIN_DEFINE_FLAGS,
                });
                return { dom, replied: true };
            },
            async () => {
                const found = await findByName(client, model.name);
                if (found === undefined || owner === undefined) return undefined;
                return (await recordedOwner(client, found)) === owner ? { dom: found, replied: false } : undefined;
            },
        );
        return { dom, ours: false, replied };
    } catch (error) {
        const found =
            error instanceof LibvirtError && error.isOperationFailed()
                ? await findByName(client, model.name)
                : undefined;
        if (found === undefined) throw operationError("Domain", model.name, "define", error);
        if (owner !== undefined && (await recordedOwner(client, found)) === owner)
            return { dom: found, ours: true, replied: false };
        throw operationError(
            "Domain",
            model.name,
            "define (a domain of that name exists and this resource did not create it; set `adopt: true` to take it over)",
            error,
        );
    }
}

/** Brings an existing domain to the declaration and records this resource as its owner. */
async function takeOver(
    client: LibvirtClient,
    dom: Dom,
    model: Domain,
    resource: DomainResourceFields,
    owner: string | undefined,
    how: string,
): Promise<string[]> {
    const current = domainFromXml(await inactiveXml(client, dom), { like: model });
    const differences = redactedChanges(classifyChanges("domain", comparable(current), comparable(model)));
    logInfo(
        "Domain",
        model.name,
        differences.length === 0
            ? `${how}; it already matches the declaration`
            : `${how}; updating it to the declaration:\n${differences.join("\n")}`,
    );
    const pending = await applyDeclaration(client, dom, model, undefined, resource, []);
    if (owner !== undefined)
        await step("Domain", model.name, "record the owner", () => recordOwner(client, dom, owner));
    return pending;
}

/** Autostart and start of a domain just defined; a failure undefines it again. */
async function startNew(client: LibvirtClient, dom: Dom, model: Domain): Promise<void> {
    try {
        if (model.autostart !== undefined) await setDomainAutostart(client, dom, model.autostart);
        if (model.running !== false) await start(client, dom, model.running === "paused");
    } catch (error) {
        const problems = await rollback([
            async () => {
                if (await isActive(client, dom)) await powerOff(client, dom);
            },
            () => undefine(client, dom),
        ]);
        const leftover = problems.length > 0 ? `; removing it again failed too: ${problems.join("; ")}` : "";
        throw new Error(
            `Domain '${model.name}': ${model.running !== false ? "start" : "set autostart"} failed: ${describeError(error)}; the domain was undefined again${leftover}`,
        );
    }
}
