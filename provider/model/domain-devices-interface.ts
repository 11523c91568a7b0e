/** `<interface>`: network cards, on a libvirt network, a host bridge or a macvtap device. */
import { z } from "zod";
import { macAddress, positiveInt } from "./domain-field-types";

/** `<interface type='network'>`: attached to a libvirt network. */
export const interfaceNetworkSourceSchema = z.strictObject({
    /** The `network` of `<source>`: the libvirt network's name. */
    network: z.string().min(1),
    /** The `portgroup` of `<source>`: a port group of that network. */
    portgroup: z.string().min(1).optional(),
});

/** `<interface type='bridge'>`: attached to an existing host bridge. */
export const interfaceBridgeSourceSchema = z.strictObject({
    /** The `bridge` of `<source>`: the host bridge's name. */
    bridge: z.string().min(1),
});

/** `<interface type='direct'>`: macvtap on a host NIC. */
export const interfaceDirectSourceSchema = z.strictObject({
    /** The `dev` of `<source>`: the host NIC. */
    direct: z.string().min(1),
    /** The `mode` of `<source>`: vepa, bridge, private or passthrough. */
    mode: z.enum(["vepa", "bridge", "private", "passthrough"]).optional(),
});

type InterfaceSourceOutput =
    | z.output<typeof interfaceNetworkSourceSchema>
    | z.output<typeof interfaceBridgeSourceSchema>
    | z.output<typeof interfaceDirectSourceSchema>;

/**
 * The NIC's `<source>`; the key given (network, bridge or direct) decides the interface `type`.
 * Checked as one object rather than a union so that a mistake gets a precise message.
 */
export const interfaceSourceSchema = z
    .strictObject({
        ...interfaceNetworkSourceSchema.partial().shape,
        ...interfaceBridgeSourceSchema.partial().shape,
        ...interfaceDirectSourceSchema.partial().shape,
    })
    .transform((source, ctx): InterfaceSourceOutput => {
        const kinds = (["network", "bridge", "direct"] as const).filter((k) => source[k] !== undefined);
        if (kinds.length !== 1) {
            ctx.addIssue({
                code: "custom",
                message: `give exactly one of network, bridge or direct (got ${kinds.join(" and ") || "none"})`,
            });
            return z.NEVER;
        }
        if (source.portgroup !== undefined && kinds[0] !== "network") {
            ctx.addIssue({ code: "custom", path: ["portgroup"], message: "a portgroup belongs to a network source" });
        }
        if (source.mode !== undefined && kinds[0] !== "direct") {
            ctx.addIssue({ code: "custom", path: ["mode"], message: "a macvtap mode belongs to a direct source" });
        }
        if (source.network !== undefined) {
            return source.portgroup === undefined
                ? { network: source.network }
                : { network: source.network, portgroup: source.portgroup };
        }
        if (source.bridge !== undefined) return { bridge: source.bridge };
        return source.mode === undefined ? { direct: source.direct! } : { direct: source.direct!, mode: source.mode };
    });

export const interfaceModels = [
    "virtio",
    "virtio-transitional",
    "virtio-non-transitional",
    "e1000e",
    "e1000",
    "rtl8139",
    "igb",
    "vmxnet3",
    "ne2k_pci",
    "pcnet",
] as const;

/** `<driver>`: the virtio-net backend. */
export const interfaceDriverSchema = z.strictObject({
    /** The `name` of `<driver>`: vhost (in-kernel) or qemu (userspace). */
    name: z.enum(["vhost", "qemu"]).optional(),
    /** The `queues` of `<driver>`: multiqueue count (at most the vCPU count is useful). */
    queues: positiveInt.optional(),
});

/** One `<interface>` device. */
export const domainInterfaceSchema = z.strictObject({
    /** `<source>`: a network, a bridge or a direct (macvtap) device. */
    source: interfaceSourceSchema,
    /** The `address` of `<mac>`: left out, libvirt generates one, and the reader ignores it. */
    mac: macAddress.optional(),
    /** The `type` of `<model>`: virtio, e1000e, e1000, rtl8139... */
    model: z.enum(interfaceModels).optional(),
    /** `<driver>`: vhost or qemu, and queues. */
    driver: interfaceDriverSchema.optional(),
    /** The `size` of `<mtu>`: the MTU offered to the guest. */
    mtu: z.number().int().min(68).max(65535).optional(),
    /** The `state` of `<link>`: false leaves the cable unplugged. */
    linkUp: z.boolean().optional(),
    /** The `order` of `<boot>`: this NIC's place in the per-device boot order. */
    boot: positiveInt.optional(),
    /** The `dev` of `<target>`: a fixed tap name; left out, libvirt picks vnetN and the reader ignores it. */
    targetDev: z
        .string()
        .regex(/^[A-Za-z0-9_.:-]{1,15}$/, "a host interface name has at most 15 letters, digits or '_ . : -'")
        .refine((dev) => !/^(vnet|macvtap|macvlan)/.test(dev), {
            message: "names starting with vnet, macvtap or macvlan are reserved for libvirt's generated names",
        })
        .optional(),
});

export type DomainInterface = z.output<typeof domainInterfaceSchema>;
export type InterfaceSource = z.output<typeof interfaceSourceSchema>;
