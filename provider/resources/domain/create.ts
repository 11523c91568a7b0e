/**
 * Create: define the domain (libvirt validates the XML against its schema), set autostart, start it
 * unless `running: false`, and wait for addresses when asked. A failure after the define undefines
 * the domain again, so a failed create leaves nothing behind; a wait for addresses that times out
 * keeps the (running) guest and reports a partial create, so the next `up` retries the wait.
 * With `adopt`, an existing domain of that name is taken over instead.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { LibvirtError } from "../../rpc";
import { VirDomainDefineFlags } from "../../rpc/generated";
import { classifyChanges } from "../../model/change-policy";
import { domainFromXml, domainToXml } from "../../xml/domain";
import { clientFor } from "../shared/connection";
import { describeError, operationError, partialCreateError, rollback } from "../shared/errors";
import { logInfo } from "../shared/log";
import type { Properties } from "../shared/handler";
import { waitSettings } from "./args";
import { applyDeclaration } from "./apply";
import { hostFailures } from "./check";
import { type LeasesBefore, leasesBefore } from "./leases-before";
import { comparable } from "./comparable";
import { gatherComputed } from "./computed";
import { type Dom, findByName, inactiveXml, isActive, uuidText } from "./libvirt";
import { domainOutputs } from "./outputs";
import { parseOrThrow } from "./parse";
import { powerOff, start } from "./power";
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

    let dom: Dom;
    let pending: string[] = [];
    let before: LeasesBefore | undefined;
    const existing = resource.adopt ? await findByName(client, name) : undefined;
    if (existing) {
        dom = existing;
        const current = domainFromXml(await inactiveXml(client, dom), { like: model });
        const differences = redactedChanges(classifyChanges("domain", comparable(current), comparable(model)));
        logInfo(
            "Domain",
            name,
            differences.length === 0
                ? "adopted; it already matches the declaration"
                : `adopted; updating it to the declaration:\n${differences.join("\n")}`,
        );
        pending = await applyDeclaration(client, dom, model, undefined, resource, []);
    } else {
        try {
            ({ dom } = await client.domainDefineXmlFlags({
                xml: domainToXml(model),
                flags: VirDomainDefineFlags.VIR_DOMAIN_DEFINE_VALIDATE,
            }));
        } catch (error) {
            const exists =
                error instanceof LibvirtError && error.isOperationFailed() && (await findByName(client, name));
            const hint = exists ? " (a domain of that name exists; set `adopt: true` to take it over)" : "";
            throw operationError("Domain", name, `define${hint}`, error);
        }
        try {
            if (model.autostart !== undefined)
                await client.domainSetAutostart({ dom, autostart: model.autostart ? 1 : 0 });
            if (model.running !== false) {
                // A lease already held for one of the guest's MACs (a predecessor's) is not this guest's address.
                if (waitSettings(resource.waitForIp)?.source === "lease") before = await leasesBefore(client, model);
                await start(client, dom, model.running === "paused");
            }
        } catch (error) {
            const problems = await rollback([
                async () => {
                    if (await isActive(client, dom)) await powerOff(client, dom);
                },
                () => undefine(client, dom),
            ]);
            const leftover = problems.length > 0 ? `; removing it again failed too: ${problems.join("; ")}` : "";
            throw new Error(
                `Domain '${name}': ${model.running !== false ? "start" : "set autostart"} failed: ${describeError(error)}; the domain was undefined again${leftover}`,
            );
        }
    }

    const id = uuidText(dom);
    try {
        const computed = await gatherComputed(client, dom, name, pending, waitSettings(resource.waitForIp), before);
        return { id, outs: domainOutputs(inputs, computed) };
    } catch (error) {
        // The guest exists and runs; record it so the next `up` updates (and waits again) instead of failing on a duplicate.
        const computed = await gatherComputed(client, dom, name, pending, undefined);
        throw partialCreateError("Domain", name, id, domainOutputs(inputs, computed), error);
    }
}
