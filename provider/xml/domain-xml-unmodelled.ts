/**
 * Lists the parts of a domain document that the model does not express, so that adopting an
 * existing domain can say what stays unmanaged. mergeDomain keeps all of them; this list is only
 * for telling. It works at element level: unknown attributes of modelled elements (a disk's
 * copy_on_read, say) are kept too but not listed.
 */
import { type XElement, child, isElement, parseTree } from "./tree";
import { readCpu, readCputune, readVcpu, readVcpus } from "./domain-xml-cpu";
import type { DeviceCodec } from "./domain-xml-device-list";
import { readMaxMemory, readMemoryBacking, readMemtune, readNumatune } from "./domain-xml-memory";
import { readMemballoon } from "./domain-xml-misc";
import { readClock, readFeatures, readOs } from "./domain-xml-os";
import { deviceCodecs, readIothreads } from "./domain-xml-read";
import { NotModelled } from "./domain-xml-support";

/** Top-level elements the model reads, with the reader that may still refuse their content. */
const sections: Record<string, ((node: XElement) => unknown) | undefined> = {
    name: undefined,
    uuid: undefined,
    title: undefined,
    description: undefined,
    memory: undefined,
    currentMemory: undefined,
    on_poweroff: undefined,
    on_reboot: undefined,
    on_crash: undefined,
    devices: undefined,
    maxMemory: readMaxMemory,
    vcpu: readVcpu,
    vcpus: readVcpus,
    memtune: readMemtune,
    iothreads: readIothreads,
    cputune: readCputune,
    numatune: readNumatune,
    memoryBacking: readMemoryBacking,
    features: readFeatures,
    clock: readClock,
    os: readOs,
    cpu: readCpu,
};

const codecsByTag = new Map<string, DeviceCodec<unknown>>(
    Object.values(deviceCodecs).map((codec) => [codec.tag, codec as DeviceCodec<unknown>]),
);

/** Why `read` refuses the node, or undefined when it reads it. */
function refusal(read: () => unknown): string | undefined {
    try {
        read();
        return undefined;
    } catch (error) {
        if (error instanceof NotModelled) return error.message;
        throw error;
    }
}

/** Paths such as `seclabel`, `devices/controller[0]` or `devices/interface[1]: interface type 'user'`. */
export function unmodelledParts(xml: string): string[] {
    const root = parseTree(xml, "domain");
    const parts: string[] = [];
    for (const node of root.children.filter(isElement)) {
        if (!(node.name in sections)) {
            parts.push(node.name);
            continue;
        }
        const read = sections[node.name];
        const why = read && refusal(() => read(node));
        if (why !== undefined) parts.push(`${node.name}: ${why}`);
    }
    const counters = new Map<string, number>();
    for (const node of child(root, "devices")?.children.filter(isElement) ?? []) {
        const index = counters.get(node.name) ?? 0;
        counters.set(node.name, index + 1);
        if (node.name === "emulator") continue;
        const path = `devices/${node.name}[${index}]`;
        const codec = codecsByTag.get(node.name);
        const why =
            node.name === "memballoon"
                ? refusal(() => readMemballoon(node))
                : codec === undefined
                  ? "not modelled"
                  : refusal(() => codec.read(node));
        if (why !== undefined) parts.push(why === "not modelled" ? path : `${path}: ${why}`);
    }
    return parts;
}
