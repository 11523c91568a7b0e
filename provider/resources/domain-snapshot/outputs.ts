/** The DomainSnapshot's outputs: the inputs echoed plus what libvirt reports. */
import { uuidText } from "../../model/uuid";
import type { Dom } from "../domain/libvirt";
import type { Properties } from "../shared/handler";
import { makeOutputs } from "../shared/outputs";
import { creationTimeText, filesOf, overlaysOf, type SnapshotState } from "./libvirt";

/** Outputs: the inputs echoed plus what libvirt reports. */
export function outputsOf(inputs: Properties, uri: string, dom: Dom, state: SnapshotState): Properties {
    const document = state.document;
    return makeOutputs(inputs, {
        uri,
        name: document.name,
        domain: dom.name,
        domainUuid: uuidText(dom.uuid),
        creationTime: creationTimeText(document),
        state: document.state,
        parent: document.parent,
        current: state.current,
        overlays: overlaysOf(document),
        files: filesOf(document),
    });
}
