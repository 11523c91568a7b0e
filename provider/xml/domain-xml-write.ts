/**
 * Writes a model into a `<domain>` tree: an empty one (a new document) or the one libvirt holds
 * (a merge). Only what the model manages is touched; see the writing rule in domain-xml-support.
 */
import { isDeepStrictEqual } from "node:util";
import type { Domain } from "../model/domain";
import type { DomainDevices } from "../model/domain-devices";
import { type XElement, child, ensureChild, removeChildren, setText, textOf } from "./tree";
import { writeCpu, writeCputune, writeVcpu, writeVcpus } from "./domain-xml-cpu";
import { type DeviceCodec, mergeDeviceList } from "./domain-xml-device-list";
import { writeMaxMemory, writeMemoryBacking, writeMemtune, writeNumatune } from "./domain-xml-memory";
import { writeMemballoon } from "./domain-xml-misc";
import { writeClock, writeFeatures, writeOs } from "./domain-xml-os";
import { deviceCodecs } from "./domain-xml-read";
import { putSizeElement, putTextElement, readOrSkip, readSizeElement } from "./domain-xml-support";

/** libvirt's order of the top-level elements, used to place new ones. */
const topOrder = [
    "name",
    "uuid",
    "genid",
    "title",
    "description",
    "metadata",
    "maxMemory",
    "memory",
    "currentMemory",
    "blkiotune",
    "memtune",
    "memoryBacking",
    "vcpu",
    "vcpus",
    "iothreads",
    "iothreadids",
    "cputune",
    "numatune",
    "resource",
    "sysinfo",
    "bootloader",
    "bootloader_args",
    "os",
    "idmap",
    "features",
    "cpu",
    "clock",
    "on_poweroff",
    "on_reboot",
    "on_crash",
    "on_lockfailure",
    "pm",
    "perf",
    "devices",
    "seclabel",
    "keywrap",
    "launchSecurity",
];

/** A section element written by `write` when the model has it, removed when the model dropped it. */
function section<T>(
    root: XElement,
    name: string,
    desired: T | undefined,
    previous: T | undefined,
    write: (node: XElement, desired: T, previous: T | undefined) => void,
): void {
    if (desired !== undefined) write(ensureChild(root, name, topOrder), desired, previous);
    else if (previous !== undefined) removeChildren(root, name);
}

function writeMemory(root: XElement, model: Domain, previous: Domain | undefined): void {
    const oldMemory = readOrSkip(() => readSizeElement(child(root, "memory"), "memory"));
    putSizeElement(root, "memory", model.memory, previous?.memory, topOrder);
    if (model.currentMemory !== undefined) {
        putSizeElement(root, "currentMemory", model.currentMemory, undefined, topOrder);
    } else if (previous?.currentMemory !== undefined || oldMemory !== model.memory) {
        // libvirt always prints a current memory; left out, it should follow memory, not stay at the old size.
        removeChildren(root, "currentMemory");
    }
    section(root, "maxMemory", model.maxMemory, previous?.maxMemory, (node, desired) => writeMaxMemory(node, desired));
}

type ListKey = keyof typeof deviceCodecs;

function writeDevices(root: XElement, devices: DomainDevices, previous: DomainDevices | undefined): void {
    const node = ensureChild(root, "devices", topOrder);
    putTextElement(node, "emulator", devices.emulator, previous?.emulator, ["emulator"]);
    for (const [key, codec] of Object.entries(deviceCodecs) as Array<[ListKey, DeviceCodec<unknown>]>) {
        const desired = devices[key] as unknown[] | undefined;
        const before = previous?.[key] as unknown[] | undefined;
        // A list the previous model managed and this one drops is emptied, like any dropped field.
        if (desired !== undefined || before !== undefined) mergeDeviceList(node, codec, desired ?? [], before);
    }
    if (devices.memballoon !== undefined) {
        const balloon = ensureChild(node, "memballoon", ["emulator", "disk", "controller", "interface", "memballoon"]);
        writeMemballoon(balloon, devices.memballoon, previous?.memballoon);
    } else if (previous?.memballoon !== undefined) {
        removeChildren(node, "memballoon");
    }
}

export function writeDomainTree(root: XElement, model: Domain, previous?: Domain): void {
    root.attrs = { type: model.type, ...root.attrs };
    root.attrs.type = model.type;
    const name = ensureChild(root, "name", topOrder);
    if (textOf(name) !== model.name) setText(name, model.name);
    if (model.uuid !== undefined && textOf(child(root, "uuid"))?.trim().toLowerCase() !== model.uuid) {
        setText(ensureChild(root, "uuid", topOrder), model.uuid);
    }
    putTextElement(root, "title", model.title, previous?.title, topOrder);
    putTextElement(root, "description", model.description, previous?.description, topOrder);
    writeMemory(root, model, previous);
    section(root, "memtune", model.memtune, previous?.memtune, writeMemtune);
    section(root, "memoryBacking", model.memoryBacking, previous?.memoryBacking, writeMemoryBacking);
    // A document without <vcpu> has one vCPU; leave it without rather than spelling that out.
    const vcpuImplied = child(root, "vcpu") === undefined && isDeepStrictEqual(model.vcpu, { maximum: 1 });
    if (!vcpuImplied) writeVcpu(ensureChild(root, "vcpu", topOrder), model.vcpu, previous?.vcpu);
    section(root, "vcpus", model.vcpus, previous?.vcpus, (node, desired) => writeVcpus(node, desired));
    putTextElement(root, "iothreads", model.iothreads?.toString(), previous?.iothreads, topOrder);
    section(root, "cputune", model.cputune, previous?.cputune, writeCputune);
    section(root, "numatune", model.numatune, previous?.numatune, writeNumatune);
    writeOs(ensureChild(root, "os", topOrder), model.os, previous?.os);
    section(root, "features", model.features, previous?.features, writeFeatures);
    section(root, "cpu", model.cpu, previous?.cpu, writeCpu);
    section(root, "clock", model.clock, previous?.clock, writeClock);
    putTextElement(root, "on_poweroff", model.onPoweroff, previous?.onPoweroff, topOrder);
    putTextElement(root, "on_reboot", model.onReboot, previous?.onReboot, topOrder);
    putTextElement(root, "on_crash", model.onCrash, previous?.onCrash, topOrder);
    writeDevices(root, model.devices, previous?.devices);
}
