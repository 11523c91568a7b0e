/**
 * Update: the new declaration is merged into the definition, live changes reach the running guest,
 * restart-class changes follow `restartPolicy` (see apply.ts), and addresses are waited for again
 * when asked.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { clientFor } from "../shared/connection";
import type { Properties } from "../shared/handler";
import { waitSettings } from "./args";
import { applyDeclaration } from "./apply";
import { gatherComputed } from "./computed";
import { findById } from "./libvirt";
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
    const waiting = await applyDeclaration(client, dom, model, previous, resource, pending);
    const computed = await gatherComputed(client, dom, model.name, waiting, waitSettings(resource.waitForIp));
    return { outs: domainOutputs(news, computed) };
}
