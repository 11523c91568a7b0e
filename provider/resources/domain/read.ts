/**
 * Read (refresh, and `Domain.get`): configuration from the inactive definition, plus the power
 * state (as `running`: true, "paused" or false) and autostart from the API. A domain that no longer exists is reported gone. Differences
 * from the declaration (drift made out of band, like `virsh setvcpus --config`) become the new
 * inputs, so the next `up` shows them and puts them back; they are also printed.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { classifyChanges } from "../../model/change-policy";
import { domainReadings } from "../../xml/domain";
import { clientFor } from "../shared/connection";
import type { Properties } from "../shared/handler";
import { logInfo } from "../shared/log";
import { withLentChains } from "./backing-chains";
import { comparable } from "./comparable";
import { gatherComputed, macsOfModel } from "./computed";
import { findById, handleOf, inactiveXml, unlessMissing } from "./libvirt";
import { hostStates, stateAndAutostart } from "./host-states";
import { declaredPart, domainOutputs, modelToInputs, splitPasswords } from "./outputs";
import { parseDeclared, splitFields } from "./parse";
import { stillPending } from "./pending";
import { runningValueOf } from "./power";
import { redactedChanges } from "./redact";

/** Whether a QEMU process exists, from the power state; undefined where the state does not say (crashed). */
function activeIn(state: string): boolean | undefined {
    if (state === "running" || state === "paused" || state === "blocked") return true;
    if (state === "shutoff") return false;
    return undefined;
}

/** `quiet`: no "changed outside Pulumi" lines (a failed update reads its own changes back). */
export async function readDomain(
    id: string,
    props: Properties = {},
    options: { quiet?: boolean } = {},
): Promise<dynamic.ReadResult> {
    const log = options.quiet ? () => {} : logInfo;
    const uri = typeof props.uri === "string" ? props.uri : undefined;
    const client = await clientFor(uri);
    // A refresh knows the UUID and the name: the definition is read directly (a gone domain fails
    // that read as it would fail a lookup). A `get` by name looks the domain up first.
    const known = typeof props.name === "string" ? handleOf(id, props.name) : undefined;
    const dom = known ?? (await findById(client, id));
    if (!dom) return { id: "" };
    const states = hostStates(client);
    // Not awaited when the domain is gone: the shared listing must not fail this read.
    states.catch(() => {});
    const xml = await unlessMissing(() => inactiveXml(client, dom));
    if (xml === undefined) return { id: "" };

    const parsed = parseDeclared(props);
    const declared = parsed.ok ? parsed.model : undefined;
    // Parsed once: as libvirt has it (MACs, the pending check), and read against the declaration
    // (a disk under an external snapshot reads as its declared image: backing-chains.ts).
    const { definition, actual } = domainReadings(
        declared ? await withLentChains(client, dom, xml, declared) : xml,
        declared,
    );
    const { state, autostart } = await stateAndAutostart(client, dom, states);
    // The power state as `running` would declare it: true, "paused" or false.
    const power = runningValueOf(state);

    let inputs: Properties;
    if (declared) {
        // Keep the declaration as written unless libvirt now holds something else.
        inputs = declaredPart(props);
        const drift = classifyChanges("domain", comparable(declared), comparable(actual));
        if (drift.length > 0) {
            const { resourceInput } = splitFields(props);
            const keepApi = { running: inputs.running, autostart: inputs.autostart };
            inputs = { ...resourceInput, ...modelToInputs(actual), ...keepApi };
            log("Domain", actual.name, `changed outside Pulumi:\n${redactedChanges(drift).join("\n")}`);
        }
        if ((declared.running ?? true) !== power) {
            inputs = { ...inputs, running: power };
            log("Domain", actual.name, `power state changed outside Pulumi: running is now ${JSON.stringify(power)}`);
        }
        if (declared.autostart !== undefined && declared.autostart !== autostart) inputs = { ...inputs, autostart };
    } else {
        // `Domain.get` or state from elsewhere: everything the model can express, as libvirt has it.
        inputs = { ...modelToInputs(actual), autostart, running: power };
        if (uri !== undefined) inputs.uri = uri;
    }
    for (const key of Object.keys(inputs)) if (inputs[key] === undefined) delete inputs[key];

    const recorded = Array.isArray(props.pendingChanges) ? (props.pendingChanges as string[]) : [];
    const pending = await stillPending(client, dom, recorded, { defined: definition, active: activeIn(state) });
    const computed = await gatherComputed(client, dom, actual.name, pending, undefined, undefined, {
        macs: macsOfModel(definition),
        state,
    });
    const outputs = domainOutputs(inputs, computed);
    const { __provider: _provider, ...stateInputs } = inputs;
    // Without a declaration (`Domain.get`), console passwords come from libvirt, not from the
    // program, so nothing would mark them secret in the state's inputs: they stay only in the
    // secret output `graphicsPasswords`.
    const recordedInputs = declared ? stateInputs : splitPasswords(stateInputs).inputs;
    return { id: computed.uuid, props: outputs, inputs: recordedInputs };
}
