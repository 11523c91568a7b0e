/**
 * The lab: a NAT network with DHCP reservations, a dir pool, a base volume with one qcow2 overlay
 * per guest, and two guests (virtio disk and NIC, pinned vCPUs, huge pages, host-model CPU) that
 * boot a kernel directly and report the address the network reserved for them.
 *
 * Every libvirt object's name starts with `prefix`, so several labs (or the scenario tests) can
 * live on one host. The knobs below exist so that one program covers the documented lab and the
 * scenario tests' edits (vCPUs, memory, reservations, volume size, CPU mode).
 */
import { DhcpHost, Domain, Network, StoragePool, Volume } from "pulumi-libvirt";

/** One extra DHCP reservation (not tied to a guest of the lab). */
export interface Reservation {
    /** Logical resource name, unique in the stack. */
    key: string;
    mac: string;
    /** Last octet of the address in the lab's subnet. */
    host: number;
    /** Host name dnsmasq hands out with the lease. */
    hostname: string;
}

export interface LabOptions {
    /** Start of every libvirt object's name (e.g. "lab" gives lab-net, lab-pool, lab-vm1...). */
    prefix: string;
    /** The first three octets of the /24 the network serves, e.g. "10.253.10". */
    subnet: string;
    /** Folder of the dir pool. */
    poolPath: string;
    /** Direct-boot kernel and initramfs of the guests. */
    kernel: string;
    initrd: string;
    /** libvirt connection; default: config libvirt:uri, LIBVIRT_DEFAULT_URI, qemu:///system. */
    uri?: string;
    /** How many guests (vm1, vm2, ...). */
    guests?: number;
    /** Boot-time memory of each guest in MiB (taken from 2 MiB huge pages). */
    memoryMiB?: number;
    /** The balloon target in MiB, at most memoryMiB; changes live. */
    currentMemoryMiB?: number;
    /** vCPUs online at boot (at most 2); changes live. */
    vcpus?: number;
    /** The guests' CPU mode; a change needs a restart. */
    cpuMode?: "host-model" | "host-passthrough" | "maximum";
    /** What a restart-class change does to a running guest. */
    restartPolicy?: "never" | "graceful" | "force";
    /** How long a graceful shutdown may take before the guest is powered off, in seconds. */
    shutdownTimeoutSeconds?: number;
    /** Virtual size of each overlay in MiB; grows in place. */
    overlayMiB?: number;
    /** More reservations on the lab's network, beside the guests' own. */
    reservations?: Reservation[];
    /** How long create and update wait for each guest's address. */
    waitSeconds?: number;
}

/** The guests' MACs: locally administered, derived from the subnet so two labs never share one. */
export function guestMac(subnet: string, index: number): string {
    const [, b, c] = subnet.split(".").map(Number);
    const hex = (n: number) => (n & 0xff).toString(16).padStart(2, "0");
    return `52:54:00:${hex(b ?? 0)}:${hex(c ?? 0)}:${hex(10 + index)}`;
}

/** The address reserved for guest `index` (1-based): .11, .12, ... */
export function guestIp(subnet: string, index: number): string {
    return `${subnet}.${10 + index}`;
}

export function lab(o: LabOptions) {
    const uri = o.uri;
    const net = new Network("net", {
        uri,
        name: `${o.prefix}-net`,
        forward: { mode: "nat" },
        ips: [
            {
                address: `${o.subnet}.1`,
                prefix: 24,
                dhcp: { ranges: [{ start: `${o.subnet}.100`, end: `${o.subnet}.199` }] },
            },
        ],
    });

    const pool = new StoragePool("pool", {
        uri,
        name: `${o.prefix}-pool`,
        type: "dir",
        target: { path: o.poolPath },
    });

    // A small sparse raw disk stands in for a base image (the guests boot a kernel directly, so its
    // content does not matter; real labs would set sourceImage to a cloud image).
    const base = new Volume("base", {
        uri,
        pool: pool.name,
        name: `${o.prefix}-base.img`,
        capacity: 64,
        target: { format: "raw" },
    });

    const extra = (o.reservations ?? []).map(
        (r) =>
            new DhcpHost(r.key, {
                uri,
                network: net.name,
                mac: r.mac,
                ip: `${o.subnet}.${r.host}`,
                name: r.hostname,
            }),
    );

    const guests: Record<string, { domain: Domain; reservation: DhcpHost; overlay: Volume }> = {};
    for (let i = 1; i <= (o.guests ?? 2); i++) {
        const label = `vm${i}`;
        const mac = guestMac(o.subnet, i);
        const reservation = new DhcpHost(`${label}-lease`, {
            uri,
            network: net.name,
            mac,
            ip: guestIp(o.subnet, i),
            name: `${o.prefix}-${label}`,
        });
        const overlay = new Volume(`${label}-disk`, {
            uri,
            pool: pool.name,
            name: `${o.prefix}-${label}.qcow2`,
            capacity: o.overlayMiB ?? 128,
            target: { format: "qcow2" },
            backingStore: { volume: { name: base.name }, format: "raw" },
        });
        const domain = new Domain(
            label,
            {
                uri,
                name: `${o.prefix}-${label}`,
                // TCG: KVM guests hang in nested environments such as the test host; see README.
                type: "qemu",
                memory: o.memoryMiB ?? 96,
                ...(o.currentMemoryMiB !== undefined ? { currentMemory: o.currentMemoryMiB } : {}),
                vcpu: { maximum: 2, current: o.vcpus ?? 1, placement: "static", cpuset: "0-1" },
                cpu: { mode: o.cpuMode ?? "host-model" },
                memoryBacking: { hugepages: true },
                // ACPI: graceful shutdown (the power button) and vCPU hot-unplug need it.
                features: { acpi: true, apic: true },
                os: { kernel: o.kernel, initrd: o.initrd, cmdline: "console=ttyS0" },
                devices: {
                    disks: [
                        {
                            source: { pool: pool.name, volume: overlay.name },
                            target: { dev: "vda", bus: "virtio" },
                            driver: { type: "qcow2" },
                        },
                    ],
                    interfaces: [{ source: { network: net.name }, mac, model: "virtio" }],
                    serials: [{ type: "pty" }],
                    memballoon: { model: "virtio" },
                },
                running: true,
                restartPolicy: o.restartPolicy ?? "never",
                ...(o.shutdownTimeoutSeconds !== undefined ? { shutdownTimeoutSeconds: o.shutdownTimeoutSeconds } : {}),
                waitForIp: { source: "lease", timeoutSeconds: o.waitSeconds ?? 120 },
            },
            // The reservation must be in place before the guest asks for its lease.
            { dependsOn: [reservation] },
        );
        guests[label] = { domain, reservation, overlay };
    }

    return {
        network: net.name,
        pool: pool.name,
        reservations: extra.map((r) => r.ip),
        domains: Object.fromEntries(Object.entries(guests).map(([k, g]) => [k, g.domain.name])),
        // The first address of each guest's first interface, e.g. { vm1: "10.253.10.11", ... }.
        ipAddresses: Object.fromEntries(
            Object.entries(guests).map(([k, g]) => [k, g.domain.ipAddresses.apply((ips) => ips?.[0]?.[0] ?? "")]),
        ),
    };
}
