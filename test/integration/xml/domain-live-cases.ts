/**
 * The table of domain models the live tests define in the real libvirtd (libvirt 9.0, QEMU 7.2,
 * x86_64). Between them the cases use every enum value of the Domain model at least once; where
 * libvirt itself refuses a value on this host (an s390 watchdog on x86, say) the case says so with
 * `refused` and the test checks that libvirt still refuses it, so the table documents the limit.
 */
import type { DomainArgs } from "../../../provider/model/domain";
import { diskDriverSchema } from "../../../provider/model/domain-devices-disk";
import { soundModels } from "../../../provider/model/domain-devices-display";
import { interfaceModels } from "../../../provider/model/domain-devices-interface";
import { domainMemballoonSchema, domainWatchdogSchema } from "../../../provider/model/domain-devices-misc";
import { onCrashSchema, timerNames } from "../../../provider/model/domain-os";

/** Every object of these tests is named with this prefix, so cleanup touches nothing else. */
export const DOMLIVE_PREFIX = "pltest-domlive-";
/** An isolated libvirt network (no forward, no DHCP traffic leaves the bridge). */
export const LIVE_NETWORK = `${DOMLIVE_PREFIX}net`;
export const LIVE_NETWORK_BRIDGE = "pltdnet0";
export const LIVE_NETWORK_XML = `<network><name>${LIVE_NETWORK}</name><bridge name='${LIVE_NETWORK_BRIDGE}'/><portgroup name='lab'/><ip address='10.254.190.1' prefix='24'/></network>`;
/** A host bridge created with `ip link` for bridge interfaces. */
export const HOST_BRIDGE = "pltdbr0";
/** One end of a veth pair, the host link for macvtap (direct) interfaces; the other end goes nowhere. */
export const HOST_DUMMY = "pltdveth0";
export const HOST_DUMMY_PEER = "pltdveth1";

export interface LiveCase {
    label: string;
    /** Merged into the base model (name, type qemu, 128 MiB, 1 vCPU). */
    fields: Partial<DomainArgs>;
    /** Start it too (direct kernel boot of the tiny guest is added) and compare the live XML. */
    start?: boolean;
    /** libvirt refuses this model on this host: define must fail with this message. */
    refused?: RegExp;
}

/** Filled in by the test with the per-run folder for images and logs. */
export interface CasePaths {
    dir: string;
    kernel: string;
    initrd: string;
}

const vd = (n: number) => `vd${"abcdefghijklmnopqrstuvwxyz"[n]}`;

