/**
 * Steps on one resource of the state that need no program: delete (for removed resources, replacements and
 * destroy) and refresh. Both load the provider from the state's outputs, as the engine does.
 */
import type { EmulatedHost } from "./host";
import type { PendingOperation, StateResource } from "./types";
import { annotateSecrets, changedKeys, markSecretKeys, unwrapMap } from "./values";

/**
 * The refusal to delete a protected resource. The engine goes on with the other deletes after it
 * (step_executor.go treats its deleteProtectedError as continue-on-error), so every protected
 * resource in the way is reported in one run; what the resource depends on is kept.
 */
export class DeleteProtectedError extends Error {
    constructor(readonly urn: string) {
        super(`unable to delete resource "${urn}": it is marked for protection; remove the protect option first`);
    }
}

/** Deletes a resource, honouring protect and retainOnDelete; answers the detail to report. */
export async function deleteResource(host: EmulatedHost, res: StateResource, preview: boolean): Promise<string> {
    if (res.options.protect) throw new DeleteProtectedError(res.urn);
    if (!res.custom) return "component";
    // A resource that `get` read is not managed by the stack: it is only forgotten.
    if (res.external) return "forgotten (read with get)";
    if (res.options.retainOnDelete) return "retained (retainOnDelete)";
    if (!preview) await host.delete(res.id ?? "", unwrapMap(res.outputs));
    return res.pendingDelete ? "old half of a replacement" : "";
}

/**
 * Deletes the object a create left that a killed run recorded as pending (the state has its inputs,
 * no ID). The provider is asked with a read of an empty ID and the create's inputs; one that can
 * tell (pulumi-libvirt, by its owner records) answers the object that create made, and that is
 * deleted. The real engine leaves such objects alone (docs/lifecycle.md). Answers the detail to report.
 */
export async function deletePendingCreate(host: EmulatedHost, op: PendingOperation): Promise<string> {
    const inputs = unwrapMap(op.inputs);
    const found = await host.read("", inputs);
    if (!found.id) return "interrupted create: the provider found no object it made";
    await host.delete(found.id, unwrapMap(found.properties));
    return "interrupted create: deleted the object it made";
}

export interface RefreshOutcome {
    /** undefined when the provider reported the resource gone. */
    resource?: StateResource;
    detail: string;
}

/**
 * Refresh: Read with the old outputs. An empty ID means the object is gone; otherwise the outputs are replaced,
 * and the inputs too when the provider returns `inputs` (3.216+). Secretness carries over from the old inputs
 * and outputs by key, plus additionalSecretOutputs.
 */
export async function refreshResource(host: EmulatedHost, res: StateResource): Promise<RefreshOutcome> {
    if (!res.custom) return { resource: res, detail: "component" };
    const result = await host.read(res.id ?? "", unwrapMap(res.outputs));
    if (!result.id) return { detail: "deleted (read found nothing)" };
    let outputs = annotateSecrets(annotateSecrets(result.properties, res.inputs), res.outputs);
    outputs = markSecretKeys(outputs, res.options.additionalSecretOutputs);
    const inputs = result.inputs ? annotateSecrets(result.inputs, res.inputs) : res.inputs;
    const drift = changedKeys(unwrapMap(res.outputs), unwrapMap(outputs));
    const inputDrift = result.inputs ? changedKeys(unwrapMap(res.inputs), unwrapMap(inputs)) : [];
    const parts: string[] = [];
    if (result.id !== res.id) parts.push(`id ${res.id} -> ${result.id}`);
    if (drift.length) parts.push(`outputs changed: ${drift.join(", ")}`);
    if (inputDrift.length) parts.push(`inputs changed: ${inputDrift.join(", ")}`);
    return {
        resource: { ...withoutProviderCopy(res), id: result.id, inputs, outputs },
        detail: parts.length ? parts.join("; ") : "unchanged",
    };
}

/**
 * The resource without the copy of its provider's text that state files written before 2026-12-07
 * held beside `outputs.__provider` (nothing read it; it was a third of every checkpoint, and held
 * a secret provider text in clear).
 */
function withoutProviderCopy(res: StateResource): StateResource {
    const { provider: _copy, ...rest } = res as StateResource & { provider?: unknown };
    return rest;
}
