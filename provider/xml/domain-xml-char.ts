/** Reading and writing `<serial>`, `<console>` and `<channel>` devices. */
import type { DomainChannel, DomainConsole, DomainSerial } from "../model/domain-devices-char";
import { type XElement, child, el, ensureChild, replaceChild } from "./tree";
import type { DeviceCodec } from "./domain-xml-device-list";
import { notModelled, oneOf, optionalOneOf, putAttr, readInt } from "./domain-xml-support";
import { compact } from "./values";

/** The source path of a file device; for a pty, the path is the one libvirt opened and is not modelled. */
function filePath(node: XElement, type: "pty" | "file"): string | undefined {
    return type === "file" ? child(node, "source")?.attrs.path : undefined;
}

/** Writes the type and, for files, the source path; a pty's allocated path is left alone. */
function writeTypeAndPath(node: XElement, type: "pty" | "file", path: string | undefined) {
    if (node.attrs.type !== type) {
        replaceChild(node, "source", undefined);
        node.attrs = { type, ...node.attrs };
        node.attrs.type = type;
    }
    if (type === "file" && path !== undefined) {
        const source = ensureChild(node, "source", ["source", "target"]);
        if (source.attrs.path !== path) source.attrs = { path };
    }
}

export const serialCodec: DeviceCodec<DomainSerial> = {
    tag: "serial",
    read: (node) => {
        const type = oneOf(node.attrs.type, ["pty", "file"], "serial type");
        return compact({ type, path: filePath(node, type), port: readInt(child(node, "target")?.attrs.port, "port") });
    },
    write: (node, desired, previous) => {
        writeTypeAndPath(node, desired.type, desired.path);
        if (desired.port !== undefined || previous?.port !== undefined) {
            putAttr(ensureChild(node, "target", ["source", "target"]), "port", desired.port, previous?.port);
        }
    },
};

export const consoleCodec: DeviceCodec<DomainConsole> = {
    tag: "console",
    read: (node) => {
        const type = oneOf(node.attrs.type, ["pty", "file"], "console type");
        const target = child(node, "target");
        const targetType = optionalOneOf(target?.attrs.type, ["serial", "virtio"], "console target");
        return compact({
            type,
            path: filePath(node, type),
            targetType,
            // libvirt numbers virtio consoles itself; the number is not part of the model.
            port: targetType === "virtio" ? undefined : readInt(target?.attrs.port, "port"),
        });
    },
    write: (node, desired, previous) => {
        writeTypeAndPath(node, desired.type, desired.path);
        if (desired.targetType !== undefined || desired.port !== undefined || previous !== undefined) {
            const target = ensureChild(node, "target", ["source", "target"]);
            putAttr(target, "type", desired.targetType, previous?.targetType);
            putAttr(target, "port", desired.port, previous?.port);
        }
    },
    // libvirt shows the first serial port again as a console; it comes and goes with that port.
    implicit: (node) => child(node, "target")?.attrs.type === "serial" && node.attrs.type === "pty",
};

export const channelCodec: DeviceCodec<DomainChannel> = {
    tag: "channel",
    read: (node) => {
        const type = oneOf(node.attrs.type, ["unix", "spicevmc", "pty"], "channel type");
        const target = child(node, "target") ?? notModelled("channel without target");
        if (target.attrs.type !== "virtio") notModelled(`channel target '${target.attrs.type}'`);
        const source = child(node, "source");
        return compact({
            type,
            path: type === "unix" ? source?.attrs.path : undefined,
            name: target.attrs.name ?? notModelled("virtio channel without name"),
        });
    },
    write: (node, desired, previous) => {
        if (node.attrs.type !== desired.type) {
            replaceChild(node, "source", undefined);
            node.attrs.type = desired.type;
        }
        if (desired.type === "unix") {
            const source = ensureChild(node, "source", ["source", "target"]);
            source.attrs.mode ??= "bind";
            putAttr(source, "path", desired.path, previous?.path);
        }
        const target = child(node, "target");
        if (target === undefined || target.attrs.name !== desired.name) {
            replaceChild(node, "target", el("target", { type: "virtio", name: desired.name }), ["source", "target"]);
        }
    },
    key: (channel) => channel.name,
};
