/** Reads a whole `<domain>` tree into the model: everything libvirt wrote that the model can express. */
import type { Domain } from "../model/domain";
import type { DomainDevices } from "../model/domain-devices";
import type { DomainController } from "../model/domain-devices-controller";
import { onCrashSchema, onPoweroffSchema, onRebootSchema } from "../model/domain-os";
import { type XElement, child, childText, textOf } from "./tree";
import { channelCodec, consoleCodec, serialCodec } from "./domain-xml-char";
import { readCpu, readCputune, readVcpu, readVcpus } from "./domain-xml-cpu";
import { type DeviceCodec, readDeviceList } from "./domain-xml-device-list";
import { controllerCodec, sortControllers } from "./domain-xml-controller";
import { diskCodec } from "./domain-xml-disk";
import { graphicsCodec, inputCodec, soundCodec, videoCodec } from "./domain-xml-display";
import { interfaceCodec } from "./domain-xml-interface";
import { memoryDeviceCodec } from "./domain-xml-memory-device";
import { readMaxMemory, readMemoryBacking, readMemtune, readNumatune } from "./domain-xml-memory";
import { filesystemCodec, hostdevCodec, readMemballoon, rngCodec, tpmCodec, watchdogCodec } from "./domain-xml-misc";
import { readClock, readFeatures, readOs } from "./domain-xml-os";
import { oneOf, readInt, readOrSkip, readSizeElement } from "./domain-xml-support";
import { compact } from "./values";

type ListKey = Exclude<keyof DomainDevices, "emulator" | "memballoon">;

/** Every device list of the model with the codec that reads and writes it. */
export const deviceCodecs: { [K in ListKey]: DeviceCodec<NonNullable<DomainDevices[K]>[number]> } = {
    disks: diskCodec,
    controllers: controllerCodec,
    interfaces: interfaceCodec,
    graphics: graphicsCodec,
    videos: videoCodec,
    sounds: soundCodec,
    serials: serialCodec,
    consoles: consoleCodec,
    channels: channelCodec,
    rngs: rngCodec,
    filesystems: filesystemCodec,
    hostdevs: hostdevCodec,
    watchdogs: watchdogCodec,
    tpms: tpmCodec,
    inputs: inputCodec,
    memories: memoryDeviceCodec,
};

function readDevices(node: XElement | undefined): DomainDevices {
    const devices: Record<string, unknown> = {};
    for (const [key, codec] of Object.entries(deviceCodecs) as Array<[ListKey, DeviceCodec<unknown>]>) {
        const list = readDeviceList(node, codec);
        if (list.length > 0) devices[key] = list;
    }
    if (devices.controllers) devices.controllers = sortControllers(devices.controllers as DomainController[]);
    const balloon = child(node, "memballoon");
    devices.memballoon = balloon && readOrSkip(() => readMemballoon(balloon));
    devices.emulator = childText(node, "emulator")?.trim();
    return compact(devices) as DomainDevices;
}

/** `<iothreads>`: the count; 0 (which libvirt prints for none) is no I/O threads. */
export function readIothreads(node: XElement | undefined): number | undefined {
    const count = readInt(textOf(node)?.trim(), "iothreads");
    return count === 0 ? undefined : count;
}

const lifecycle = (root: XElement, name: string, options: readonly string[]) =>
    readOrSkip(() => {
        const text = childText(root, name)?.trim();
        return text === undefined ? undefined : oneOf(text, options, name);
    });

/**
 * The model of a parsed document. Throws (with a reason) only for documents this provider cannot
 * manage at all: not a KVM/QEMU domain, or no name or memory. Any part it cannot express is left
 * out of the model; the document keeps it, and a merge leaves it as it is.
 */
export function readDomainTree(root: XElement): Domain {
    const type = root.attrs.type;
    if (type !== "kvm" && type !== "qemu") throw new Error(`domain type '${type}' is not managed (only kvm and qemu)`);
    const name = childText(root, "name");
    if (name === undefined) throw new Error("the domain has no <name>");
    const memory = readOrSkip(() => readSizeElement(child(root, "memory"), "memory"));
    if (memory === undefined) throw new Error("the domain has no readable <memory>");
    const uuid = childText(root, "uuid")?.trim().toLowerCase();
    return compact({
        name,
        type,
        uuid,
        title: childText(root, "title"),
        description: childText(root, "description"),
        memory,
        currentMemory: readOrSkip(() => readSizeElement(child(root, "currentMemory"), "currentMemory")),
        maxMemory: readOrSkip(() => readMaxMemory(child(root, "maxMemory"))),
        memtune: readOrSkip(() => readMemtune(child(root, "memtune"))),
        vcpu: readOrSkip(() => readVcpu(child(root, "vcpu"))) ?? { maximum: 1 },
        vcpus: readOrSkip(() => readVcpus(child(root, "vcpus"))),
        iothreads: readOrSkip(() => readIothreads(child(root, "iothreads"))),
        cputune: readOrSkip(() => readCputune(child(root, "cputune"))),
        cpu: readOrSkip(() => readCpu(child(root, "cpu"))),
        numatune: readOrSkip(() => readNumatune(child(root, "numatune"))),
        memoryBacking: readOrSkip(() => readMemoryBacking(child(root, "memoryBacking"))),
        features: readOrSkip(() => readFeatures(child(root, "features"))),
        clock: readOrSkip(() => readClock(child(root, "clock"))),
        os: readOrSkip(() => readOs(child(root, "os"))) ?? {},
        onPoweroff: lifecycle(root, "on_poweroff", onPoweroffSchema.options) as Domain["onPoweroff"],
        onReboot: lifecycle(root, "on_reboot", onRebootSchema.options) as Domain["onReboot"],
        onCrash: lifecycle(root, "on_crash", onCrashSchema.options) as Domain["onCrash"],
        devices: readDevices(child(root, "devices")),
    });
}
