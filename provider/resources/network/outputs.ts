/** The Network's computed outputs. */
import type { Properties } from "../shared/handler";
import { resolveUri } from "../shared/connection";
import type { NetworkState } from "./libvirt";

/** Computed outputs, and the URI actually used (so a changed default connection shows as a move). */
export function computedOutputs(state: NetworkState, uri: unknown): Properties {
    const used = resolveUri(typeof uri === "string" ? uri : undefined);
    return { uri: used, uuid: state.uuid, bridgeName: state.bridgeName, active: state.active };
}
