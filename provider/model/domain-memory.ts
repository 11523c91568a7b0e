/** Memory sizes, the hot-plug ceiling and how guest RAM is backed on the host. */
import { z } from "zod";
import { cpuset, memorySize, nonNegativeInt, positiveInt } from "./domain-field-types";

/** `<maxMemory slots='N'>`: the ceiling for memory hot plug and the number of DIMM slots. */
export const domainMaxMemorySchema = z.strictObject({
    /** The `<maxMemory>` value: the most RAM the guest can ever reach by hot plug. */
    size: memorySize,
    /** The `slots` attribute of `<maxMemory>`: how many memory devices can be plugged. */
    slots: positiveInt,
});

/**
 * `<memtune>`: limits on the host memory QEMU may use for this guest (guest RAM plus QEMU's own).
 * Sizes as for `memory`: a number is MiB, a string has a unit.
 */
export const domainMemtuneSchema = z.strictObject({
    /** `<hard_limit>`: the most host memory the guest's QEMU may use; needed by `memoryBacking.locked`. */
    hardLimit: memorySize.optional(),
    /** `<soft_limit>`: the memory the guest is pushed back to when the host runs short. */
    softLimit: memorySize.optional(),
    /** `<swap_hard_limit>`: the most memory plus swap; at least `hardLimit`. */
    swapHardLimit: memorySize.optional(),
    /** `<min_guarantee>`: memory guaranteed to the guest (libvirt's QEMU driver refuses it). */
    minGuarantee: memorySize.optional(),
});

/** One `<hugepages><page size nodeset>` entry. */
export const domainHugePageSchema = z.strictObject({
    /** The `size` of `<page>`: the huge page size (2 MiB or 1 GiB on x86). */
    size: memorySize,
    /** The `nodeset` of `<page>`: the guest NUMA nodes this page size applies to. */
    nodeset: cpuset.optional(),
});

/** `<memoryBacking>`: huge pages, KSM, locking and the kind of host memory behind the guest. */
export const domainMemoryBackingSchema = z.strictObject({
    /** `<hugepages>`: true for the host's default huge page size, or a list of `<page>` entries. */
    hugepages: z.union([z.boolean(), z.array(domainHugePageSchema)]).optional(),
    /** `<nosharepages/>`: keep KSM from merging this guest's pages. */
    nosharepages: z.boolean().optional(),
    /** `<locked/>`: pin the guest's memory so the host never swaps it out. */
    locked: z.boolean().optional(),
    /** `<source type>`: anonymous memory, a file, or a memfd. */
    source: z.enum(["anonymous", "file", "memfd"]).optional(),
    /** `<access mode>`: whether the memory is shared with other processes (vhost-user, virtiofs) or private. */
    access: z.enum(["shared", "private"]).optional(),
    /** `<allocation mode>`: allocate all memory at start (immediate) or as the guest touches it (ondemand). */
    allocation: z.enum(["immediate", "ondemand"]).optional(),
    /** `<allocation threads>`: how many threads QEMU uses to preallocate memory. */
    allocationThreads: positiveInt.optional(),
    /** `<discard/>`: give memory back to the host as soon as the guest frees it. */
    discard: z.boolean().optional(),
});

/** `<numatune><memory>`: where the guest's memory is allocated on the host. */
export const domainNumatuneMemorySchema = z.strictObject({
    /** The `mode` of `<memory>`: strict, preferred, interleave or restrictive. */
    mode: z.enum(["strict", "preferred", "interleave", "restrictive"]).optional(),
    /** The `nodeset` of `<memory>`: host NUMA nodes to take memory from. */
    nodeset: cpuset.optional(),
    /** The `placement` of `<memory>`: a fixed nodeset (static) or chosen by numad (auto). */
    placement: z.enum(["static", "auto"]).optional(),
});

/** `<numatune><memnode>`: the host nodes for one guest NUMA cell. */
export const domainNumatuneMemnodeSchema = z.strictObject({
    /** The `cellid` of `<memnode>`: the guest NUMA cell. */
    cellid: nonNegativeInt,
    /** The `mode` of `<memnode>`. */
    mode: z.enum(["strict", "preferred", "interleave", "restrictive"]),
    /** The `nodeset` of `<memnode>`: host nodes backing that cell. */
    nodeset: cpuset,
});

/** `<numatune>`: host NUMA policy for guest memory. */
export const domainNumatuneSchema = z.strictObject({
    /** `<memory>`: the policy for all guest memory. */
    memory: domainNumatuneMemorySchema.optional(),
    /** `<memnode>` entries: policies per guest NUMA cell. */
    memnodes: z.array(domainNumatuneMemnodeSchema).optional(),
});

export type DomainMemtune = z.output<typeof domainMemtuneSchema>;
export type DomainMaxMemory = z.output<typeof domainMaxMemorySchema>;
export type DomainHugePage = z.output<typeof domainHugePageSchema>;
export type DomainMemoryBacking = z.output<typeof domainMemoryBackingSchema>;
export type DomainNumatune = z.output<typeof domainNumatuneSchema>;
