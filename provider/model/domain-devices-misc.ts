/** Other devices: memory balloon, RNG, shared folders, PCI passthrough, watchdog and TPM. */
import { z } from "zod";
import { nonNegativeInt, pciAddress, positiveInt } from "./domain-field-types";

/** `<memballoon>`: lets the host reclaim guest memory and sets current memory while running. */
export const domainMemballoonSchema = z.strictObject({
    /** The `model` of `<memballoon>`: virtio (and its transitional forms) or none. */
    model: z.enum(["virtio", "virtio-transitional", "virtio-non-transitional", "none"]),
    /** The `autodeflate` of `<memballoon>`: deflate before the guest runs out of memory. */
    autodeflate: z.boolean().optional(),
    /** The `freePageReporting` of `<memballoon>`: the guest reports freed pages to the host. */
    freePageReporting: z.boolean().optional(),
    /** The `period` of `<stats>`: seconds between memory statistics updates (0 turns them off). */
    statsPeriod: nonNegativeInt.optional(),
});

/** `<rng>`: a virtio random number generator fed from the host. */
export const domainRngSchema = z.strictObject({
    /** The `model` of `<rng>`: virtio (and its transitional forms). */
    model: z.enum(["virtio", "virtio-transitional", "virtio-non-transitional"]).default("virtio"),
    /** `<backend model='random'>` with a host device, or `<backend model='builtin'>` (QEMU's own). */
    backend: z.enum(["/dev/urandom", "/dev/random", "/dev/hwrng", "builtin"]).default("/dev/urandom"),
    /** The `bytes` of `<rate>`: bytes allowed per period. */
    rateBytes: positiveInt.optional(),
    /** The `period` of `<rate>` in milliseconds. */
    ratePeriod: positiveInt.optional(),
});

/** `<filesystem>`: a host directory shared with the guest. */
export const domainFilesystemSchema = z.strictObject({
    /** The `type` of `<driver>`: virtiofs (needs shared memory) or path (9p). */
    driver: z.enum(["virtiofs", "path"]).default("virtiofs"),
    /** The `dir` of `<source>`: the host directory. */
    source: z.string().min(1),
    /** The `dir` of `<target>`: the mount tag the guest uses. */
    target: z.string().min(1),
    /** `<readonly/>`: the guest cannot write. */
    readonly: z.boolean().optional(),
    /** The `accessmode` of `<filesystem>` (9p): passthrough, mapped or squash. */
    accessmode: z.enum(["passthrough", "mapped", "squash"]).optional(),
});

/** `<hostdev mode='subsystem' type='pci'>`: a host PCI function handed to the guest (SR-IOV VFs too). */
export const domainHostdevSchema = z.strictObject({
    /** The host address in `<source><address>`: "0000:03:10.1". */
    address: pciAddress,
    /** The `managed` of `<hostdev>`: libvirt detaches the device from its host driver and back. */
    managed: z.boolean().default(true),
    /** The `order` of `<boot>`. */
    boot: positiveInt.optional(),
});

/** `<watchdog>`: a watchdog timer device and what to do when it fires. */
export const domainWatchdogSchema = z.strictObject({
    /** The `model` of `<watchdog>`: i6300esb, ib700 or diag288 (s390); libvirt 9.0 has no others. */
    model: z.enum(["i6300esb", "ib700", "diag288"]),
    /** The `action` of `<watchdog>`: reset, shutdown, poweroff, pause, none, dump or inject-nmi. */
    action: z.enum(["reset", "shutdown", "poweroff", "pause", "none", "dump", "inject-nmi"]).optional(),
});

/** `<tpm>` with an emulated (swtpm) backend. */
export const domainTpmSchema = z.strictObject({
    /** The `model` of `<tpm>`: tpm-tis, tpm-crb or tpm-spapr. */
    model: z.enum(["tpm-tis", "tpm-crb", "tpm-spapr"]).optional(),
    /** The `version` of `<backend type='emulator'>`: 1.2 or 2.0. */
    version: z.enum(["1.2", "2.0"]).optional(),
});

export type DomainMemballoon = z.output<typeof domainMemballoonSchema>;
export type DomainRng = z.output<typeof domainRngSchema>;
export type DomainFilesystem = z.output<typeof domainFilesystemSchema>;
export type DomainHostdev = z.output<typeof domainHostdevSchema>;
export type DomainWatchdog = z.output<typeof domainWatchdogSchema>;
export type DomainTpm = z.output<typeof domainTpmSchema>;
