/** Character devices: serial ports, consoles and guest channels (the QEMU guest agent). */
import { z } from "zod";
import { nonNegativeInt } from "./domain-field-types";

/** A serial port or console: a pseudo terminal, or a file that collects the output. */
export const domainSerialSchema = z.strictObject({
    /** The `type` of `<serial>`: pty (attach with `virsh console`) or file (output only). */
    type: z.enum(["pty", "file"]),
    /** The `path` of `<source>` for type file: where the output goes. */
    path: z.string().min(1).optional(),
    /** The `port` of `<target>`: the guest's port number (0 is ttyS0). */
    port: nonNegativeInt.optional(),
});

/** A `<console>`: a pty or a file, on a serial port or a virtio console. */
export const domainConsoleSchema = z
    .strictObject({
        /** The `type` of `<console>`: pty or file. */
        type: z.enum(["pty", "file"]),
        /** The `path` of `<source>` for type file. */
        path: z.string().min(1).optional(),
        /** The `type` of `<target>`: serial (shares the first serial port) or virtio (hvc0). */
        targetType: z.enum(["serial", "virtio"]).optional(),
        /** The `port` of `<target>` (serial consoles only: libvirt numbers virtio consoles itself). */
        port: nonNegativeInt.optional(),
    })
    .superRefine((console, ctx) => {
        if (console.targetType === "virtio" && console.port !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["port"],
                message:
                    "libvirt numbers virtio consoles itself (after the serial console) and rewrites a given port; leave port out",
            });
        }
    });

/** A `<channel>`: a virtio-serial channel such as the QEMU guest agent's. */
export const domainChannelSchema = z.strictObject({
    /** The `type` of `<channel>`: unix (a host socket), spicevmc or pty. */
    type: z.enum(["unix", "spicevmc", "pty"]).default("unix"),
    /** The `path` of `<source mode='bind'>` for unix channels; libvirt makes one up when left out. */
    path: z.string().min(1).optional(),
    /** The `name` of `<target type='virtio'>`: "org.qemu.guest_agent.0" for the guest agent. */
    name: z.string().min(1).default("org.qemu.guest_agent.0"),
});

export type DomainSerial = z.output<typeof domainSerialSchema>;
export type DomainConsole = z.output<typeof domainConsoleSchema>;
export type DomainChannel = z.output<typeof domainChannelSchema>;
