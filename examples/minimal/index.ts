/**
 * The smallest useful program: one virtual machine that boots a kernel directly (no disk, no
 * network). Settings from stack config: `prefix` (name of the domain, default "minimal"),
 * `kernel` and `initrd` (default: the tiny guest of scripts/build-tiny-guest.sh), and
 * `currentMemoryMiB` (the balloon target, at most the 64 MiB it boots with; changes live).
 */
import * as pulumi from "@pulumi/pulumi";
import { Domain } from "pulumi-libvirt";

const GUEST_DIR = "/var/lib/pulumi-libvirt-testhost/guest";
const config = new pulumi.Config();
const currentMemory = config.getNumber("currentMemoryMiB");

const vm = new Domain("vm", {
    name: `${config.get("prefix") ?? "minimal"}-vm`,
    // TCG works everywhere, nested virtualisation included; use "kvm" on bare metal.
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
    devices: { serials: [{ type: "pty" }] },
});

export const name = vm.name;
export const uuid = vm.uuid;
export const state = vm.state;