export function liveCases(p: CasePaths): LiveCase[] {
    const img = (name: string) => `${p.dir}/${name}`;
    const serialLog = (name: string) => ({ type: "file" as const, path: img(`${name}-serial.log`), port: 0 });
    return [
        // --- identity, sizes, vCPUs ---------------------------------------------------------------
        { label: "minimal kvm", fields: { type: "kvm" } },
        {
            label: "identity and metadata",
            fields: {
                uuid: "C7A5FDBD-EDAF-9455-926A-D65C16DB1809",
                title: "Lab VM <one> & 'two'",
                description: 'a <lab> & "guest" ]]> with\nlines',
            },
        },
        {
            label: "memory sizes with maxMemory slots and the guest NUMA cell hot plug needs",
            fields: {
                memory: "256MiB",
                currentMemory: 192,
                maxMemory: { size: "1GiB", slots: 4 },
                cpu: { numa: { cells: [{ cpus: "0", memory: "256MiB" }] } },
            },
        },
        { label: "current memory", fields: { memory: "256MiB", currentMemory: 192 } },
        {
            label: "vcpu static cpuset current, vcpupin, emulatorpin, host-model topology (started)",
            start: true,
            fields: {
                vcpu: { maximum: 2, current: 1, placement: "static", cpuset: "0-1" },
                cputune: {
                    vcpupins: [
                        { vcpu: 0, cpuset: "0" },
                        { vcpu: 1, cpuset: "1" },
                    ],
                    emulatorpin: "0-1",
                },
                cpu: { mode: "host-model", topology: { sockets: 1, dies: 1, cores: 2, threads: 1 } },
            },
        },
        { label: "vcpu placement auto", fields: { vcpu: { maximum: 2, placement: "auto" } } },
        // --- CPU ------------------------------------------------------------------------------------
        {
            label: "cpu host-passthrough (kvm, define only)",
            fields: { type: "kvm", cpu: { mode: "host-passthrough", migratable: false, check: "none" } },
        },
        { label: "cpu maximum", fields: { cpu: { mode: "maximum", migratable: true } } },
        {
            label: "cpu custom with every feature policy, match exact, check partial, fallback forbid (started)",
            start: true,
            fields: {
                cpu: {
                    mode: "custom",
                    model: "qemu64",
                    fallback: "forbid",
                    match: "exact",
                    check: "partial",
                    features: [
                        { name: "sse4.2", policy: "require" },
                        { name: "popcnt", policy: "force" },
                        { name: "vmx", policy: "disable" },
                        { name: "vme", policy: "forbid" },
                        { name: "x2apic", policy: "optional" },
                    ],
                },
            },
        },
        {
            label: "cpu match minimum check full fallback allow",
            fields: { cpu: { mode: "custom", model: "qemu64", fallback: "allow", match: "minimum", check: "full" } },
        },
        {
            label: "cpu match strict, topology with dies",
            fields: {
                vcpu: 8,
                cpu: {
                    mode: "custom",
                    model: "qemu64",
                    match: "strict",
                    topology: { sockets: 1, dies: 2, cores: 2, threads: 2 },
                },
            },
        },
        // --- NUMA tuning ------------------------------------------------------------------------------
        ...(["strict", "preferred", "interleave", "restrictive"] as const).map(
            (mode): LiveCase => ({
                label: `numatune ${mode}`,
                fields: { numatune: { memory: { mode, nodeset: "0", placement: "static" } } },
            }),
        ),
        { label: "numatune auto", fields: { numatune: { memory: { mode: "strict", placement: "auto" } } } },
        {
            label: "numatune memnodes on a guest NUMA cell",
            fields: {
                cpu: { numa: { cells: [{ cpus: "0", memory: 128 }] } },
                numatune: { memnodes: [{ cellid: 0, mode: "preferred", nodeset: "0" }] },
            },
        },
        // --- memory backing ---------------------------------------------------------------------------
        {
            label: "hugepages 2 MiB with nosharepages (started)",
            start: true,
            // 64 MiB: 32 of the 128 reserved pages, so that another test's hugepage guest still fits.
            fields: { memory: 64, memoryBacking: { hugepages: [{ size: "2MiB" }], nosharepages: true } },
        },
        {
            // Starting it needs CAP_SYS_RESOURCE to lift RLIMIT_MEMLOCK, which this host's libvirtd lacks.
            label: "locked memory (define only)",
            fields: { memtune: { hardLimit: 512 }, memoryBacking: { locked: true, nosharepages: false } },
        },
        { label: "hugepages default size, discard", fields: { memoryBacking: { hugepages: true, discard: true } } },
        {
            label: "hugepages with a nodeset beyond node 0 of a guest without NUMA cells",
            fields: { memoryBacking: { hugepages: [{ size: "2MiB", nodeset: "1" }] } },
            refused: /hugepages: node 1 not found/,
        },
        {
            label: "hugepages with a nodeset",
            fields: { memoryBacking: { hugepages: [{ size: "2MiB", nodeset: "0" }] } },
        },
        {
            label: "memory source file, access private, allocation ondemand",
            fields: { memoryBacking: { source: "file", access: "private", allocation: "ondemand" } },
        },
        {
            label: "memory source anonymous, allocation immediate with threads",
            fields: { memoryBacking: { source: "anonymous", allocation: "immediate", allocationThreads: 2 } },
        },
        {
            label: "memfd shared memory with a virtiofs share (started)",
            start: true,
            fields: {
                memoryBacking: { source: "memfd", access: "shared" },
                devices: { filesystems: [{ driver: "virtiofs", source: p.dir, target: "share" }] },
            },
        },
        // --- features and clock -----------------------------------------------------------------------
        {
            label: "features acpi apic pae vmport smm (q35)",
            fields: {
                os: { machine: "q35" },
                features: { acpi: true, apic: true, pae: true, vmport: false, smm: true },
            },
        },
        {
            label: "hyperv custom flags and kvm flags (kvm)",
            fields: {
                type: "kvm",
                features: {
                    hyperv: {
                        mode: "custom",
                        relaxed: true,
                        vapic: true,
                        spinlocks: 8191,
                        vpindex: true,
                        runtime: true,
                        synic: true,
                        stimer: true,
                        reset: false,
                        frequencies: true,
                        reenlightenment: false,
                        tlbflush: true,
                        ipi: true,
                        evmcs: false,
                        vendorId: "KVM Hv",
                    },
                    kvm: { hidden: true, hintDedicated: true, pollControl: false, pvIpi: true },
                },
            },
        },
        { label: "hyperv passthrough", fields: { type: "kvm", features: { hyperv: { mode: "passthrough" } } } },
        { label: "hyperv spinlocks off", fields: { type: "kvm", features: { hyperv: { spinlocks: false } } } },
        { label: "clock localtime", fields: { clock: { offset: "localtime" } } },
        { label: "clock timezone", fields: { clock: { offset: "timezone", timezone: "Europe/Paris" } } },
        { label: "clock variable utc", fields: { clock: { offset: "variable", adjustment: 3600, basis: "utc" } } },
        {
            label: "clock variable localtime, timers with tick policies (started)",
            start: true,
            fields: {
                clock: {
                    offset: "variable",
                    adjustment: -60,
                    basis: "localtime",
                    timers: [
                        { name: "rtc", tickpolicy: "catchup", track: "guest" },
                        { name: "pit", tickpolicy: "delay" },
                        { name: "hpet", present: false },
                        { name: "kvmclock", present: true },
                    ],
                },
            },
        },
        ...(["merge", "discard"] as const).map(
            (tickpolicy): LiveCase => ({
                label: `timer tickpolicy ${tickpolicy}`,
                fields: { clock: { offset: "utc", timers: [{ name: "rtc", tickpolicy }] } },
                // QEMU's rtc knows only delay and catchup.
                refused: new RegExp(`unsupported rtc timer tickpolicy '${tickpolicy}'`),
            }),
        ),
        ...(["boot", "wall", "realtime"] as const).map(
            (track): LiveCase => ({
                label: `rtc track ${track}`,
                fields: { clock: { offset: "utc", timers: [{ name: "rtc", track }] } },
                ...(track === "boot" ? { refused: /unsupported rtc timer track 'boot'/ } : {}),
            }),
        ),
        ...timerNames.map(
            (name): LiveCase => ({
                label: `timer ${name}`,
                fields: { type: "kvm", clock: { offset: "utc", timers: [{ name, present: true }] } },
                ...(name === "armvtimer" || name === "platform"
                    ? { refused: /timer type \(name\) 'platform'|'armvtimer' timer is not supported/ }
                    : {}),
            }),
        ),
        // --- os and lifecycle -------------------------------------------------------------------------
        {
            label: "q35 efi secure boot, boot menu",
            fields: {
                os: {
                    arch: "x86_64",
                    machine: "q35",
                    firmware: "efi",
                    secureBoot: true,
                    bootMenu: true,
                    bootMenuTimeout: 3000,
                },
                features: { acpi: true, smm: true },
            },
        },
        {
            label: "q35 efi (started)",
            start: true,
            fields: { os: { machine: "q35", firmware: "efi" }, features: { acpi: true } },
        },
        {
            label: "pc bios, every boot device",
            fields: {
                os: { machine: "pc", firmware: "bios", boot: ["hd", "cdrom", "network", "fd"], bootMenu: false },
            },
        },
        { label: "os loader", fields: { os: { machine: "q35", loader: "/usr/share/OVMF/OVMF_CODE_4M.fd" } } },
        {
            label: "direct kernel boot, lifecycle actions (started)",
            start: true,
            fields: { onPoweroff: "destroy", onReboot: "restart", onCrash: "preserve" },
        },
        ...onCrashSchema.options.map(
            (action): LiveCase => ({
                label: `on_crash ${action}, on_poweroff and on_reboot alike where allowed`,
                fields: {
                    onCrash: action,
                    ...(action === "destroy" || action === "restart" ? { onPoweroff: action, onReboot: action } : {}),
                },
                ...(action === "rename-restart"
                    ? { refused: /qemu driver doesn't support the 'rename-restart' action/ }
                    : {}),
            }),
        ),
        ...(["onPoweroff", "onReboot"] as const).flatMap((field) =>
            (["preserve", "rename-restart"] as const).map(
                (action): LiveCase => ({
                    label: `${field} ${action}`,
                    fields: { [field]: action },
                    refused: new RegExp(`qemu driver doesn't support the '${action}' action`),
                }),
            ),
        ),
        // --- disks ---------------------------------------------------------------------------------------
        {
            label: "disks of every source, device kind and bus (q35 has no floppy: pc)",
            fields: {
                os: { machine: "pc" },
                devices: {
                    disks: [
                        {
                            source: { file: img("root.qcow2") },
                            target: { dev: "vda", bus: "virtio" },
                            driver: { type: "qcow2", cache: "none", io: "native", discard: "unmap", queues: 2 },
                            serial: "LAB-0001",
                            boot: 1,
                        },
                        { source: { pool: "default", volume: "data.qcow2" }, target: { dev: "vdb", bus: "virtio" } },
                        {
                            source: { block: "/dev/pltest-domlive-nonexistent" },
                            target: { dev: "sda", bus: "scsi" },
                            shareable: true,
                            driver: { type: "raw", cache: "directsync" },
                        },
                        {
                            device: "lun",
                            source: { block: "/dev/pltest-domlive-lun" },
                            target: { dev: "sdb", bus: "scsi" },
                        },
                        { device: "cdrom", target: { dev: "sdc", bus: "sata" }, readonly: true },
                        {
                            device: "cdrom",
                            source: { file: img("x.iso") },
                            target: { dev: "hdc", bus: "ide" },
                            driver: { type: "raw" },
                            boot: 2,
                        },
                        { device: "floppy", source: { file: img("f.img") }, target: { dev: "fda", bus: "fdc" } },
                        { source: { file: img("usb.img") }, target: { dev: "sdd", bus: "usb" }, readonly: true },
                    ],
                },
            },
        },
        {
            label: "every disk image format",
            fields: {
                devices: {
                    disks: diskDriverSchema.shape.type
                        .unwrap()
                        .options.filter((type) => type !== "iso")
                        .map((type, n) => ({
                            source: { file: img(`f${n}.${type}`) },
                            target: { dev: vd(n), bus: "virtio" as const },
                            driver: { type },
                            readonly: true,
                        })),
                },
            },
        },
        {
            label: "disk image format iso",
            fields: {
                devices: {
                    disks: [
                        {
                            device: "cdrom",
                            source: { file: img("x.iso") },
                            target: { dev: "sda", bus: "sata" },
                            driver: { type: "iso" },
                        },
                    ],
                },
            },
            refused: /storage format 'iso' is not directly supported by QEMU/,
        },
        {
            label: "every disk cache mode, io threads and io_uring, discard ignore",
            fields: {
                devices: {
                    disks: diskDriverSchema.shape.cache.unwrap().options.map((cache, n) => ({
                        source: { file: img(`c${n}.raw`) },
                        target: { dev: vd(n), bus: "virtio" as const },
                        driver: {
                            cache,
                            ...(n === 1 ? { io: "io_uring" as const } : n === 2 ? { io: "threads" as const } : {}),
                            ...(n === 3 ? { discard: "ignore" as const } : {}),
                        },
                        readonly: false,
                    })),
                },
            },
        },
        {
            label: "q35 virtio disk, sata cdrom, volume disk (started)",
            start: true,
            fields: {
                os: { machine: "q35" },
                devices: {
                    disks: [
                        {
                            source: { file: img("boot.qcow2") },
                            target: { dev: "vda", bus: "virtio" },
                            driver: { type: "qcow2", cache: "writeback", discard: "unmap" },
                            serial: "BOOT-1",
                        },
                        {
                            source: { pool: `${DOMLIVE_PREFIX}pool`, volume: "data.raw" },
                            target: { dev: "vdb", bus: "virtio" },
                            driver: { type: "raw" },
                        },
                        { device: "cdrom", target: { dev: "sda", bus: "sata" }, readonly: true },
                    ],
                },
            },
        },
        // --- network interfaces ------------------------------------------------------------------------
        {
            label: "nic on a network with a portgroup, vhost queues, bridge nic, mtu, link down (started)",
            start: true,
            fields: {
                vcpu: 2,
                devices: {
                    interfaces: [
                        {
                            source: { network: LIVE_NETWORK, portgroup: "lab" },
                            mac: "52:54:00:7e:57:a1",
                            model: "virtio",
                            driver: { name: "vhost", queues: 2 },
                            linkUp: true,
                            targetDev: "pltdtap0",
                        },
                        {
                            source: { bridge: HOST_BRIDGE },
                            model: "e1000e",
                            linkUp: false,
                            mtu: 1400,
                        },
                        { source: { network: LIVE_NETWORK }, model: "virtio", driver: { name: "qemu" } },
                    ],
                },
            },
        },
        {
            label: "macvtap on a veth link, bridge mode (started)",
            start: true,
            fields: {
                devices: {
                    interfaces: [{ source: { direct: HOST_DUMMY, mode: "bridge" }, mac: "52:54:00:7e:57:b1" }],
                },
            },
        },
        ...(["vepa", "private", "passthrough"] as const).map(
            (mode): LiveCase => ({
                label: `macvtap mode ${mode}`,
                fields: { devices: { interfaces: [{ source: { direct: HOST_DUMMY, mode } }] } },
            }),
        ),
        {
            label: "every nic model, boot order",
            fields: {
                devices: {
                    interfaces: interfaceModels.map((model, n) => ({
                        source: { network: LIVE_NETWORK },
                        model,
                        mac: `52:54:00:7e:57:${(0xc0 + n).toString(16)}`,
                        ...(n === 0 ? { boot: 1 } : {}),
                    })),
                },
            },
        },
        // --- display, sound, input ------------------------------------------------------------------------
        {
            label: "vnc autoport, virtio video, usb tablet (started)",
            start: true,
            fields: {
                devices: {
                    graphics: [{ type: "vnc", autoport: true, websocket: -1 }],
                    videos: [{ model: "virtio", heads: 1, primary: true }],
                    inputs: [{ type: "tablet", bus: "usb" }],
                },
            },
        },
        {
            label: "vnc fixed port with password and websocket",
            fields: {
                devices: {
                    graphics: [
                        {
                            type: "vnc",
                            listen: "0.0.0.0",
                            port: 5905,
                            autoport: false,
                            password: "s3&<x>\"'",
                            websocket: 5705,
                        },
                    ],
                },
            },
        },
        {
            label: "spice, qxl video, spicevmc channel, ich9 sound (started)",
            start: true,
            fields: {
                os: { machine: "q35" },
                devices: {
                    graphics: [{ type: "spice", autoport: true }],
                    videos: [{ model: "qxl", vram: "64MiB", heads: 1, primary: true }],
                    channels: [{ type: "spicevmc", name: "com.redhat.spice.0" }],
                    sounds: [{ model: "ich9" }],
                },
            },
        },
        ...(["vga", "cirrus", "bochs", "ramfb", "vmvga", "none"] as const).map(
            (model): LiveCase => ({
                label: `video ${model}`,
                fields: { devices: { graphics: [{ type: "vnc" }], videos: [{ model }] } },
            }),
        ),
        ...soundModels.map(
            (model): LiveCase => ({
                label: `sound ${model}`,
                fields: {
                    os: { machine: model === "ich9" || model === "ich7" ? "q35" : "pc" },
                    devices: { sounds: [{ model }] },
                },
                // libvirt 9.0 knows no PCI placement for the ich7 codec on x86 machines.
                ...(model === "ich7" ? { refused: /Cannot automatically add a new PCI bus/ } : {}),
            }),
        ),
        {
            label: "inputs on usb, virtio and ps2",
            fields: {
                devices: {
                    inputs: [
                        { type: "tablet", bus: "usb" },
                        { type: "mouse", bus: "usb" },
                        { type: "keyboard", bus: "usb" },
                        { type: "tablet", bus: "virtio" },
                        { type: "mouse", bus: "virtio" },
                        { type: "keyboard", bus: "virtio" },
                        { type: "mouse", bus: "ps2" },
                        { type: "keyboard", bus: "ps2" },
                    ],
                },
            },
        },
        {
            label: "tablet on ps2",
            fields: { devices: { inputs: [{ type: "tablet", bus: "ps2" }] } },
            refused: /ps2 bus does not support tablet input device/,
        },
        // --- character devices --------------------------------------------------------------------------
        {
            label: "serial file, virtio console pty, guest agent channel (started)",
            start: true,
            fields: {
                devices: {
                    serials: [serialLog("chars")],
                    // No port: libvirt numbers virtio consoles itself (the model refuses one).
                    consoles: [{ type: "pty", targetType: "virtio" }],
                    channels: [{ type: "unix", name: "org.qemu.guest_agent.0" }],
                },
            },
        },
        {
            label: "serial pty, channels with path and pty",
            fields: {
                devices: {
                    serials: [{ type: "pty", port: 0 }],
                    channels: [
                        { type: "unix", path: `/var/lib/libvirt/qemu/${DOMLIVE_PREFIX}ga.sock` },
                        { type: "pty", name: "org.pltest.pty.0" },
                    ],
                },
            },
        },
        {
            label: "serial console to a file (libvirt adds the serial port behind it)",
            fields: { devices: { consoles: [{ type: "file", path: img("console.log"), targetType: "serial" }] } },
        },
        // --- memballoon, rng, filesystems, hostdev, watchdog, tpm -------------------------------------
        ...domainMemballoonSchema.shape.model.options.map(
            (model): LiveCase => ({ label: `memballoon ${model}`, fields: { devices: { memballoon: { model } } } }),
        ),
        {
            label: "memballoon options, rngs of every backend and model (started)",
            start: true,
            fields: {
                devices: {
                    memballoon: { model: "virtio", autodeflate: true, freePageReporting: true, statsPeriod: 10 },
                    rngs: [
                        { model: "virtio", backend: "/dev/urandom", rateBytes: 1024, ratePeriod: 1000 },
                        { model: "virtio-non-transitional", backend: "builtin" },
                    ],
                },
            },
        },
        {
            label: "rng /dev/random and /dev/hwrng, transitional model",
            fields: {
                devices: {
                    rngs: [
                        { model: "virtio-transitional", backend: "/dev/random" },
                        { model: "virtio", backend: "/dev/hwrng" },
                    ],
                },
            },
        },
        {
            label: "9p shares of every access mode, readonly virtiofs",
            fields: {
                memoryBacking: { source: "memfd", access: "shared" },
                devices: {
                    filesystems: [
                        { driver: "path", source: p.dir, target: "pt", accessmode: "passthrough", readonly: true },
                        { driver: "path", source: p.dir, target: "mapped", accessmode: "mapped" },
                        { driver: "path", source: p.dir, target: "squash", accessmode: "squash" },
                    ],
                },
            },
        },
        {
            label: "readonly virtiofs",
            fields: {
                memoryBacking: { source: "memfd", access: "shared" },
                devices: { filesystems: [{ driver: "virtiofs", source: p.dir, target: "ro", readonly: true }] },
            },
            refused: /virtiofs does not yet support read-only mode/,
        },
        {
            label: "pci hostdevs (no such device on this host: define only)",
            fields: {
                devices: {
                    hostdevs: [
                        { address: "0000:7f:10.1", boot: 1 },
                        { address: "7e:00.0", managed: false },
                    ],
                },
            },
        },
        ...domainWatchdogSchema.shape.action.unwrap().options.map(
            (action, n): LiveCase => ({
                label: `watchdog action ${action}`,
                fields: { devices: { watchdogs: [{ model: n % 2 === 0 ? "i6300esb" : "ib700", action }] } },
            }),
        ),
        {
            label: "watchdog diag288 (s390 only)",
            fields: { devices: { watchdogs: [{ model: "diag288" }] } },
            refused: /diag288 model of watchdog is allowed for s390 and s390x only/,
        },
        {
            label: "tpm-crb 2.0 emulator (started), i6300esb watchdog",
            start: true,
            fields: {
                os: { machine: "q35" },
                devices: {
                    tpms: [{ model: "tpm-crb", version: "2.0" }],
                    watchdogs: [{ model: "i6300esb", action: "poweroff" }],
                },
            },
        },
        { label: "tpm-tis 1.2 emulator", fields: { devices: { tpms: [{ model: "tpm-tis", version: "1.2" }] } } },
        {
            label: "tpm-spapr (ppc64 only)",
            fields: { devices: { tpms: [{ model: "tpm-spapr", version: "2.0" }] } },
            refused: /does not support TPM model tpm-spapr/,
        },
        { label: "emulator path", fields: { devices: { emulator: "/usr/bin/qemu-system-x86_64" } } },
        { label: "resource-level fields", fields: { autostart: true, running: false } },
    ];
}
