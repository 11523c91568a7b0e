/** Reading and writing `<maxMemory>`, `<memory>`, `<currentMemory>`, `<memoryBacking>` and `<numatune>`. */
import { isDeepStrictEqual } from "node:util";
import { canonicalCpusetOrSelf } from "../model/domain-field-types";
import type {
    DomainHugePage,
    DomainMaxMemory,
    DomainMemoryBacking,
    DomainMemtune,
    DomainNumatune,
} from "../model/domain-memory";
import { type XElement, child, children, el, ensureChild, removeChildren, replaceChild } from "./tree";
import {
    kib,
    oneOf,
    optionalOneOf,
    putAttr,
    putSizeElement,
    readOrSkip,
    putFlagElement,
    readInt,
    readSize,
    readSizeElement,
} from "./domain-xml-support";
import { compact, compactOrUndefined } from "./values";

export function readMaxMemory(node: XElement | undefined): DomainMaxMemory | undefined {
    if (node === undefined) return undefined;
    const size = readSizeElement(node, "maxMemory");
    const slots = readInt(node.attrs.slots, "maxMemory slots");
    if (size === undefined || slots === undefined) return undefined;
    return { size, slots };
}

export function writeMaxMemory(node: XElement, desired: DomainMaxMemory): void {
    if (
        isDeepStrictEqual(
            readOrSkip(() => readMaxMemory(node)),
            desired,
        )
    )
        return;
    node.attrs.slots = String(desired.slots);
    node.attrs.unit = "KiB";
    node.children = [{ text: String(kib(desired.size)) }];
}

/** `<memtune>` children by model key, in libvirt's order. */
const memtuneLimits = [
    ["hardLimit", "hard_limit"],
    ["softLimit", "soft_limit"],
    ["minGuarantee", "min_guarantee"],
    ["swapHardLimit", "swap_hard_limit"],
] as const;

export function readMemtune(node: XElement | undefined): DomainMemtune | undefined {
    if (node === undefined) return undefined;
    const limits: Record<string, number | undefined> = {};
    for (const [key, tag] of memtuneLimits) limits[key] = readSizeElement(child(node, tag), tag);
    return compactOrUndefined(limits as DomainMemtune);
}

export function writeMemtune(node: XElement, desired: DomainMemtune, previous?: DomainMemtune): void {
    const order = memtuneLimits.map(([, tag]) => tag);
    for (const [key, tag] of memtuneLimits) putSizeElement(node, tag, desired[key], previous?.[key], order);
}

const hugepagesRead = (node: XElement): true | DomainHugePage[] => {
    const pages = children(node, "page");
    if (pages.length === 0) return true;
    return pages.map((page) => {
        const size = readSize(page.attrs.size, page.attrs.unit, "hugepage size");
        const nodeset = page.attrs.nodeset === undefined ? undefined : canonicalCpusetOrSelf(page.attrs.nodeset);
        return compact({ size: size ?? 0, nodeset });
    });
};

export function readMemoryBacking(node: XElement | undefined): DomainMemoryBacking | undefined {
    if (node === undefined) return undefined;
    const hugepages = child(node, "hugepages");
    const allocation = child(node, "allocation");
    return compact({
        hugepages: hugepages ? hugepagesRead(hugepages) : undefined,
        nosharepages: child(node, "nosharepages") ? true : undefined,
        locked: child(node, "locked") ? true : undefined,
        source: optionalOneOf(child(node, "source")?.attrs.type, ["anonymous", "file", "memfd"], "memory source"),
        access: optionalOneOf(child(node, "access")?.attrs.mode, ["shared", "private"], "memory access"),
        allocation: optionalOneOf(allocation?.attrs.mode, ["immediate", "ondemand"], "memory allocation"),
        allocationThreads: readInt(allocation?.attrs.threads, "allocation threads"),
        discard: child(node, "discard") ? true : undefined,
    });
}

const backingOrder = ["hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard"];

