/**
 * Update: the new declaration is merged into the definition, live changes reach the running guest,
 * restart-class changes follow `restartPolicy` (see apply.ts), and addresses are waited for again
 * when asked (after a start or restart, only leases the new run obtained count).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { clientFor } from "../shared/connection";
import type { Properties } from "../shared/handler";
import { waitSettings } from "./args";
import { applyDeclaration } from "./apply";
import { gatherComputed } from "./computed";
import { leasesBefore } from "./leases-before";
import { findById, isActive } from "./libvirt";
import { domainOutputs } from "./outputs";
import { parseDeclared, parseOrThrow } from "./parse";
import { stillPending } from "./pending";

export async function updateDomain(id: string, olds: Properties, news: Properties): Promise<dynamic.UpdateResult> {
    // State written by another version may not parse; then fields it set are kept rather than removed.
    const old = parseDeclared(olds);
    const previous = old.ok ? old.model : undefined;
    const { model, resource } = parseOrThrow(news, "update");
    const client = await clientFor(resource.uri);
    const dom = await findById(client, id);
    if (!dom) {
        throw new Error(
            `Domain '${model.name}': not found on ${resource.uri ?? "the default host"} (removed outside Pulumi?); run \`pulumi refresh\` to forget it, then \`up\` creates it again`,
        );
    }
    const recorded = Array.isArray(olds.pendingChanges) ? (olds.pendingChanges as string[]) : [];
    const pending = await stillPending(client, dom, recorded);
    const wait = waitSettings(resource.waitForIp);
    // Leases held now belong to the guest as it runs now; if the update (re)starts it, they are not
    // the new run's addresses until renewed. A start gives the domain a new id, which tells.
    const leases = wait?.source === "lease" ? await leasesBefore(client, model) : undefined;
    const runBefore = (await isActive(client, dom)) ? dom.id : undefined;
    const waiting = await applyDeclaration(client, dom, model, previous, resource, pending);
    const runAfter = (await findById(client, id))?.id;
    const started = runAfter !== undefined && runAfter !== -1 && runAfter !== runBefore;
    const computed = await gatherComputed(client, dom, model.name, waiting, wait, started ? leases : undefined);
    return { outs: domainOutputs(news, computed) };
}
