/** `<memory model='dimm'>`: RAM plugged into a slot of `maxMemory`, at start or while the guest runs. */
import { z } from "zod";
import { memorySize, nonNegativeInt } from "./domain-field-types";

/** One `<memory>` device. */
export const domainMemoryDeviceSchema = z.strictObject({
    /** The `model` of `<memory>`: dimm (a pc-dimm, the kind QEMU plugs and unplugs through ACPI). */
    model: z.enum(["dimm"]).default("dimm"),
    /**
     * The `<target><size>`: how much RAM the DIMM adds, a whole number of MiB (QEMU aligns DIMMs).
     * A number is MiB, a string has a unit. It counts in `memory`, as libvirt counts it.
     */
    size: memorySize,
    /** The `<target><node>`: the guest NUMA cell the DIMM belongs to. */
    node: nonNegativeInt.optional(),
});

export type DomainMemoryDevice = z.output<typeof domainMemoryDeviceSchema>;
