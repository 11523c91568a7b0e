/** Reading and writing `<memory>` devices (DIMMs). */
import type { DomainMemoryDevice } from "../model/domain-devices-memory";
import { type XElement, child, childText, ensureChild, removeChildren } from "./tree";
import type { DeviceCodec } from "./domain-xml-device-list";
import { notModelled, oneOf, putSizeElement, readInt, readSizeElement } from "./domain-xml-support";
import { compact } from "./values";

const targetOrder = ["size", "node", "label", "block", "requested", "current", "address"];

export function readMemoryDevice(node: XElement): DomainMemoryDevice {
    const target = child(node, "target") ?? notModelled("memory device without a target");
    return compact({
        model: oneOf(node.attrs.model, ["dimm"], "memory device model"),
        size: readSizeElement(child(target, "size"), "memory device size") ?? notModelled("a DIMM without a size"),
        node: readInt(childText(target, "node")?.trim(), "memory device node"),
    });
}

export function writeMemoryDevice(node: XElement, desired: DomainMemoryDevice, previous?: DomainMemoryDevice) {
    node.attrs.model = desired.model;
    const target = ensureChild(node, "target", ["source", "target", "alias", "address"]);
    putSizeElement(target, "size", desired.size, previous?.size, targetOrder);
    if (desired.node !== undefined) {
        if (childText(target, "node")?.trim() !== String(desired.node)) {
            removeChildren(target, "node");
            ensureChild(target, "node", targetOrder).children = [{ text: String(desired.node) }];
        }
    } else if (previous?.node !== undefined) {
        removeChildren(target, "node");
    }
}

export const memoryDeviceCodec: DeviceCodec<DomainMemoryDevice> = {
    tag: "memory",
    read: readMemoryDevice,
    write: writeMemoryDevice,
};
