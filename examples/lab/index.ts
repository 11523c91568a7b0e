/**
 * The lab program (`npm run lab -- up`): the settings come from stack config, with defaults that
 * suit a fresh test host (scripts/setup-test-host.sh reserves the huge pages and builds the guest).
 *
 *   libvirt-lab:prefix   name prefix of every libvirt object (default "lab")
 *   libvirt-lab:subnet   first three octets of the lab's /24 (default "10.253.10")
 *   libvirt-lab:poolPath folder of the dir pool (default /var/lib/libvirt/<prefix>-pool)
 *   libvirt-lab:kernel, libvirt-lab:initrd   the guests' direct-boot files
 *   libvirt-lab:memoryMiB, waitSeconds, shutdownTimeoutSeconds   guest memory, IP wait, ACPI wait
 *   libvirt-lab:vcpus, currentMemoryMiB   current vCPUs (1 or 2) and balloon target: both change live
 *   libvirt:uri          the libvirt host (default LIBVIRT_DEFAULT_URI, then qemu:///system)
 */
import * as pulumi from "@pulumi/pulumi";
import { lab } from "./lab";

const GUEST_DIR = "/var/lib/pulumi-libvirt-testhost/guest";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "lab";

export = lab({
    prefix,
    subnet: config.get("subnet") ?? "10.253.10",
    poolPath: config.get("poolPath") ?? `/var/lib/libvirt/${prefix}-pool`,
    kernel: config.get("kernel") ?? `${GUEST_DIR}/vmlinuz`,
    initrd: config.get("initrd") ?? `${GUEST_DIR}/initrd.img`,
    memoryMiB: config.getNumber("memoryMiB"),
    currentMemoryMiB: config.getNumber("currentMemoryMiB"),
    vcpus: config.getNumber("vcpus"),
    waitSeconds: config.getNumber("waitSeconds"),
    shutdownTimeoutSeconds: config.getNumber("shutdownTimeoutSeconds"),
});
