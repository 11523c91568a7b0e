/**
 * Field types the domain schemas share, built on the project-wide helpers of `common.ts`:
 * memory sizes (whole KiB), CPU sets, PCI addresses and counts.
 */
import { z } from "zod";
import { cpusetSchema, sizeSchema } from "./common";
import { canonicalCpuset } from "./cpuset";

export { libvirtNameSchema as objectName, macAddressSchema as macAddress, uuidSchema } from "./common";

/**
 * A memory size: a number of MiB or a string with a unit ("2GiB", "512 MiB", "100MB"); the output
 * is bytes. libvirt counts domain memory in KiB and rounds a size that is not whole KiB up to the
 * next KiB (formatdomain, `<memory>`); the model rounds the same way, so what libvirt stores is what
 * the model holds and nothing drifts.
 */
export const memorySize = sizeSchema.transform((bytes) => Math.ceil(bytes / 1024) * 1024);

/** A size with no KiB constraint (video RAM and the like), as bytes. */
export const anySize = sizeSchema;

/** A CPU or NUMA node set in libvirt's syntax ("1-4,^3,6"); the output is libvirt's canonical form. */
export const cpuset = cpusetSchema;

/** The canonical form of a set libvirt wrote; one that cannot be read is kept as it is. */
export function canonicalCpusetOrSelf(text: string): string {
    return canonicalCpuset(text) ?? text;
}

/** A PCI address "dddd:bb:ss.f" (domain optional), output as lower-case "0000:03:00.1". */
export const pciAddress = z.string().transform((value, ctx) => {
    const match = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/.exec(value.trim());
    if (!match) {
        ctx.addIssue({ code: "custom", message: `'${value}' is not a PCI address; write e.g. 0000:03:00.1` });
        return z.NEVER;
    }
    if (Number.parseInt(match[3]!, 16) > 0x1f) {
        ctx.addIssue({ code: "custom", message: `slot 0x${match[3]} of '${value}' is above 0x1f` });
        return z.NEVER;
    }
    const hex = (text: string, width: number) => Number.parseInt(text, 16).toString(16).padStart(width, "0");
    return `${hex(match[1] ?? "0", 4)}:${hex(match[2]!, 2)}:${hex(match[3]!, 2)}.${match[4]}`;
});

/** A positive whole number (counts, ports, queue numbers). */
export const positiveInt = z.number().int("must be a whole number").positive("must be at least 1");
/** A whole number from 0. */
export const nonNegativeInt = z.number().int("must be a whole number").nonnegative("cannot be negative");
