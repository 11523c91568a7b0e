/** Reading and writing `<disk>` devices. */
import { isDeepStrictEqual } from "node:util";
import { diskBuses, type DiskSource, type DomainDisk } from "../model/domain-devices-disk";
import { type XElement, child, childText, el, ensureChild, replaceChild, setAttr } from "./tree";
import type { DeviceCodec } from "./domain-xml-device-list";
import { readsAsDeclaredSource } from "./domain-xml-disk-readback";
import {
    notModelled,
    oneOf,
    optionalOneOf,
    putAttr,
    putFlagElement,
    putTextElement,
    readInt,
} from "./domain-xml-support";
import { compact, compactOrUndefined } from "./values";

const diskOrder = ["driver", "source", "backingStore", "target", "boot", "readonly", "shareable", "serial", "address"];
const formats = ["raw", "qcow2", "qcow", "vmdk", "vdi", "vpc", "qed", "iso", "bochs", "cloop", "dmg"] as const;

function readSource(type: string | undefined, source: XElement | undefined): DiskSource | undefined {
    if (source === undefined) return undefined;
    switch (type ?? "file") {
        case "file":
            return source.attrs.file === undefined ? undefined : { file: source.attrs.file };
        case "block":
            return source.attrs.dev === undefined ? undefined : { block: source.attrs.dev };
        case "volume":
            if (source.attrs.pool === undefined || source.attrs.volume === undefined)
                return notModelled("volume source");
            return { pool: source.attrs.pool, volume: source.attrs.volume };
        default:
            return notModelled(`disk type '${type}'`);
    }
}

export function readDisk(node: XElement): DomainDisk {
    const target = child(node, "target") ?? notModelled("disk without target");
    const driver = child(node, "driver");
    if (driver?.attrs.name !== undefined && driver.attrs.name !== "qemu") notModelled(`driver ${driver.attrs.name}`);
    return compact({
        device: oneOf(node.attrs.device ?? "disk", ["disk", "cdrom", "floppy", "lun"], "disk device"),
        source: readSource(node.attrs.type, child(node, "source")),
        target: compact({
            dev: target.attrs.dev ?? notModelled("target without dev"),
            bus: optionalOneOf(target.attrs.bus, diskBuses, "disk bus"),
        }),
        driver: driver
            ? compactOrUndefined({
                  type: optionalOneOf(driver.attrs.type, formats, "disk format"),
                  cache: optionalOneOf(
                      driver.attrs.cache,
                      ["default", "none", "writethrough", "writeback", "directsync", "unsafe"],
                      "cache",
                  ),
                  io: optionalOneOf(driver.attrs.io, ["threads", "native", "io_uring"], "io"),
                  discard: optionalOneOf(driver.attrs.discard, ["unmap", "ignore"], "discard"),
                  queues: readInt(driver.attrs.queues, "queues"),
                  iothread: readInt(driver.attrs.iothread, "iothread"),
              })
            : undefined,
        readonly: child(node, "readonly") !== undefined ? true : undefined,
        shareable: child(node, "shareable") !== undefined ? true : undefined,
        boot: readInt(child(node, "boot")?.attrs.order, "boot order"),
        serial: childText(node, "serial"),
    });
}

function sourceType(source: DiskSource): "file" | "block" | "volume" {
    if ("file" in source) return "file";
    if ("block" in source) return "block";
    return "volume";
}

function sourceAttrs(source: DiskSource): Record<string, string> {
    if ("file" in source) return { file: source.file };
    if ("block" in source) return { dev: source.block };
    return { pool: source.pool, volume: source.volume };
}

export function writeDisk(node: XElement, desired: DomainDisk, previous: DomainDisk | undefined): void {
    let current: DomainDisk | undefined;
    try {
        current = readDisk(node);
    } catch {
        current = undefined;
    }
    setAttr(node, "device", desired.device);
    if (desired.source !== undefined) {
        const type = sourceType(desired.source);
        // libvirt's spelling of the declared source (an external snapshot's overlay) stays as it is.
        const keepsLibvirts = readsAsDeclaredSource(node, desired.source);
        if (!keepsLibvirts && !isDeepStrictEqual(current?.source, desired.source)) {
            // The old source's backing chain is not the new one's: libvirt probes the new file's.
            replaceChild(node, "backingStore", undefined);
            const existing = child(node, "source");
            if (existing && node.attrs.type === type) {
                Object.assign(existing.attrs, sourceAttrs(desired.source));
            } else {
                replaceChild(node, "source", el("source", sourceAttrs(desired.source)), diskOrder);
            }
        }
        if (!keepsLibvirts) node.attrs.type = type;
    } else {
        // An empty drive (a cdrom without media) is a file disk without a source.
        if (previous?.source !== undefined || current?.source !== undefined) replaceChild(node, "source", undefined);
        node.attrs.type ??= "file";
    }
    const target = ensureChild(node, "target", diskOrder);
    target.attrs.dev = desired.target.dev;
    putAttr(target, "bus", desired.target.bus, previous?.target.bus);
    if (desired.driver !== undefined) {
        const driver = ensureChild(node, "driver", diskOrder);
        driver.attrs.name ??= "qemu";
        for (const key of ["type", "cache", "io", "discard", "queues", "iothread"] as const) {
            putAttr(driver, key, desired.driver[key], previous?.driver?.[key]);
        }
    } else if (previous?.driver !== undefined) {
        replaceChild(node, "driver", undefined);
    }
    putFlagElement(node, "readonly", desired.readonly, diskOrder, previous?.readonly);
    putFlagElement(node, "shareable", desired.shareable, diskOrder, previous?.shareable);
    if (desired.boot !== undefined) ensureChild(node, "boot", diskOrder).attrs.order = String(desired.boot);
    else if (previous?.boot !== undefined) replaceChild(node, "boot", undefined);
    putTextElement(node, "serial", desired.serial, previous?.serial, diskOrder);
    // libvirt wants the attributes in this order when it prints; keep type first for readability.
    node.attrs = { type: node.attrs.type!, device: node.attrs.device!, ...node.attrs };
}

export const diskCodec: DeviceCodec<DomainDisk> = {
    tag: "disk",
    read: readDisk,
    write: writeDisk,
    key: (disk) => disk.target.dev,
};
