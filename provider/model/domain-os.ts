/** Boot: machine type, firmware, boot order and direct kernel boot; plus lifecycle actions. */
import { z } from "zod";

/**
 * A file on the libvirt host: libvirt resolves no relative path (QEMU would look in its own working
 * directory), so a relative one is refused here rather than at apply.
 */
const hostFile = z
    .string()
    .min(1)
    .refine((path) => path.startsWith("/"), {
        message:
            "a relative path; give the absolute path of the file on the libvirt host, e.g. /var/lib/libvirt/boot/vmlinuz",
    });

export const bootDevices = ["hd", "cdrom", "network", "fd"] as const;

/** `<os>`: how the guest boots. */
export const domainOsSchema = z.strictObject({
    /** The `arch` of `<os><type>` ("x86_64"); libvirt fills in the host's when left out. */
    arch: z.string().min(1).optional(),
    /**
     * The `machine` of `<os><type>`: an alias such as "q35" or "pc", or a versioned type such
     * as "pc-q35-7.2". libvirt turns an alias into the current versioned type; the reader maps it
     * back so that "q35" keeps comparing equal.
     */
    machine: z.string().min(1).optional(),
    /** The `firmware` of `<os>`: let libvirt pick BIOS or UEFI firmware automatically. */
    firmware: z.enum(["bios", "efi"]).optional(),
    /** The `secure-boot` firmware feature (only with firmware efi). */
    secureBoot: z.boolean().optional(),
    /** The `<loader>` path: an explicit firmware image (when not auto-selected). */
    loader: hostFile.optional(),
    /** `<boot dev>` entries in order: hd, cdrom, network or fd (not with per-device boot orders). */
    boot: z.array(z.enum(bootDevices)).optional(),
    /** The `enable` of `<bootmenu>`: show the firmware's interactive boot menu. */
    bootMenu: z.boolean().optional(),
    /** The `timeout` of `<bootmenu>` in milliseconds. */
    bootMenuTimeout: z.number().int().min(0).max(65535).optional(),
    /** `<kernel>`: a host path for direct kernel boot. */
    kernel: hostFile.optional(),
    /** `<initrd>`: the initial ramdisk for direct kernel boot. */
    initrd: hostFile.optional(),
    /** `<cmdline>`: the kernel command line for direct kernel boot. */
    cmdline: z.string().optional(),
});

/** `<features><hyperv>`: Hyper-V enlightenments; in passthrough mode the host's set, no flags. */
export const domainHypervSchema = z
    .strictObject({
        /** The `mode` of `<hyperv>`: custom (the flags below) or passthrough (all the host has). */
        mode: z.enum(["custom", "passthrough"]).optional(),
        /** `<relaxed state>`: relax timer checks. */
        relaxed: z.boolean().optional(),
        /** `<vapic state>`: virtual APIC enlightenment. */
        vapic: z.boolean().optional(),
        /** The `retries` of `<spinlocks state='on'>`; false turns spinlock hints off. */
        spinlocks: z.union([z.literal(false), z.number().int().min(4095)]).optional(),
        /** `<vpindex state>`: virtual processor index. */
        vpindex: z.boolean().optional(),
        /** `<runtime state>`: processor time spent on the guest. */
        runtime: z.boolean().optional(),
        /** `<synic state>`: synthetic interrupt controller. */
        synic: z.boolean().optional(),
        /** `<stimer state>`: synthetic timers. */
        stimer: z.boolean().optional(),
        /** `<reset state>`: hypervisor reset. */
        reset: z.boolean().optional(),
        /** `<frequencies state>`: frequency MSRs. */
        frequencies: z.boolean().optional(),
        /** `<reenlightenment state>`: migration reenlightenment. */
        reenlightenment: z.boolean().optional(),
        /** `<tlbflush state>`: paravirtual TLB flush. */
        tlbflush: z.boolean().optional(),
        /** `<ipi state>`: paravirtual IPIs. */
        ipi: z.boolean().optional(),
        /** `<evmcs state>`: enlightened VMCS (nested). */
        evmcs: z.boolean().optional(),
        /** The `value` of `<vendor_id state='on'>`: the vendor string Hyper-V guests see (up to 12 characters). */
        vendorId: z.string().min(1).max(12).optional(),
    })
    .superRefine((hyperv, ctx) => {
        const flags = Object.keys(hyperv).filter((key) => key !== "mode");
        if (hyperv.mode === "passthrough" && flags.length > 0) {
            ctx.addIssue({
                code: "custom",
                path: [flags[0]!],
                message:
                    "mode 'passthrough' takes every enlightenment the host has; drop the flags or use mode 'custom'",
            });
        }
    });

