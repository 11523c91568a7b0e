// The README's first program before the VirtualMachine component: the same VM from the exact
// resources (what the component composes). The build type-checks it; a test previews it with the
// engine emulator. Not brought up by the tests: it downloads a Debian cloud image.
import { DhcpHost, Domain, Network, StoragePool, Volume } from "pulumi-libvirt";

const net = new Network("net", {
    forward: { mode: "nat" },
    ips: [{ address: "10.77.0.1", prefix: 24, dhcp: { ranges: [{ start: "10.77.0.100", end: "10.77.0.200" }] } }],
});
const pool = new StoragePool("pool", { type: "dir", target: { path: "/var/lib/libvirt/lab-pool" } });
const disk = new Volume("disk", {
    pool: pool.name,
    capacity: "10GiB",
    target: { format: "qcow2" },
    sourceImage: { url: "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2" },
});
const lease = new DhcpHost("vm-lease", { network: net.name, mac: "52:54:00:77:00:10", ip: "10.77.0.10" });
// The MAC from the reservation: the VM is created after it, so its first DHCP request gets 10.77.0.10.
const vm = new Domain("vm", {
    memory: "2GiB",
    vcpu: 2,
    devices: {
        disks: [{ source: { pool: pool.name, volume: disk.name }, target: { dev: "vda", bus: "virtio" } }],
        interfaces: [{ source: { network: net.name }, mac: lease.mac, model: "virtio" }],
    },
    waitForIp: { timeoutSeconds: 120 },
});

export const ip = vm.ipAddresses.apply((ips) => ips[0]?.[0]);
