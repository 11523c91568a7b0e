/**
 * One stack, two libvirt hosts: every resource names its host with `uri`. Each host gets an
 * isolated network and a guest on it. Settings from stack config:
 *   hostA, hostB   the two connection URIs (default qemu:///system and qemu+tcp://127.0.0.1/system,
 *                  which reach the same libvirtd on the test host, hence the distinct names)
 *   prefix         start of every object's name (default "multi")
 *   subnetA, subnetB  first three octets of each network's /24 (default 10.253.20, 10.253.21)
 *   kernel, initrd the guests' direct-boot files
 *   currentMemoryMiB  the guests' balloon target, at most the 64 MiB they boot with (changes live)
 */
import * as pulumi from "@pulumi/pulumi";
import { Domain, Network } from "pulumi-libvirt";

const GUEST_DIR = "/var/lib/pulumi-libvirt-testhost/guest";
const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "multi";
const currentMemory = config.getNumber("currentMemoryMiB");

const hosts = [
    { key: "a", uri: config.get("hostA") ?? "qemu:///system", subnet: config.get("subnetA") ?? "10.253.20" },
    {
        key: "b",
        uri: config.get("hostB") ?? "qemu+tcp://127.0.0.1/system",
        subnet: config.get("subnetB") ?? "10.253.21",
    },
];

const guests = hosts.map((h) => {
    const net = new Network(`net-${h.key}`, {
        uri: h.uri,
        name: `${prefix}-${h.key}-net`,
        // Isolated: guests reach only the host's bridge.
        ips: [
            {
                address: `${h.subnet}.1`,
                prefix: 24,
                dhcp: { ranges: [{ start: `${h.subnet}.100`, end: `${h.subnet}.199` }] },
            },
        ],
    });
    return new Domain(`vm-${h.key}`, {
        uri: h.uri,
        name: `${prefix}-${h.key}-vm`,
        type: "qemu",
        memory: 64,
        ...(currentMemory !== undefined ? { currentMemory } : {}),
        vcpu: 1,
        os: {
            kernel: config.get("kernel") ?? `${GUEST_DIR}/vmlinuz`,
            initrd: config.get("initrd") ?? `${GUEST_DIR}/initrd.img`,
            cmdline: "console=ttyS0",
        },
        // How long destroy waits for an ACPI shutdown before powering off (default 30 s).
        shutdownTimeoutSeconds: config.getNumber("shutdownTimeoutSeconds"),
        devices: { interfaces: [{ source: { network: net.name }, model: "virtio" }], serials: [{ type: "pty" }] },
    });
});

export const domains = guests.map((d) => d.name);
export const uuids = guests.map((d) => d.uuid);