/** `<features><kvm>`: KVM-specific switches. */
export const domainKvmFeaturesSchema = z.strictObject({
    /** `<hidden state>`: hide KVM from the guest's CPUID. */
    hidden: z.boolean().optional(),
    /** `<hint-dedicated state>`: tell the guest its vCPUs are pinned. */
    hintDedicated: z.boolean().optional(),
    /** `<poll-control state>`: host-side halt polling control. */
    pollControl: z.boolean().optional(),
    /** `<pv-ipi state>`: paravirtual IPIs. */
    pvIpi: z.boolean().optional(),
});

/** `<features>`: firmware and hypervisor features exposed to the guest. */
export const domainFeaturesSchema = z.strictObject({
    /** `<acpi/>`: ACPI tables (needed for clean shutdown). */
    acpi: z.boolean().optional(),
    /** `<apic/>`: the local APIC. */
    apic: z.boolean().optional(),
    /** `<pae/>`: physical address extension (32-bit guests). */
    pae: z.boolean().optional(),
    /** `<vmport state>`: the VMware I/O port. */
    vmport: z.boolean().optional(),
    /** `<smm state>`: system management mode (needed by secure boot). */
    smm: z.boolean().optional(),
    /** `<hyperv>`: Hyper-V enlightenments for Windows guests. */
    hyperv: domainHypervSchema.optional(),
    /** `<kvm>`: KVM switches. */
    kvm: domainKvmFeaturesSchema.optional(),
});

export const timerNames = ["platform", "rtc", "pit", "hpet", "tsc", "kvmclock", "hypervclock", "armvtimer"] as const;

/** `<clock><timer>`: one guest timer source. */
export const domainTimerSchema = z.strictObject({
    /** The `name` of `<timer>`: kvmclock, hpet, rtc, pit, tsc, hypervclock... */
    name: z.enum(timerNames),
    /** The `present` of `<timer>`: expose this timer to the guest or not. */
    present: z.boolean().optional(),
    /** The `tickpolicy` of `<timer>`: what to do with missed ticks (delay, catchup, merge, discard). */
    tickpolicy: z.enum(["delay", "catchup", "merge", "discard"]).optional(),
    /** The `track` of `<timer>` (rtc only): the clock it follows (boot, guest, wall, realtime). */
    track: z.enum(["boot", "guest", "wall", "realtime"]).optional(),
});

/** `<clock>`: the guest's hardware clock. */
export const domainClockSchema = z.strictObject({
    /** The `offset` of `<clock>`: utc or localtime (variable and timezone need the extra fields). */
    offset: z.enum(["utc", "localtime", "timezone", "variable"]),
    /** The `timezone` of `<clock offset='timezone'>` ("Europe/Paris"). */
    timezone: z.string().min(1).optional(),
    /** The `adjustment` of `<clock offset='variable'>`: seconds added to the base. */
    adjustment: z.number().int().optional(),
    /** The `basis` of `<clock offset='variable'>`: utc or localtime. */
    basis: z.enum(["utc", "localtime"]).optional(),
    /** `<timer>` entries. */
    timers: z.array(domainTimerSchema).optional(),
});

const lifecycleActions = ["destroy", "restart", "preserve", "rename-restart"] as const;

/** `<on_poweroff>`: what libvirt does when the guest powers off. */
export const onPoweroffSchema = z.enum(lifecycleActions);
/** `<on_reboot>`: what libvirt does when the guest reboots. */
export const onRebootSchema = z.enum(lifecycleActions);
/** `<on_crash>`: what libvirt does when the guest crashes (the coredump actions need a dump dir). */
export const onCrashSchema = z.enum([...lifecycleActions, "coredump-destroy", "coredump-restart"]);

export type DomainOs = z.output<typeof domainOsSchema>;
export type DomainFeatures = z.output<typeof domainFeaturesSchema>;
export type DomainClock = z.output<typeof domainClockSchema>;
export type DomainTimer = z.output<typeof domainTimerSchema>;
