/** Reading and writing `<interface>` devices. */
import { isDeepStrictEqual } from "node:util";
import { type DomainInterface, type InterfaceSource, interfaceModels } from "../model/domain-devices-interface";
import { type XElement, child, el, ensureChild, replaceChild } from "./tree";
import type { DeviceCodec } from "./domain-xml-device-list";
import { notModelled, optionalOneOf, putAttr, readInt } from "./domain-xml-support";
import { compact, compactOrUndefined } from "./values";

const nicOrder = ["mac", "source", "target", "model", "driver", "mtu", "link", "boot", "alias", "address"];

function readSource(type: string | undefined, source: XElement | undefined): InterfaceSource {
    const attrs = source?.attrs ?? {};
    switch (type) {
        case "network":
            return compact({
                network: attrs.network ?? notModelled("network without name"),
                portgroup: attrs.portgroup,
            });
        case "bridge":
            return { bridge: attrs.bridge ?? notModelled("bridge without name") };
        case "direct":
            return compact({
                direct: attrs.dev ?? notModelled("direct without dev"),
                mode: optionalOneOf(attrs.mode, ["vepa", "bridge", "private", "passthrough"], "macvtap mode"),
            });
        default:
            return notModelled(`interface type '${type}'`);
    }
}

export function readInterface(node: XElement): DomainInterface {
    const driver = child(node, "driver");
    const link = child(node, "link")?.attrs.state;
    return compact({
        source: readSource(node.attrs.type, child(node, "source")),
        mac: child(node, "mac")?.attrs.address?.toLowerCase(),
        model: optionalOneOf(child(node, "model")?.attrs.type, interfaceModels, "nic model"),
        driver: driver
            ? compactOrUndefined({
                  name: optionalOneOf(driver.attrs.name, ["vhost", "qemu"], "nic driver"),
                  queues: readInt(driver.attrs.queues, "nic queues"),
              })
            : undefined,
        mtu: readInt(child(node, "mtu")?.attrs.size, "mtu"),
        linkUp: link === undefined ? undefined : link === "up" ? true : link === "down" ? false : notModelled(link),
        boot: readInt(child(node, "boot")?.attrs.order, "boot order"),
        targetDev: child(node, "target")?.attrs.dev,
    });
}

function sourceOf(source: InterfaceSource): { type: string; attrs: Record<string, string | undefined> } {
    if ("network" in source)
        return { type: "network", attrs: { network: source.network, portgroup: source.portgroup } };
    if ("bridge" in source) return { type: "bridge", attrs: { bridge: source.bridge } };
    return { type: "direct", attrs: { dev: source.direct, mode: source.mode } };
}

export function writeInterface(node: XElement, desired: DomainInterface, previous: DomainInterface | undefined) {
    let current: DomainInterface | undefined;
    try {
        current = readInterface(node);
    } catch {
        current = undefined;
    }
    if (!isDeepStrictEqual(current?.source, desired.source)) {
        const { type, attrs } = sourceOf(desired.source);
        // A new kind of source: what libvirt added for the old one (portid, bridge) no longer applies.
        replaceChild(node, "source", el("source", attrs), nicOrder);
        node.attrs = { type, ...node.attrs };
        node.attrs.type = type;
    }
    if (desired.mac !== undefined && current?.mac !== desired.mac) {
        ensureChild(node, "mac", nicOrder).attrs.address = desired.mac;
    } else if (desired.mac === undefined && previous?.mac !== undefined) {
        replaceChild(node, "mac", undefined);
    }
    if (desired.targetDev !== undefined) ensureChild(node, "target", nicOrder).attrs.dev = desired.targetDev;
    else if (previous?.targetDev !== undefined) replaceChild(node, "target", undefined);
    if (desired.model !== undefined) ensureChild(node, "model", nicOrder).attrs.type = desired.model;
    else if (previous?.model !== undefined) replaceChild(node, "model", undefined);
    if (desired.driver !== undefined) {
        const driver = ensureChild(node, "driver", nicOrder);
        putAttr(driver, "name", desired.driver.name, previous?.driver?.name);
        putAttr(driver, "queues", desired.driver.queues, previous?.driver?.queues);
    } else if (previous?.driver !== undefined) {
        replaceChild(node, "driver", undefined);
    }
    if (desired.mtu !== undefined) ensureChild(node, "mtu", nicOrder).attrs.size = String(desired.mtu);
    else if (previous?.mtu !== undefined) replaceChild(node, "mtu", undefined);
    if (desired.linkUp !== undefined) {
        if (current?.linkUp !== desired.linkUp)
            ensureChild(node, "link", nicOrder).attrs.state = desired.linkUp ? "up" : "down";
    } else if (previous?.linkUp !== undefined) {
        replaceChild(node, "link", undefined);
    }
    if (desired.boot !== undefined) ensureChild(node, "boot", nicOrder).attrs.order = String(desired.boot);
    else if (previous?.boot !== undefined) replaceChild(node, "boot", undefined);
}

export const interfaceCodec: DeviceCodec<DomainInterface> = {
    tag: "interface",
    read: readInterface,
    write: writeInterface,
    key: (nic) => nic.mac,
};
