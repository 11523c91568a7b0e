/** Display and human input: graphics, video, sound and input devices. */
import { z } from "zod";
import { anySize, positiveInt } from "./domain-field-types";
import { secret } from "./secret";

/** One `<graphics>` device (VNC or SPICE). */
export const domainGraphicsSchema = z.strictObject({
    /** The `type` of `<graphics>`: vnc or spice. */
    type: z.enum(["vnc", "spice"]),
    /**
     * The `address` of `<listen type='address'>`. Defaults to 127.0.0.1: a console must not be
     * reachable from the network unless asked for.
     */
    listen: z.string().min(1).default("127.0.0.1"),
    /** The `autoport` of `<graphics>`: let libvirt pick a free port (the default when no port is given). */
    autoport: z.boolean().optional(),
    /** The `port` of `<graphics>`: a fixed TCP port (5900 and up). */
    port: z.number().int().min(5900).max(65535).optional(),
    /**
     * The `passwd` of `<graphics>`: the console password. Secret: the SDK marks it, outputs never
     * echo it (it is in the secret `graphicsPasswords`), messages never print it. A change applies to
     * the running guest (VNC and SPICE take a new password live).
     */
    password: secret(z.string().min(1)).optional(),
    /** The `websocket` of `<graphics type='vnc'>`: a WebSocket port, or -1 for an automatic one. */
    websocket: z.number().int().min(-1).max(65535).optional(),
});

export const videoModels = ["vga", "cirrus", "qxl", "virtio", "bochs", "ramfb", "vmvga", "none"] as const;

/** One `<video>` device. */
export const domainVideoSchema = z.strictObject({
    /** The `type` of `<model>`: vga, cirrus, qxl, virtio, bochs, ramfb, vmvga or none. */
    model: z.enum(videoModels),
    /** The `vram` of `<model>`: video memory (libvirt counts it in KiB). */
    vram: anySize.optional(),
    /** The `heads` of `<model>`: number of screens. */
    heads: positiveInt.optional(),
    /** The `primary` of `<model>`: the primary card when there are several. */
    primary: z.boolean().optional(),
});

export const soundModels = ["ich6", "ich7", "ich9", "ac97", "es1370", "sb16", "pcspk", "usb"] as const;

/** One `<sound>` device. */
export const domainSoundSchema = z.strictObject({
    /** The `model` of `<sound>`: ich6, ich7, ich9, ac97, es1370, sb16, pcspk or usb. */
    model: z.enum(soundModels),
});

/** One `<input>` device. */
export const domainInputSchema = z.strictObject({
    /** The `type` of `<input>`: tablet, mouse or keyboard. */
    type: z.enum(["tablet", "mouse", "keyboard"]),
    /** The `bus` of `<input>`: usb, ps2 or virtio. */
    bus: z.enum(["usb", "ps2", "virtio"]).optional(),
});

export type DomainGraphics = z.output<typeof domainGraphicsSchema>;
export type DomainVideo = z.output<typeof domainVideoSchema>;
export type DomainSound = z.output<typeof domainSoundSchema>;
export type DomainInput = z.output<typeof domainInputSchema>;
