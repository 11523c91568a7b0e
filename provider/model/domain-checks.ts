/**
 * Checks that span several domain fields. Each one names the exact path and says how to fix it,
 * so that `check` fails before libvirt sees an impossible document.
 */
import type { z } from "zod";
import type { DomainFields } from "./domain";
import { formatBytes } from "./units";

type Path = Array<string | number>;

export function checkDomainConsistency(domain: DomainFields, ctx: z.RefinementCtx): void {
    const fail = (path: Path, message: string) => ctx.addIssue({ code: "custom", path, message });
    // These checks also run when some field failed its own schema (to report everything at once),
    // so a value may still be raw input here; a check that trips over one is simply skipped.
    for (const check of [
        checkVcpus,
        checkMemory,
        checkBoot,
        checkDisks,
        checkInterfaces,
        checkGraphics,
        checkFilesystems,
    ]) {
        try {
            check(domain, fail);
        } catch {
            // The field's own schema already reported the problem.
        }
    }
}

type Fail = (path: Path, message: string) => void;

function checkVcpus(domain: DomainFields, fail: Fail): void {
    const { maximum, current, placement, cpuset } = domain.vcpu;
    if (current !== undefined && current > maximum) {
        fail(["vcpu", "current"], `${current} current vCPUs is above the maximum of ${maximum}; raise vcpu.maximum`);
    }
    if (placement === "auto" && cpuset !== undefined) {
        fail(
            ["vcpu", "cpuset"],
            "a cpuset is ignored with placement 'auto'; use placement 'static' or drop the cpuset",
        );
    }
    const topology = domain.cpu?.topology;
    if (topology) {
        const product = topology.sockets * (topology.dies ?? 1) * topology.cores * topology.threads;
        if (product !== maximum) {
            fail(
                ["cpu", "topology"],
                `sockets × dies × cores × threads is ${product} but vcpu.maximum is ${maximum}; they must be equal`,
            );
        }
    }
    domain.cputune?.vcpupins?.forEach((pin, i) => {
        if (pin.vcpu >= maximum) {
            fail(["cputune", "vcpupins", i, "vcpu"], `vCPU ${pin.vcpu} does not exist (vCPUs are 0 to ${maximum - 1})`);
        }
    });
    const cpu = domain.cpu;
    if (cpu?.model && (cpu.mode === "host-passthrough" || cpu.mode === "maximum")) {
        fail(["cpu", "model"], `a model is not used with mode '${cpu.mode}'; use mode 'custom' or drop the model`);
    }
    if (cpu?.mode === "custom" && !cpu.model) fail(["cpu", "model"], "mode 'custom' needs a model such as 'Haswell'");
    if (cpu?.migratable !== undefined && cpu.mode !== "host-passthrough" && cpu.mode !== "maximum") {
        fail(
            ["cpu", "migratable"],
            `migratable applies to modes 'host-passthrough' and 'maximum' only, not '${cpu.mode ?? "custom"}'; drop it or change the mode`,
        );
    }
}

function checkMemory(domain: DomainFields, fail: Fail): void {
    if (domain.currentMemory !== undefined && domain.currentMemory > domain.memory) {
        fail(
            ["currentMemory"],
            `current memory ${formatBytes(domain.currentMemory)} is above memory ${formatBytes(domain.memory)}; the balloon cannot inflate past it`,
        );
    }
    if (domain.maxMemory && domain.maxMemory.size < domain.memory) {
        fail(["maxMemory", "size"], `maxMemory must be at least memory (${formatBytes(domain.memory)})`);
    }
}

function checkBoot(domain: DomainFields, fail: Fail): void {
    const perDevice = [
        ...(domain.devices.disks ?? []).map((d) => d.boot),
        ...(domain.devices.interfaces ?? []).map((n) => n.boot),
        ...(domain.devices.hostdevs ?? []).map((h) => h.boot),
    ].filter((b) => b !== undefined);
    if (perDevice.length > 0 && (domain.os.boot?.length ?? 0) > 0) {
        fail(["os", "boot"], "os.boot cannot be combined with per-device boot orders; use one or the other");
    }
    if (new Set(perDevice).size !== perDevice.length) {
        fail(["devices"], "two devices have the same boot order; each boot order must be unique");
    }
    const os = domain.os;
    if ((os.initrd !== undefined || os.cmdline !== undefined) && os.kernel === undefined) {
        fail(["os", "kernel"], "initrd and cmdline are only used with direct kernel boot; set os.kernel");
    }
    if (os.secureBoot && os.firmware !== "efi") fail(["os", "secureBoot"], "secure boot needs os.firmware 'efi'");
}

function checkDisks(domain: DomainFields, fail: Fail): void {
    const seen = new Map<string, number>();
    domain.devices.disks?.forEach((disk, i) => {
        const first = seen.get(disk.target.dev);
        if (first !== undefined) {
            fail(
                ["devices", "disks", i, "target", "dev"],
                `'${disk.target.dev}' is already used by devices.disks[${first}]; each disk needs its own target dev`,
            );
        } else {
            seen.set(disk.target.dev, i);
        }
        if (disk.device === "cdrom" && disk.target.bus === "virtio") {
            fail(["devices", "disks", i, "target", "bus"], "a cdrom cannot be on the virtio bus; use sata or scsi");
        }
        if (disk.device === "disk" && disk.source === undefined) {
            fail(["devices", "disks", i, "source"], "a disk needs a source (a pool volume, a file or a block device)");
        }
        if (disk.driver?.queues !== undefined && disk.target.bus !== undefined && disk.target.bus !== "virtio") {
            fail(["devices", "disks", i, "driver", "queues"], "queues apply to virtio disks only");
        }
    });
}

function checkInterfaces(domain: DomainFields, fail: Fail): void {
    const seen = new Map<string, number>();
    domain.devices.interfaces?.forEach((nic, i) => {
        if (nic.mac) {
            const first = seen.get(nic.mac);
            if (first !== undefined) {
                fail(["devices", "interfaces", i, "mac"], `${nic.mac} is already used by devices.interfaces[${first}]`);
            } else {
                seen.set(nic.mac, i);
            }
        }
        if (nic.driver?.queues !== undefined && nic.model !== undefined && !nic.model.startsWith("virtio")) {
            fail(["devices", "interfaces", i, "driver", "queues"], "multiqueue needs a virtio model");
        }
    });
}

function checkGraphics(domain: DomainFields, fail: Fail): void {
    domain.devices.graphics?.forEach((g, i) => {
        if (g.autoport && g.port !== undefined) {
            fail(["devices", "graphics", i, "port"], "a fixed port cannot be combined with autoport; drop one");
        }
        if (g.type === "vnc" && g.password !== undefined && g.password.length > 8) {
            fail(["devices", "graphics", i, "password"], "VNC uses at most 8 password characters; shorten it");
        }
        if (g.websocket !== undefined && g.type !== "vnc") {
            fail(["devices", "graphics", i, "websocket"], "websocket is a VNC option");
        }
    });
}

function checkFilesystems(domain: DomainFields, fail: Fail): void {
    const fs = domain.devices.filesystems ?? [];
    if (fs.some((f) => f.driver === "virtiofs") && domain.memoryBacking?.access !== "shared") {
        const i = fs.findIndex((f) => f.driver === "virtiofs");
        fail(
            ["devices", "filesystems", i, "driver"],
            "virtiofs needs shared guest memory; set memoryBacking.access to 'shared' (and a source such as memfd)",
        );
    }
}
