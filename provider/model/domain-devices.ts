/** `<devices>`: every device list the model manages. */
import { z } from "zod";
import { domainChannelSchema, domainConsoleSchema, domainSerialSchema } from "./domain-devices-char";
import { domainControllerSchema } from "./domain-devices-controller";
import { domainDiskSchema } from "./domain-devices-disk";
import {
    domainGraphicsSchema,
    domainInputSchema,
    domainSoundSchema,
    domainVideoSchema,
} from "./domain-devices-display";
import { domainInterfaceSchema } from "./domain-devices-interface";
import { domainMemoryDeviceSchema } from "./domain-devices-memory";
import {
    domainFilesystemSchema,
    domainHostdevSchema,
    domainMemballoonSchema,
    domainRngSchema,
    domainTpmSchema,
    domainWatchdogSchema,
} from "./domain-devices-misc";

/**
 * The device lists. A list that is left out is not managed: whatever the guest already has of
 * that kind is kept. A list that is given (even empty) is the whole truth for that kind.
 */
export const domainDevicesSchema = z.strictObject({
    /** `<emulator>`: the QEMU binary; libvirt picks one when left out. */
    emulator: z.string().min(1).optional(),
    /** `<disk>` devices. */
    disks: z.array(domainDiskSchema).optional(),
    /**
     * `<controller>` devices: a declared one is matched with the guest's by type and index; the
     * controllers libvirt adds by itself stay when they are not declared.
     */
    controllers: z.array(domainControllerSchema).optional(),
    /** `<interface>` devices. */
    interfaces: z.array(domainInterfaceSchema).optional(),
    /** `<graphics>` devices. */
    graphics: z.array(domainGraphicsSchema).optional(),
    /** `<video>` devices. */
    videos: z.array(domainVideoSchema).optional(),
    /** `<sound>` devices. */
    sounds: z.array(domainSoundSchema).optional(),
    /** `<serial>` ports. */
    serials: z.array(domainSerialSchema).optional(),
    /** `<console>` devices. */
    consoles: z.array(domainConsoleSchema).optional(),
    /** `<channel>` devices (the QEMU guest agent). */
    channels: z.array(domainChannelSchema).optional(),
    /** `<memballoon>`: libvirt adds a virtio balloon when left out; model "none" removes it. */
    memballoon: domainMemballoonSchema.optional(),
    /** `<rng>` devices. */
    rngs: z.array(domainRngSchema).optional(),
    /** `<filesystem>` shares. */
    filesystems: z.array(domainFilesystemSchema).optional(),
    /** `<hostdev>` PCI passthrough devices. */
    hostdevs: z.array(domainHostdevSchema).optional(),
    /** `<watchdog>` devices. */
    watchdogs: z.array(domainWatchdogSchema).optional(),
    /** `<tpm>` devices (emulated). */
    tpms: z.array(domainTpmSchema).optional(),
    /**
     * `<memory>` devices: DIMMs in the slots of `maxMemory`; one added to a running guest is plugged
     * live. Their sizes count in `memory`, as libvirt counts them.
     */
    memories: z.array(domainMemoryDeviceSchema).optional(),
    /** `<input>` devices; the PS/2 mouse and keyboard libvirt adds on x86 need not be listed. */
    inputs: z.array(domainInputSchema).optional(),
});

export type DomainDevices = z.output<typeof domainDevicesSchema>;
