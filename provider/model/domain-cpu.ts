/** Virtual CPUs: how many, where they run on the host and what the guest sees. */
import { z } from "zod";
import { cpuset, memorySize, nonNegativeInt, positiveInt } from "./domain-field-types";

/** `<vcpu>`: the vCPU count and where the vCPUs may run. */
export const domainVcpuSchema = z.strictObject({
    /** The text of `<vcpu>`: the maximum number of vCPUs (the hot-plug ceiling). */
    maximum: positiveInt,
    /** The `current` attribute of `<vcpu>`: how many vCPUs are online; at most the maximum. */
    current: positiveInt.optional(),
    /** The `placement` of `<vcpu>`: pinned to `cpuset` (static) or placed by numad (auto). */
    placement: z.enum(["static", "auto"]).optional(),
    /** The `cpuset` of `<vcpu>`: host CPUs the vCPUs may run on, like "1-4,^3,6". */
    cpuset: cpuset.optional(),
});

/** `<cputune><vcpupin>`: pins one vCPU to host CPUs. */
export const domainVcpuPinSchema = z.strictObject({
    /** The `vcpu` attribute: which guest vCPU (from 0). */
    vcpu: nonNegativeInt,
    /** The `cpuset` attribute: host CPUs for that vCPU. */
    cpuset,
});

/** `<cputune>`: per-vCPU and emulator-thread pinning. */
export const domainCputuneSchema = z.strictObject({
    /** `<vcpupin>` entries, one per pinned vCPU. */
    vcpupins: z.array(domainVcpuPinSchema).optional(),
    /** The `cpuset` of `<emulatorpin>`: host CPUs for QEMU's own threads. */
    emulatorpin: cpuset.optional(),
});

/** `<cpu><feature>`: one CPUID feature and what to do with it. */
export const domainCpuFeatureSchema = z.strictObject({
    /** The `name` of `<feature>`, as libvirt's CPU map spells it ("vmx", "pdpe1gb"). */
    name: z.string().min(1),
    /** The `policy` of `<feature>`: force, require, optional, disable or forbid. */
    policy: z.enum(["force", "require", "optional", "disable", "forbid"]),
});

/** `<cpu><topology>`: how the vCPUs are arranged; the product must equal the vCPU maximum. */
export const domainCpuTopologySchema = z.strictObject({
    /** The `sockets` attribute of `<topology>`. */
    sockets: positiveInt,
    /** The `dies` attribute of `<topology>` (dies per socket). */
    dies: positiveInt.optional(),
    /** The `cores` attribute of `<topology>` (cores per die). */
    cores: positiveInt,
    /** The `threads` attribute of `<topology>` (threads per core). */
    threads: positiveInt,
});

/** `<sibling>` of a cell's `<distances>`: how far the guest sees another cell. */
export const domainNumaDistanceSchema = z.strictObject({
    /** The `id` of `<sibling>`: the other cell. */
    id: nonNegativeInt,
    /** The `value` of `<sibling>`: the distance (10 is the cell itself, more is farther). */
    value: z.number().int("must be a whole number").min(10, "a NUMA distance is at least 10").max(255),
});

/** `<numa><cell>`: one guest NUMA node with its vCPUs and memory. */
export const domainNumaCellSchema = z.strictObject({
    /** The `id` of `<cell>`: cells are numbered 0, 1, 2... in order; left out, its place in the list. */
    id: nonNegativeInt.optional(),
    /** The `cpus` of `<cell>`: the vCPUs of this node, like "0-1"; a node may have none. */
    cpus: cpuset.optional(),
    /**
     * The `memory` of `<cell>`: this node's share of the guest's memory; the cells' sizes add up to
     * `memory`. A number is MiB, a string has a unit ("1GiB").
     */
    memory: memorySize,
    /** The `memAccess` of `<cell>`: this node's memory shared with other processes or private. */
    memAccess: z.enum(["shared", "private"]).optional(),
    /** The `discard` of `<cell>`: give this node's memory back to the host as the guest frees it. */
    discard: z.boolean().optional(),
    /** `<distances>`: the distance to each listed cell (libvirt fills in the mirror entries). */
    distances: z.array(domainNumaDistanceSchema).optional(),
});

/** `<cpu><numa>`: the guest's NUMA topology. */
export const domainNumaSchema = z.strictObject({
    /** `<cell>` entries, one per guest NUMA node. */
    cells: z.array(domainNumaCellSchema).min(1, "give at least one cell, or leave numa out"),
});

/** `<cpu>`: the CPU model the guest sees. */
export const domainCpuSchema = z.strictObject({
    /** The `mode` of `<cpu>`: host-model, host-passthrough, maximum or custom (a named model). */
    mode: z.enum(["host-model", "host-passthrough", "maximum", "custom"]).optional(),
    /** The text of `<model>`: the named CPU model ("Haswell", "EPYC"...). */
    model: z.string().min(1).optional(),
    /** The `fallback` of `<model>`: may libvirt pick a close model if this one is unknown. */
    fallback: z.enum(["allow", "forbid"]).optional(),
    /** The `match` of `<cpu>`: how strictly the host must provide the model (minimum, exact, strict). */
    match: z.enum(["minimum", "exact", "strict"]).optional(),
    /** The `check` of `<cpu>`: how the started CPU is verified (none, partial, full). */
    check: z.enum(["none", "partial", "full"]).optional(),
    /** The `migratable` of `<cpu>` (host-passthrough and maximum only). */
    migratable: z.boolean().optional(),
    /** `<feature>` entries: CPUID flags to add or remove. */
    features: z.array(domainCpuFeatureSchema).optional(),
    /** `<topology>`: sockets, dies, cores and threads. */
    topology: domainCpuTopologySchema.optional(),
    /** `<numa>`: guest NUMA cells (needed by numatune memnodes and memory hot plug). */
    numa: domainNumaSchema.optional(),
});

/** `<vcpus><vcpu>`: the state of one vCPU, for vCPU hot (un)plug. */
export const domainVcpuStateSchema = z.strictObject({
    /** The `id` of `<vcpu>`: which vCPU (from 0). */
    id: nonNegativeInt,
    /** The `enabled` of `<vcpu>`: online at start. As many are enabled as `vcpu.current` says. */
    enabled: z.boolean(),
    /** The `hotpluggable` of `<vcpu>`: can be plugged and unplugged while the guest runs (vCPU 0 cannot). */
    hotpluggable: z.boolean().optional(),
    /** The `order` of `<vcpu>`: the order in which enabled vCPUs are added at start. */
    order: positiveInt.optional(),
});

export type DomainVcpu = z.output<typeof domainVcpuSchema>;
export type DomainCputune = z.output<typeof domainCputuneSchema>;
export type DomainCpu = z.output<typeof domainCpuSchema>;
export type DomainCpuFeature = z.output<typeof domainCpuFeatureSchema>;
export type DomainNumaCell = z.output<typeof domainNumaCellSchema>;
export type DomainVcpuState = z.output<typeof domainVcpuStateSchema>;
