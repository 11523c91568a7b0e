/**
 * Checks that span several domain fields. Each one names the exact path and says how to fix it,
 * so that `check` fails before libvirt sees an impossible document.
 */
import type { z } from "zod";
import { parseCpuset } from "./cpuset";
import type { DomainFields } from "./domain-fields-schema";
import { controllerModels } from "./domain-devices-controller";
import { formatBytes } from "./units";

type Path = Array<string | number>;

/**
 * The schema with the cross-field checks applied: the one place they are wired, for the model
 * (`domainSchema`) and the Domain resource's arguments alike. They run even when a field is wrong,
 * so that every problem is reported at once.
 */
export function withDomainChecks<S extends z.ZodType<DomainFields>>(schema: S): S {
    return schema.superRefine((domain, ctx) => checkDomainConsistency(domain, ctx), { when: () => true });
}

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
        checkControllers,
        checkMemtune,
        checkIothreads,
        checkNuma,
        checkVcpuStates,
        checkMemoryDevices,
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
        // libvirt keeps a NIC's <driver> only for virtio models: on others it drops name='vhost' and
        // queues='1' from the definition (which would read back as drift) or refuses more queues.
        if (nic.driver !== undefined && !nic.model?.startsWith("virtio")) {
            const field = nic.driver.queues !== undefined ? "queues" : "name";
            fail(
                ["devices", "interfaces", i, "driver", field],
                `driver.${field} applies to virtio NICs only (model is ${nic.model === undefined ? "not set, so libvirt picks a non-virtio one" : `'${nic.model}'`}); set model: "virtio" or drop the driver`,
            );
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

const virtioScsiModels = new Set(["virtio-scsi", "virtio-transitional", "virtio-non-transitional"]);

function checkControllers(domain: DomainFields, fail: Fail): void {
    const seen = new Map<string, number>();
    domain.devices.controllers?.forEach((controller, i) => {
        const path = ["devices", "controllers", i];
        const models = controllerModels[controller.type] as readonly string[];
        if (controller.model !== undefined && !models.includes(controller.model)) {
            fail(
                [...path, "model"],
                models.length === 0
                    ? `a ${controller.type} controller has no model; drop it`
                    : `'${controller.model}' is not a ${controller.type} controller model; use one of ${models.join(", ")}`,
            );
        }
        if (controller.type === "pci" && controller.model === undefined) {
            fail([...path, "model"], "a pci controller needs a model, such as pcie-root-port");
        }
        const pciRoot = controller.model === "pci-root" || controller.model === "pcie-root";
        if (controller.type === "pci" && controller.model !== undefined && !pciRoot && !(controller.index! >= 1)) {
            // Without one, libvirt numbers the first pci controller of a new definition 0, the root's place.
            fail(
                [...path, "index"],
                `a ${controller.model} needs an index from 1 (index 0 is the PCI root); number the ports 1, 2...`,
            );
        }
        if (controller.index !== undefined) {
            const key = `${controller.type}:${controller.index}`;
            const first = seen.get(key);
            // ICH9 USB companion controllers share the index of their EHCI master.
            const companion = controller.type === "usb" && controller.model?.startsWith("ich9-") === true;
            if (first !== undefined && !companion) {
                fail(
                    [...path, "index"],
                    `${controller.type} controller ${controller.index} is already devices.controllers[${first}]; give each its own index`,
                );
            } else seen.set(key, i);
        }
        const virtioScsi = controller.type === "scsi" && virtioScsiModels.has(controller.model ?? "");
        for (const field of ["queues", "iothread"] as const) {
            if (controller.driver?.[field] !== undefined && !virtioScsi) {
                fail(
                    [...path, "driver", field],
                    `driver.${field} applies to virtio-scsi controllers only; set type "scsi" with model "virtio-scsi" or drop it`,
                );
            }
        }
    });
}

function checkMemtune(domain: DomainFields, fail: Fail): void {
    const tune = domain.memtune;
    if (domain.memoryBacking?.locked && tune?.hardLimit === undefined) {
        fail(
            ["memoryBacking", "locked"],
            "locked memory needs memtune.hardLimit: the host must know how much memory QEMU may pin (give the guest's memory plus QEMU's own, e.g. 256 MiB more), or drop locked",
        );
    }
    if (tune?.hardLimit !== undefined && tune.swapHardLimit !== undefined && tune.swapHardLimit < tune.hardLimit) {
        fail(
            ["memtune", "swapHardLimit"],
            `swapHardLimit ${formatBytes(tune.swapHardLimit)} is below hardLimit ${formatBytes(tune.hardLimit)}; libvirt wants it at least as large`,
        );
    }
    if (tune?.minGuarantee !== undefined) {
        fail(
            ["memtune", "minGuarantee"],
            "minGuarantee is honoured by VMware ESX and OpenVZ only; libvirt's QEMU driver refuses it: drop it",
        );
    }
}

function checkIothreads(domain: DomainFields, fail: Fail): void {
    const count = domain.iothreads ?? 0;
    const refersTo = (path: Path, thread: number | undefined) => {
        if (thread !== undefined && thread > count) {
            fail(
                path,
                count === 0
                    ? `I/O thread ${thread} does not exist; set iothreads (the number of I/O threads) to at least ${thread}`
                    : `I/O thread ${thread} does not exist (iothreads is ${count}, so threads are 1 to ${count}); raise iothreads`,
            );
        }
    };
    domain.devices.disks?.forEach((disk, i) => {
        const path = ["devices", "disks", i, "driver", "iothread"];
        refersTo(path, disk.driver?.iothread);
        if (disk.driver?.iothread !== undefined && (disk.target.bus ?? "virtio") !== "virtio") {
            fail(path, "an I/O thread serves virtio disks only; a SCSI disk uses its virtio-scsi controller's");
        }
    });
    domain.devices.controllers?.forEach((c, i) => {
        refersTo(["devices", "controllers", i, "driver", "iothread"], c.driver?.iothread);
    });
}

/** The vCPU numbers of a set, or undefined when it cannot be read (its schema reported that). */
function cpusOf(set: string | undefined): number[] {
    if (set === undefined) return [];
    const parsed = parseCpuset(set);
    return parsed.ok ? [...parsed.cpus] : [];
}

function checkNuma(domain: DomainFields, fail: Fail): void {
    const cells = domain.cpu?.numa?.cells ?? [];
    const memnodes = domain.numatune?.memnodes ?? [];
    if (cells.length === 0) {
        if (memnodes.length > 0) {
            fail(
                ["numatune", "memnodes"],
                "memnodes place guest NUMA cells, and there are none: declare cpu.numa.cells or drop the memnodes",
            );
        }
        if (domain.maxMemory !== undefined) {
            fail(["maxMemory"], "memory hot plug needs at least one guest NUMA cell: declare cpu.numa.cells");
        }
        return;
    }
    const ids = cells.map((cell, i) => cell.id ?? i);
    cells.forEach((_cell, i) => {
        const id = ids[i]!;
        if (id >= cells.length || ids.indexOf(id) !== i) {
            fail(
                ["cpu", "numa", "cells", i, "id"],
                `cell ids must be 0 to ${cells.length - 1}, each once; ${id} is ${id >= cells.length ? "out of range" : "used twice"}`,
            );
        }
    });
    const owner = new Map<number, number>();
    cells.forEach((cell, i) => {
        for (const cpu of cpusOf(cell.cpus)) {
            if (cpu >= domain.vcpu.maximum) {
                fail(
                    ["cpu", "numa", "cells", i, "cpus"],
                    `vCPU ${cpu} does not exist (vCPUs are 0 to ${domain.vcpu.maximum - 1}); raise vcpu.maximum or change the cell's cpus`,
                );
                break;
            }
            const other = owner.get(cpu);
            if (other !== undefined) {
                fail(["cpu", "numa", "cells", i, "cpus"], `vCPU ${cpu} is already in cell ${ids[other]}`);
                break;
            }
            owner.set(cpu, i);
        }
        cell.distances?.forEach((d, j) => {
            const path = ["cpu", "numa", "cells", i, "distances", j];
            if (!ids.includes(d.id)) fail([...path, "id"], `there is no cell ${d.id}`);
            else if (d.id === ids[i] && d.value !== 10) fail([...path, "value"], "a cell's distance to itself is 10");
            else if (d.id !== ids[i] && d.value === 10) {
                fail(
                    [...path, "value"],
                    "10 is the distance of a cell to itself; another cell is farther (more than 10)",
                );
            }
        });
    });
    const total = cells.reduce((sum, cell) => sum + cell.memory, 0);
    const dimms = (domain.devices.memories ?? []).reduce((sum, dimm) => sum + dimm.size, 0);
    if (total + dimms !== domain.memory) {
        const what = dimms === 0 ? "" : ` and the DIMMs ${formatBytes(dimms)}`;
        fail(
            ["cpu", "numa", "cells"],
            `the cells hold ${formatBytes(total)} in total${what} but memory is ${formatBytes(domain.memory)}; libvirt would make memory their sum: make them equal`,
        );
    }
    domain.devices.memories?.forEach((dimm, i) => {
        if (dimm.node !== undefined && !ids.includes(dimm.node)) {
            fail(["devices", "memories", i, "node"], `there is no guest NUMA cell ${dimm.node}`);
        }
    });
    memnodes.forEach((node, i) => {
        if (!ids.includes(node.cellid)) {
            fail(
                ["numatune", "memnodes", i, "cellid"],
                `there is no guest NUMA cell ${node.cellid} (cpu.numa.cells has ids 0 to ${cells.length - 1})`,
            );
        }
    });
}

function checkVcpuStates(domain: DomainFields, fail: Fail): void {
    const states = domain.vcpus;
    if (states === undefined) return;
    const { maximum } = domain.vcpu;
    const current = domain.vcpu.current ?? maximum;
    if (states.length !== maximum) {
        fail(["vcpus"], `list every vCPU: ${states.length} entries for vcpu.maximum ${maximum}`);
    }
    states.forEach((state, i) => {
        if (state.id !== i) fail(["vcpus", i, "id"], `entry ${i} must be vCPU ${i} (list them in order from 0)`);
        if (!state.enabled && state.hotpluggable === false) {
            fail(["vcpus", i, "hotpluggable"], "a vCPU that is off at start must be hotpluggable");
        }
    });
    const first = states[0];
    if (first && (!first.enabled || first.hotpluggable === true)) {
        fail(["vcpus", 0], "vCPU 0 must be enabled and not hotpluggable (QEMU cannot unplug it)");
    }
    const enabled = states.filter((s) => s.enabled).length;
    if (enabled !== current) {
        fail(
            ["vcpus"],
            `${enabled} vCPUs are enabled but vcpu.current is ${current}; enable exactly as many as vcpu.current (or vcpu.maximum when current is not set)`,
        );
    }
}

const MIB = 1024 * 1024;

function checkMemoryDevices(domain: DomainFields, fail: Fail): void {
    const dimms = domain.devices.memories ?? [];
    if (dimms.length === 0) return;
    const max = domain.maxMemory;
    if (max === undefined) {
        fail(["devices", "memories"], "DIMMs plug into the slots of maxMemory: set maxMemory (size and slots)");
        return;
    }
    if (dimms.length > max.slots) {
        fail(["devices", "memories"], `${dimms.length} DIMMs for ${max.slots} slots; raise maxMemory.slots`);
    }
    dimms.forEach((dimm, i) => {
        if (dimm.size % MIB !== 0) {
            fail(
                ["devices", "memories", i, "size"],
                `${formatBytes(dimm.size)} is not a whole number of MiB; QEMU would align it and libvirt report another size`,
            );
        }
    });
}
