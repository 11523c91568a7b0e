/** The StoragePool's outputs: the inputs echoed plus what libvirt reports. */
import type { StoragePool } from "../../model/storage-pool";
import type { Properties } from "../shared/handler";
import { makeOutputs } from "../shared/outputs";
import type { PoolState } from "./libvirt";

/** Outputs: the inputs echoed plus what libvirt reports. */
export function outputsOf(inputs: Properties, uri: string, state: PoolState, built: boolean): Properties {
    return makeOutputs(inputs, {
        uri,
        name: state.model.name,
        type: state.model.type,
        uuid: state.model.uuid,
        autostart: state.autostart,
        active: state.active,
        capacityBytes: state.capacityBytes,
        allocationBytes: state.allocationBytes,
        availableBytes: state.availableBytes,
        built,
    });
}

/** The model's configurable fields in argument form, for refreshed outputs. */
export function argsFromModel(model: StoragePool): Properties {
    const { capacity: _c, allocation: _a, available: _v, ...config } = model;
    return config;
}
