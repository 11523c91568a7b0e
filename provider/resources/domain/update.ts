/**
 * Update: the new declaration is merged into the definition, live changes reach the running guest,
 * restart-class changes follow `restartPolicy` (see apply.ts), and addresses are waited for again
 * when asked (a restarted guest's own lease counts at once; see leases-before.ts).
 *
 * A restart-class change the hypervisor refuses is rolled back in apply.ts (old definition written
 * back, guest started again): the error goes out alone and the old outputs, true again, stay.
 * Any other update that fails may already have changed something (the definition written, the
 * guest stopped, autostart set). Its error then carries the domain's real state as a partial result
 * (`id`/`properties`: the dynamic-provider host packs them into ErrorResourceInitFailed for update
 * as for create, and the engine records them as the outputs), read from libvirt as a refresh
 * would: the next `up` compares the declaration with what is true (a guest not running, a
 * definition that is not the declared one) and converges.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { clientFor } from "../shared/connection";
import { describeError, PartialCreateError } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { waitSettings } from "./args";
import { applyDeclaration, RestartRefusedError } from "./apply";
import { gatherComputed } from "./computed";
import { leasesNotItsOwn } from "./leases-before";
import { findById } from "./libvirt";
import { domainOutputs } from "./outputs";
import { parseDeclared, parseOrThrow } from "./parse";
import { stillPending } from "./pending";
import { readDomain } from "./read";

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
    // Before anything restarts the guest or changes its NICs: the same guest's own leases count at
    // once after a restart, a NIC it did not have is screened as a new guest's (leases-before.ts).
    const before =
        wait?.source === "lease" && model.running !== false ? await leasesNotItsOwn(client, model, dom) : undefined;
    let waiting: string[];
    try {
        waiting = await applyDeclaration(client, dom, model, previous, resource, pending);
    } catch (error) {
        // Rolled back: the old definition runs again, so the old outputs are still true and stay
        // (a partial result would mark the resource as failed to initialise and make the next
        // `up` run an update even for a reverted program).
        if (error instanceof RestartRefusedError && error.rolledBack) throw error;
        throw await withRealState(id, model.name, news, error);
    }
    const computed = await gatherComputed(client, dom, model.name, waiting, wait, before);
    return { outs: domainOutputs(news, computed) };
}

/**
 * The update's error with the domain's real state attached (see the file comment): read like a
 * refresh against the new declaration. When even that read fails, the error goes out alone and
 * the state keeps the old outputs (a refresh then finds the truth).
 */
async function withRealState(id: string, name: string, news: Properties, error: unknown): Promise<unknown> {
    let truth: dynamic.ReadResult;
    try {
        truth = await readDomain(id, news, { quiet: true });
    } catch {
        return error;
    }
    if (!truth.id || truth.props === undefined) return error;
    const reason = describeError(error);
    // `__provider` must survive, or later operations on the resource cannot load the provider.
    const properties = { ...truth.props, __provider: news.__provider };
    return new PartialCreateError(
        reason.startsWith(`Domain '${name}'`) ? reason : `Domain '${name}': update failed: ${reason}`,
        truth.id,
        properties,
        [reason],
    );
}
