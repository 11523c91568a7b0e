/**
 * The Volume's outputs: the inputs echoed, what libvirt reports, and the passphrase secret's UUID,
 * which only the state remembers (libvirt forgets it once it probes the image again).
 */
import type { Properties } from "../shared/handler";
import { makeOutputs } from "../shared/outputs";
import type { VolumeComputed } from "./args";
import type { VolumeState } from "./libvirt";

function computedOutputs(state: VolumeState): VolumeComputed {
    return {
        key: state.vol.key,
        path: state.path,
        format: state.format,
        capacityBytes: state.capacityBytes,
        allocationBytes: state.allocationBytes,
        backingStorePath: state.model.backingStore?.path,
    };
}

/** The outputs of a volume in this state. */
export function outputs(inputs: Properties, state: VolumeState, encryptionSecret?: string): Properties {
    const computed: VolumeComputed = { ...computedOutputs(state), encryptionSecret };
    return makeOutputs(inputs, computed as unknown as Properties);
}