export function writeMemoryBacking(node: XElement, desired: DomainMemoryBacking, previous?: DomainMemoryBacking) {
    const current = readOrSkip(() => readMemoryBacking(node));
    if (desired.hugepages === false || (desired.hugepages === undefined && previous?.hugepages !== undefined)) {
        removeChildren(node, "hugepages");
    }
    if (
        desired.hugepages !== undefined &&
        desired.hugepages !== false &&
        !isDeepStrictEqual(current?.hugepages, desired.hugepages)
    ) {
        const pages = desired.hugepages === true ? [] : desired.hugepages;
        const element = el(
            "hugepages",
            {},
            pages.map((p) => el("page", { size: kib(p.size), unit: "KiB", nodeset: p.nodeset })),
        );
        replaceChild(node, "hugepages", element, backingOrder);
    }
    putFlagElement(node, "nosharepages", desired.nosharepages, backingOrder, previous?.nosharepages);
    putFlagElement(node, "locked", desired.locked, backingOrder, previous?.locked);
    putFlagElement(node, "discard", desired.discard, backingOrder, previous?.discard);
    putTypedChild(node, "source", "type", desired.source, previous?.source);
    putTypedChild(node, "access", "mode", desired.access, previous?.access);
    putTypedChild(node, "allocation", "mode", desired.allocation, previous?.allocation);
    const allocation =
        desired.allocationThreads !== undefined
            ? ensureChild(node, "allocation", backingOrder)
            : child(node, "allocation");
    if (allocation) putAttr(allocation, "threads", desired.allocationThreads, previous?.allocationThreads);
}

/** A child whose whole meaning is one attribute, like `<source type='memfd'/>`. */
function putTypedChild(parent: XElement, name: string, attr: string, value: string | undefined, previous: unknown) {
    if (value !== undefined) ensureChild(parent, name, backingOrder).attrs[attr] = value;
    else if (previous !== undefined) removeChildren(parent, name);
}

const numaModes = ["strict", "preferred", "interleave", "restrictive"] as const;

export function readNumatune(node: XElement | undefined): DomainNumatune | undefined {
    if (node === undefined) return undefined;
    const memory = child(node, "memory");
    const memnodes = children(node, "memnode");
    return compactOrUndefined({
        memory: memory
            ? compact({
                  mode: optionalOneOf(memory.attrs.mode, numaModes, "numatune mode"),
                  nodeset: memory.attrs.nodeset === undefined ? undefined : canonicalCpusetOrSelf(memory.attrs.nodeset),
                  placement: optionalOneOf(memory.attrs.placement, ["static", "auto"], "numatune placement"),
              })
            : undefined,
        memnodes:
            memnodes.length === 0
                ? undefined
                : memnodes.map((m) => ({
                      cellid: readInt(m.attrs.cellid, "memnode cellid") ?? 0,
                      mode: oneOf(m.attrs.mode ?? "strict", numaModes, "memnode mode"),
                      nodeset: canonicalCpusetOrSelf(m.attrs.nodeset ?? ""),
                  })),
    });
}

export function writeNumatune(node: XElement, desired: DomainNumatune, previous?: DomainNumatune): void {
    const current = readOrSkip(() => readNumatune(node));
    if (desired.memory !== undefined && !isDeepStrictEqual(current?.memory, desired.memory)) {
        const memory = ensureChild(node, "memory", ["memory", "memnode"]);
        putAttr(memory, "mode", desired.memory.mode, previous?.memory?.mode);
        putAttr(memory, "nodeset", desired.memory.nodeset, previous?.memory?.nodeset);
        putAttr(memory, "placement", desired.memory.placement, previous?.memory?.placement);
    } else if (desired.memory === undefined && previous?.memory !== undefined) {
        removeChildren(node, "memory");
    }
    if (desired.memnodes !== undefined && !isDeepStrictEqual(current?.memnodes, desired.memnodes)) {
        removeChildren(node, "memnode");
        for (const m of desired.memnodes) node.children.push(el("memnode", { ...m }));
    } else if (desired.memnodes === undefined && previous?.memnodes !== undefined) {
        removeChildren(node, "memnode");
    }
}
