/**
 * One VirtualMachine from a cloud image, with cloud-init: a user with your SSH key, a hostname, a
 * reserved address on an isolated network (DHCP only, no route out), in a dir pool of its own.
 * By default it boots the test host's Debian 12 cloud guest (scripts/build-cloud-guest.sh) by
 * direct kernel boot under TCG, so `npm run lab -- up --example vm` works on the test machine.
 *
 * Stack config: `prefix` (start of every libvirt name, default "vm"), `subnet` (first three
 * octets, default "10.253.30"), `poolPath`, `image` (a path or URL; default the test host's
 * image), `imageSha256`, `kernel`, `initrd`, `cmdline` (direct kernel boot; set `kernel` to "" to
 * boot the image's own bootloader), `type` ("qemu" default, "kvm" on bare metal), `memoryMiB`
 * (640 default, live up to `maxMemoryMiB`, 1024), `vcpus` (1, live up to `maxVcpus`, 2),
 * `sshKey` (an OpenSSH public key line), `user` ("lab"), `shutdownTimeoutSeconds`.
 */
import * as pulumi from "@pulumi/pulumi";
import { Network, StoragePool, VirtualMachine } from "pulumi-libvirt";

const CLOUD_GUEST = "/var/lib/pulumi-libvirt-testhost/cloud-guest";
const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "vm";
const subnet = config.get("subnet") ?? "10.253.30";
const kernel = config.get("kernel") ?? `${CLOUD_GUEST}/vmlinuz`;
const sshKey = config.get("sshKey");
const imageSha256 = config.get("imageSha256");
const image = config.get("image") ?? `${CLOUD_GUEST}/debian-12-cloud.qcow2`;

// Isolated: no <forward>, so the guest reaches the host's DHCP server and nothing else.
const net = new Network("net", {
    name: `${prefix}-net`,
    ips: [{ address: `${subnet}.1`, prefix: 24, dhcp: { ranges: [{ start: `${subnet}.100`, end: `${subnet}.200` }] } }],
});
const pool = new StoragePool("pool", {
    name: `${prefix}-pool`,
    type: "dir",
    target: { path: config.get("poolPath") ?? `/var/lib/libvirt/${prefix}-pool` },
});

const vm = new VirtualMachine("vm", {
    name: `${prefix}-vm`,
    image: imageSha256 === undefined ? image : { url: image, sha256: imageSha256 },
    pool,
    network: net,
    ip: `${subnet}.10`,
    type: (config.get("type") ?? "qemu") as "kvm" | "qemu",
    memory: config.getNumber("memoryMiB") ?? 640,
    maxMemory: config.getNumber("maxMemoryMiB") ?? 1024,
    vcpus: config.getNumber("vcpus") ?? 1,
    maxVcpus: config.getNumber("maxVcpus") ?? 2,
    user: config.get("user") ?? "lab",
    sshAuthorizedKeys: sshKey === undefined ? [] : [sshKey],
    domain: {
        ...(kernel === ""
            ? {}
            : {
                  os: {
                      kernel,
                      initrd: config.get("initrd") ?? `${CLOUD_GUEST}/initrd.img`,
                      cmdline: config.get("cmdline") ?? "root=/dev/vda rw console=ttyS0 ipv6.disable=1 quiet",
                  },
              }),
        shutdownTimeoutSeconds: config.getNumber("shutdownTimeoutSeconds") ?? 30,
    },
});

export const name = vm.domain.name;
export const ipAddress = vm.ipAddress;
export const macAddress = vm.macAddress;
export const sshCommand = vm.sshCommand;
export const consoleCommand = vm.consoleCommand;
export const vncAddress = vm.vncAddress;
