/**
 * Read (refresh, and `Domain.get`): configuration from the inactive definition, plus the power
 * state (as `running`: true, "paused" or false) and autostart from the API. A domain that no longer exists is reported gone. Differences
 * from the declaration (drift made out of band, like `virsh setvcpus --config`) become the new
 * inputs, so the next `up` shows them and puts them back; they are also printed.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { classifyChanges } from "../../model/change-policy";
import { domainFromXml } from "../../xml/domain";
import { clientFor } from "../shared/connection";
import type { Properties } from "../shared/handler";
import { logInfo } from "../shared/log";
import { withLentChains } from "./backing-chains";
import { comparable } from "./comparable";
import { gatherComputed } from "./computed";
import { autostartOf, findById, inactiveXml, powerState } from "./libvirt";
import { declaredPart, domainOutputs, modelToInputs, splitPasswords } from "./outputs";
import { parseDeclared, splitFields } from "./parse";
import { stillPending } from "./pending";
import { runningValueOf } from "./power";
import { redactedChanges } from "./redact";

/** `quiet`: no "changed outside Pulumi" lines (a failed update reads its own changes back). */
export async function readDomain(
    id: string,
    props: Properties = {},
    options: { quiet?: boolean } = {},
): Promise<dynamic.ReadResult> {
    const log = options.quiet ? () => {} : logInfo;
    const uri = typeof props.uri === "string" ? props.uri : undefined;
    const client = await clientFor(uri);
    const dom = await findById(client, id);
    if (!dom) return { id: "" };

    const parsed = parseDeclared(props);
    const declared = parsed.ok ? parsed.model : undefined;
    const definition = await inactiveXml(client, dom);
    const actual = declared
        ? domainFromXml(await withLentChains(client, dom, definition, declared), { like: declared })
        : domainFromXml(definition);
    // The power state as `running` would declare it: true, "paused" or false.
    const power = runningValueOf(await powerState(client, dom));
    const autostart = await autostartOf(client, dom);

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
    const pending = await stillPending(client, dom, recorded);
    const computed = await gatherComputed(client, dom, actual.name, pending, undefined);
    const outputs = domainOutputs(inputs, computed);
    const { __provider: _provider, ...stateInputs } = inputs;
    // Without a declaration (`Domain.get`), console passwords come from libvirt, not from the
    // program, so nothing would mark them secret in the state's inputs: they stay only in the
    // secret output `graphicsPasswords`.
    const recordedInputs = declared ? stateInputs : splitPasswords(stateInputs).inputs;
    return { id: computed.uuid, props: outputs, inputs: recordedInputs };
}
