/**
 * The fields of a domain (`<domain>`'s top level), each with its schema from the part files
 * (domain-cpu, domain-os, domain-memory, domain-devices); the cross-field checks are not here but
 * in domain-checks.ts, applied by domain.ts (the model) and the Domain resource's arguments.
 */
import { z } from "zod";
import {
    type DomainVcpu,
    domainCpuSchema,
    domainCputuneSchema,
    domainVcpuSchema,
    domainVcpuStateSchema,
} from "./domain-cpu";
import { domainDevicesSchema } from "./domain-devices";
import { memorySize, objectName, positiveInt, uuidSchema } from "./domain-field-types";
import {
    domainMaxMemorySchema,
    domainMemoryBackingSchema,
    domainMemtuneSchema,
    domainNumatuneSchema,
} from "./domain-memory";
import {
    domainClockSchema,
    domainFeaturesSchema,
    domainOsSchema,
    onCrashSchema,
    onPoweroffSchema,
    onRebootSchema,
} from "./domain-os";

/** A vCPU count alone is the maximum with every vCPU online. */
const vcpuField = z.preprocess(
    (value) => (typeof value === "number" ? { maximum: value } : value),
    domainVcpuSchema,
) as unknown as z.ZodType<DomainVcpu, number | z.input<typeof domainVcpuSchema>>;

export const domainFieldsSchema = z.strictObject({
    /** `<name>`: the domain's name, unique on the host. */
    name: objectName,
    /** The `type` of `<domain>`: kvm (hardware virtualisation) or qemu (software emulation). */
    type: z.enum(["kvm", "qemu"]).default("kvm"),
    /** `<uuid>`: fixed by libvirt when left out; kept across updates either way. */
    uuid: uuidSchema.optional(),
    /** `<title>`: a short one-line description. */
    title: z
        .string()
        .refine((t) => !/[\r\n]/.test(t), "a title must fit on one line (libvirt refuses newlines)")
        .optional(),
    /** `<description>`: free text for humans; any characters, escaped in the XML. */
    description: z.string().optional(),
    /**
     * `<memory>`: the boot-time memory size. A number is MiB; a string has a unit as libvirt's
     * `unit` attribute reads it: KiB, MiB, GiB, TiB (or k, M, G, T) are powers of 1024, KB, MB, GB,
     * TB powers of 1000 ("2GB" is 2000000000 bytes, "2GiB" 2147483648). Rounded up to whole KiB, as libvirt does.
     */
    memory: memorySize,
    /** `<currentMemory>`: the balloon target, at most `memory`; changes live. Sizes as for `memory` (GB = 10^9, GiB = 2^30 bytes). */
    currentMemory: memorySize.optional(),
    /** `<maxMemory>`: the hot-plug ceiling and slot count. */
    maxMemory: domainMaxMemorySchema.optional(),
    /** `<memtune>`: hard, soft and swap limits on the host memory the guest may use. */
    memtune: domainMemtuneSchema.optional(),
    /** `<vcpu>`: a count, or maximum, current, placement and cpuset. */
    vcpu: vcpuField.default({ maximum: 1 }),
    /**
     * `<vcpus>`: one entry per vCPU (all of them, 0 to maximum - 1): which are online at start and
     * which can be unplugged live, so that `vcpu.current` can go down on a running guest.
     */
    vcpus: z.array(domainVcpuStateSchema).optional(),
    /** `<iothreads>`: how many I/O threads QEMU runs for disks and controllers (their `driver.iothread`). */
    iothreads: positiveInt.optional(),
    /** `<cputune>`: vCPU and emulator pinning. */
    cputune: domainCputuneSchema.optional(),
    /** `<cpu>`: the CPU model and topology. */
    cpu: domainCpuSchema.optional(),
    /** `<numatune>`: host NUMA memory policy. */
    numatune: domainNumatuneSchema.optional(),
    /** `<memoryBacking>`: huge pages, KSM opt-out, locking and memory source. */
    memoryBacking: domainMemoryBackingSchema.optional(),
    /** `<features>`: ACPI, APIC, PAE, vmport, SMM, Hyper-V and KVM flags. */
    features: domainFeaturesSchema.optional(),
    /** `<clock>`: offset and timers. */
    clock: domainClockSchema.optional(),
    /** `<os>`: machine type, firmware, boot order and direct kernel boot. */
    os: domainOsSchema.default({}),
    /** `<on_poweroff>`: the action when the guest powers off. */
    onPoweroff: onPoweroffSchema.optional(),
    /** `<on_reboot>`: the action when the guest reboots. */
    onReboot: onRebootSchema.optional(),
    /** `<on_crash>`: the action when the guest crashes. */
    onCrash: onCrashSchema.optional(),
    /** `<devices>`: disks, NICs, consoles and the rest. */
    devices: domainDevicesSchema.default({}),
    /** Start the domain when libvirtd starts (not part of the XML; set through the API). */
    autostart: z.boolean().optional(),
    /**
     * The desired power state (not part of the XML): true keeps it running (a paused guest is
     * resumed), false keeps it shut off, "paused" keeps it started but suspended (its vCPUs stopped,
     * its memory kept).
     */
    running: z.union([z.boolean(), z.literal("paused")]).optional(),
});

/** The fields before the cross-field checks (what the checks read). */
export type DomainFields = z.output<typeof domainFieldsSchema>;
