/** Reading and writing `<graphics>`, `<video>`, `<sound>` and `<input>` devices. */
import {
    type DomainGraphics,
    type DomainInput,
    type DomainSound,
    type DomainVideo,
    soundModels,
    videoModels,
} from "../model/domain-devices-display";
import { type XElement, child, children, el, ensureChild, isElement } from "./tree";
import type { DeviceCodec } from "./domain-xml-device-list";
import { kib, notModelled, oneOf, optionalOneOf, putAttr, readInt, readSwitch } from "./domain-xml-support";
import { compact, yesNo } from "./values";

/**
 * The listen address libvirt uses when a document names none: qemu.conf's vnc_listen and
 * spice_listen, both 127.0.0.1 unless the host was reconfigured. The model's default is the same.
 */
const defaultListen = "127.0.0.1";

function readListen(node: XElement): string {
    const listens = children(node, "listen");
    if (listens.length > 1) notModelled("several listen elements");
    const listen = listens[0];
    if (listen === undefined) return node.attrs.listen ?? defaultListen;
    if (listen.attrs.type !== "address") notModelled(`listen type '${listen.attrs.type}'`);
    return listen.attrs.address ?? node.attrs.listen ?? defaultListen;
}

export function readGraphics(node: XElement): DomainGraphics {
    const type = oneOf(node.attrs.type, ["vnc", "spice"], "graphics type");
    const port = readInt(node.attrs.port, "graphics port");
    // port -1 is libvirt's old spelling of autoport; a port shown with autoport on is only the one picked at start.
    const autoport = readSwitch(node.attrs.autoport, "autoport") ?? (port === -1 ? true : undefined);
    if (node.attrs.tlsPort !== undefined || node.attrs.socket !== undefined) notModelled("tls port or socket");
    return compact({
        type,
        listen: readListen(node),
        autoport,
        port: autoport || port === undefined || port < 0 ? undefined : port,
        password: node.attrs.passwd,
        websocket: readInt(node.attrs.websocket, "websocket"),
    });
}

export function writeGraphics(node: XElement, desired: DomainGraphics, previous: DomainGraphics | undefined): void {
    if (node.attrs.type !== undefined && node.attrs.type !== desired.type) {
        // VNC and SPICE share few attributes; start the other protocol afresh.
        node.attrs = {};
        node.children = [];
    }
    let current: DomainGraphics | undefined;
    try {
        current = readGraphics(node);
    } catch {
        current = undefined;
    }
    node.attrs.type = desired.type;
    if (desired.port !== undefined) {
        node.attrs.port = String(desired.port);
        // A fixed port turns automatic allocation off.
        if (current?.autoport || desired.autoport === false) node.attrs.autoport = "no";
    } else if (desired.autoport !== undefined && desired.autoport !== current?.autoport) {
        node.attrs.autoport = yesNo(desired.autoport)!;
        if (desired.autoport) delete node.attrs.port;
    } else if (previous?.port !== undefined) {
        delete node.attrs.port;
    }
    putAttr(node, "websocket", desired.websocket, previous?.websocket);
    putAttr(node, "passwd", desired.password, previous?.password);
    if (current?.listen !== desired.listen || child(node, "listen") === undefined) {
        node.attrs.listen = desired.listen;
        node.children = node.children.filter((c) => !(isElement(c) && c.name === "listen"));
        node.children.unshift(el("listen", { type: "address", address: desired.listen }));
    }
}

export const graphicsCodec: DeviceCodec<DomainGraphics> = { tag: "graphics", read: readGraphics, write: writeGraphics };

export function readVideo(node: XElement): DomainVideo {
    const model = child(node, "model") ?? notModelled("video without model");
    const vram = readInt(model.attrs.vram, "vram");
    return compact({
        model: oneOf(model.attrs.type, videoModels, "video model"),
        vram: vram === undefined ? undefined : vram * 1024,
        heads: readInt(model.attrs.heads, "heads"),
        primary: readSwitch(model.attrs.primary, "primary"),
    });
}

export function writeVideo(node: XElement, desired: DomainVideo, previous: DomainVideo | undefined): void {
    const model = ensureChild(node, "model");
    const typeChanged = model.attrs.type !== desired.model;
    model.attrs.type = desired.model;
    // Sizes and heads of another model do not carry over; libvirt picks that model's defaults.
    const old = typeChanged ? { vram: model.attrs.vram, heads: model.attrs.heads } : previous;
    putAttr(model, "vram", desired.vram === undefined ? undefined : kib(desired.vram), old?.vram);
    putAttr(model, "heads", desired.heads, old?.heads);
    putAttr(model, "primary", yesNo(desired.primary), previous?.primary);
}

export const videoCodec: DeviceCodec<DomainVideo> = { tag: "video", read: readVideo, write: writeVideo };

export const soundCodec: DeviceCodec<DomainSound> = {
    tag: "sound",
    read: (node) => ({ model: oneOf(node.attrs.model, soundModels, "sound model") }),
    write: (node, desired) => {
        node.attrs.model = desired.model;
    },
};

export const inputCodec: DeviceCodec<DomainInput> = {
    tag: "input",
    read: (node) =>
        compact({
            type: oneOf(node.attrs.type, ["tablet", "mouse", "keyboard"], "input type"),
            bus: optionalOneOf(node.attrs.bus, ["usb", "ps2", "virtio"], "input bus"),
        }),
    write: (node, desired, previous) => {
        node.attrs.type = desired.type;
        putAttr(node, "bus", desired.bus, previous?.bus);
    },
    // On x86 libvirt always adds a PS/2 mouse and keyboard; they are part of the machine.
    implicit: (node) => node.attrs.bus === "ps2" && (node.attrs.type === "mouse" || node.attrs.type === "keyboard"),
};
