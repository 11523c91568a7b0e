/**
 * The stack the fault suite (faults.test.ts) kills and recovers: a network, a pool, a base volume,
 * two overlays on it, a DHCP reservation, a DNS record and a guest on the first overlay, all
 * automatically named (so a retried create must find the object by its derived name). Shared by
 * the test and the child process that runs the `up` it kills.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { DhcpHost, DnsHost, Domain, Network, StoragePool, Volume } from "pulumi-libvirt";
import { loadTestHost } from "../helpers/test-host";

export const FAULT_PREFIX = "pltest-cli-fault";
const SUBNET = "10.253.166";

/** How many libvirt objects (domains, networks, pools, volumes) the stack holds when it is up. */
export const FAULT_OBJECTS = { domains: 1, networks: 1, pools: 1, volumes: 3 } as const;

/**
 * The fault suite's stack. `holdMs`: the program finishes that long after declaring everything, so
 * its `up` holds the stack's lock at least that long (the two-ups test needs the first one still
 * running when the second starts). `waitForLease`: the guest's create waits for its DHCP lease.
 */
export function faultProgram(holdMs = 0, options: { waitForLease?: boolean } = {}): PulumiFn {
    return async () => {
        const host = loadTestHost();
        const p = FAULT_PREFIX;
        const net = new Network(`${p}-net`, {
            ips: [
                {
                    address: `${SUBNET}.1`,
                    prefix: 24,
                    dhcp: { ranges: [{ start: `${SUBNET}.100`, end: `${SUBNET}.200` }] },
                },
            ],
        });
        const pool = new StoragePool(`${p}-pool`, { type: "dir", target: { path: `/var/lib/libvirt/${p}-pool` } });
        const base = new Volume(`${p}-base`, { pool: pool.name, capacity: "16MiB", target: { format: "raw" } });
        const overlays = [1, 2].map(
            (i) =>
                new Volume(`${p}-disk${i}`, {
                    pool: pool.name,
                    capacity: "16MiB",
                    target: { format: "qcow2" },
                    backingStore: { volume: { name: base.name }, format: "raw" },
                }),
        );
        const lease = new DhcpHost(`${p}-lease`, { network: net.name, mac: "52:54:00:fa:01:10", ip: `${SUBNET}.10` });
        new DnsHost(`${p}-dns`, { network: net.name, ip: `${SUBNET}.10`, hostnames: ["vm.fault.lab"] });
        new Domain(`${p}-vm`, {
            type: "qemu",
            memory: 64,
            vcpu: 1,
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            devices: {
                disks: [
                    {
                        source: { pool: pool.name, volume: overlays[0]!.name },
                        driver: { type: "qcow2" },
                        target: { dev: "vda", bus: "virtio" },
                    },
                ],
                interfaces: [{ source: { network: net.name }, mac: lease.mac, model: "virtio" }],
                serials: [{ type: "pty" }],
            },
            shutdownTimeoutSeconds: 3,
            // The guest's create then lasts until it has booted and asked for its address (seconds),
            // a window a test can kill it in.
            ...(options.waitForLease ? { waitForIp: { source: "lease" as const, timeoutSeconds: 120 } } : {}),
        });
        if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
    };
}
