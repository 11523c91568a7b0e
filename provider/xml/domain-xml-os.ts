/** Reading and writing `<os>`, `<features>` and `<clock>`. */
import { isDeepStrictEqual } from "node:util";
import {
    bootDevices,
    type DomainClock,
    type DomainFeatures,
    type DomainOs,
    type DomainTimer,
    timerNames,
} from "../model/domain-os";
import { machineMatches } from "./domain-xml-like";
import {
    type XElement,
    child,
    childText,
    children,
    el,
    ensureChild,
    insertChild,
    isElement,
    removeChildren,
} from "./tree";
import {
    notModelled,
    oneOf,
    optionalOneOf,
    putAttr,
    readOrSkip,
    putFlagElement,
    putTextElement,
    readInt,
    readSwitch,
} from "./domain-xml-support";
import { compact, onOff, yesNo } from "./values";

const osOrder = ["type", "firmware", "loader", "nvram", "kernel", "initrd", "cmdline", "boot", "bootmenu"];

export function readOs(node: XElement | undefined): DomainOs {
    if (node === undefined) return {};
    const type = child(node, "type");
    const osType = childText(node, "type")?.trim();
    if (osType !== undefined && osType !== "hvm") notModelled(`os type '${osType}'`);
    const secureBoot = children(child(node, "firmware"), "feature").find((f) => f.attrs.name === "secure-boot");
    const bootmenu = child(node, "bootmenu");
    const boots = children(node, "boot");
    const loader = childText(node, "loader")?.trim();
    return compact({
        arch: type?.attrs.arch,
        machine: type?.attrs.machine,
        firmware: optionalOneOf(node.attrs.firmware, ["bios", "efi"], "firmware"),
        secureBoot: readSwitch(secureBoot?.attrs.enabled, "secure-boot"),
        loader: loader === "" ? undefined : loader,
        boot: boots.length === 0 ? undefined : boots.map((b) => oneOf(b.attrs.dev, bootDevices, "boot device")),
        bootMenu: readSwitch(bootmenu?.attrs.enable, "bootmenu"),
        bootMenuTimeout: readInt(bootmenu?.attrs.timeout, "bootmenu timeout"),
        kernel: childText(node, "kernel"),
        initrd: childText(node, "initrd"),
        cmdline: childText(node, "cmdline"),
    });
}

export function writeOs(node: XElement, desired: DomainOs, previous?: DomainOs): void {
    const current = readOrSkip(() => readOs(node));
    const type = ensureChild(node, "type", osOrder);
    if (!childText(node, "type")?.trim()) type.children = [{ text: "hvm" }];
    if (current?.arch !== desired.arch) putAttr(type, "arch", desired.arch, previous?.arch);
    // A versioned type that expands the declared alias stays: re-resolving "q35" after a QEMU
    // upgrade would silently move the guest to a newer machine.
    const machineKept =
        desired.machine !== undefined &&
        current?.machine !== undefined &&
        machineMatches(desired.machine, current.machine);
    if (!machineKept) putAttr(type, "machine", desired.machine, previous?.machine);
    if (current?.firmware !== desired.firmware) putAttr(node, "firmware", desired.firmware, previous?.firmware);
    if (current?.secureBoot !== desired.secureBoot) {
        if (desired.secureBoot !== undefined) {
            const firmware = ensureChild(node, "firmware", osOrder);
            firmware.children = firmware.children.filter(
                (c) => !(isElement(c) && c.name === "feature" && c.attrs.name === "secure-boot"),
            );
            firmware.children.push(el("feature", { enabled: yesNo(desired.secureBoot), name: "secure-boot" }));
        } else if (previous?.secureBoot !== undefined) {
            removeChildren(node, "firmware");
        }
    }
    if (current?.loader !== desired.loader) putTextElement(node, "loader", desired.loader, previous?.loader, osOrder);
    for (const name of ["kernel", "initrd", "cmdline"] as const) {
        if (current?.[name] !== desired[name]) putTextElement(node, name, desired[name], previous?.[name], osOrder);
    }
    if (desired.boot !== undefined) {
        if (!isDeepStrictEqual(current?.boot, desired.boot)) {
            removeChildren(node, "boot");
            for (const dev of desired.boot) insertChild(node, el("boot", { dev }), osOrder);
        }
    } else if (previous?.boot !== undefined) {
        removeChildren(node, "boot");
    }
    if (current?.bootMenu !== desired.bootMenu || current?.bootMenuTimeout !== desired.bootMenuTimeout) {
        if (desired.bootMenu !== undefined || desired.bootMenuTimeout !== undefined) {
            const menu = ensureChild(node, "bootmenu", osOrder);
            menu.attrs.enable = yesNo(desired.bootMenu ?? true)!;
            putAttr(menu, "timeout", desired.bootMenuTimeout, previous?.bootMenuTimeout);
        } else if (previous?.bootMenu !== undefined || previous?.bootMenuTimeout !== undefined) {
            removeChildren(node, "bootmenu");
        }
    }
}

const hypervFlags = [
    "relaxed",
    "vapic",
    "vpindex",
    "runtime",
    "synic",
    "stimer",
    "reset",
    "frequencies",
    "reenlightenment",
    "tlbflush",
    "ipi",
    "evmcs",
] as const;
const kvmFlags = { hidden: "hidden", hintDedicated: "hint-dedicated", pollControl: "poll-control", pvIpi: "pv-ipi" };
const featureOrder = [
    "acpi",
    "apic",
    "pae",
    "hap",
    "viridian",
    "privnet",
    "hyperv",
    "kvm",
    "pvspinlock",
    "pmu",
    "vmport",
    "smm",
];

const stateOf = (parent: XElement | undefined, name: string) => readSwitch(child(parent, name)?.attrs.state, name);

export function readFeatures(node: XElement | undefined): DomainFeatures | undefined {
    if (node === undefined) return undefined;
    const hyperv = child(node, "hyperv");
    const kvm = child(node, "kvm");
    const spinlocks = child(hyperv, "spinlocks");
    const vendor = child(hyperv, "vendor_id");
    const spinlocksOn = readSwitch(spinlocks?.attrs.state, "spinlocks");
    return compact({
        // Presence elements read as true or absent; a declared false compares through domain-xml-like.
        acpi: child(node, "acpi") ? true : undefined,
        apic: child(node, "apic") ? true : undefined,
        pae: child(node, "pae") ? true : undefined,
        vmport: stateOf(node, "vmport"),
        smm: stateOf(node, "smm"),
        hyperv: hyperv
            ? compact({
                  mode: optionalOneOf(hyperv.attrs.mode, ["custom", "passthrough"], "hyperv mode"),
                  ...Object.fromEntries(hypervFlags.map((f) => [f, stateOf(hyperv, f)])),
                  spinlocks:
                      spinlocksOn === undefined
                          ? undefined
                          : spinlocksOn
                            ? (readInt(spinlocks?.attrs.retries, "spinlocks retries") ?? notModelled("spinlocks"))
                            : (false as const),
                  vendorId: readSwitch(vendor?.attrs.state, "vendor_id") ? vendor?.attrs.value : undefined,
              })
            : undefined,
        kvm: kvm
            ? compact(Object.fromEntries(Object.entries(kvmFlags).map(([key, name]) => [key, stateOf(kvm, name)])))
            : undefined,
    });
}

function putState(parent: XElement, name: string, value: boolean | undefined, previous: unknown, order: string[] = []) {
    if (value !== undefined) {
        const element = ensureChild(parent, name, order);
        if (readSwitch(element.attrs.state, name) !== value) element.attrs.state = onOff(value)!;
    } else if (previous !== undefined) {
        removeChildren(parent, name);
    }
}

export function writeFeatures(node: XElement, desired: DomainFeatures, previous?: DomainFeatures): void {
    putFlagElement(node, "acpi", desired.acpi, featureOrder, previous?.acpi);
    putFlagElement(node, "apic", desired.apic, featureOrder, previous?.apic);
    putFlagElement(node, "pae", desired.pae, featureOrder, previous?.pae);
    putState(node, "vmport", desired.vmport, previous?.vmport, featureOrder);
    putState(node, "smm", desired.smm, previous?.smm, featureOrder);
    const hv = desired.hyperv;
    if (hv !== undefined) {
        const hyperv = ensureChild(node, "hyperv", featureOrder);
        putAttr(hyperv, "mode", hv.mode, previous?.hyperv?.mode);
        for (const flag of hypervFlags) putState(hyperv, flag, hv[flag], previous?.hyperv?.[flag]);
        if (hv.spinlocks !== undefined) {
            const spin = ensureChild(hyperv, "spinlocks");
            spin.attrs = hv.spinlocks === false ? { state: "off" } : { state: "on", retries: String(hv.spinlocks) };
        } else if (previous?.hyperv?.spinlocks !== undefined) {
            removeChildren(hyperv, "spinlocks");
        }
        if (hv.vendorId !== undefined) ensureChild(hyperv, "vendor_id").attrs = { state: "on", value: hv.vendorId };
        else if (previous?.hyperv?.vendorId !== undefined) removeChildren(hyperv, "vendor_id");
    } else if (previous?.hyperv !== undefined) {
        removeChildren(node, "hyperv");
    }
    if (desired.kvm !== undefined) {
        const kvm = ensureChild(node, "kvm", featureOrder);
        for (const [key, name] of Object.entries(kvmFlags) as Array<[keyof typeof kvmFlags, string]>) {
            putState(kvm, name, desired.kvm[key], previous?.kvm?.[key]);
        }
    } else if (previous?.kvm !== undefined) {
        removeChildren(node, "kvm");
    }
}

const offsets = ["utc", "localtime", "timezone", "variable"] as const;

function readTimer(timer: XElement): DomainTimer {
    return compact({
        name: oneOf(timer.attrs.name, timerNames, "timer"),
        present: readSwitch(timer.attrs.present, "timer present"),
        tickpolicy: optionalOneOf(timer.attrs.tickpolicy, ["delay", "catchup", "merge", "discard"], "tickpolicy"),
        track: optionalOneOf(timer.attrs.track, ["boot", "guest", "wall", "realtime"], "timer track"),
    });
}

export function readClock(node: XElement | undefined): DomainClock | undefined {
    if (node === undefined) return undefined;
    const timers = children(node, "timer");
    return compact({
        offset: oneOf(node.attrs.offset, offsets, "clock offset"),
        timezone: node.attrs.timezone,
        adjustment:
            node.attrs.adjustment === "reset"
                ? notModelled("adjustment reset")
                : readInt(node.attrs.adjustment, "adjustment"),
        basis: optionalOneOf(node.attrs.basis, ["utc", "localtime"], "clock basis"),
        timers: timers.length === 0 ? undefined : timers.map(readTimer),
    });
}

export function writeClock(node: XElement, desired: DomainClock, previous?: DomainClock): void {
    node.attrs.offset = desired.offset;
    // These attributes belong to one offset each; what the model leaves out goes, or another
    // offset would be left with an attribute libvirt refuses.
    putAttr(node, "timezone", desired.timezone, previous?.timezone ?? node.attrs.timezone);
    putAttr(node, "adjustment", desired.adjustment, previous?.adjustment ?? node.attrs.adjustment);
    putAttr(node, "basis", desired.basis, previous?.basis ?? node.attrs.basis);
    if (desired.timers !== undefined) {
        const existing = children(node, "timer");
        const wanted = new Set(desired.timers.map((t) => t.name));
        node.children = node.children.filter(
            (c) => !(isElement(c) && c.name === "timer" && !wanted.has(c.attrs.name as never)),
        );
        for (const timer of desired.timers) {
            const element = existing.find((e) => e.attrs.name === timer.name) ?? el("timer", { name: timer.name });
            if (!existing.includes(element)) node.children.push(element);
            const old = previous?.timers?.find((t) => t.name === timer.name);
            putAttr(element, "present", yesNo(timer.present), old?.present);
            putAttr(element, "tickpolicy", timer.tickpolicy, old?.tickpolicy);
            putAttr(element, "track", timer.track, old?.track);
        }
    } else if (previous?.timers !== undefined) {
        removeChildren(node, "timer");
    }
}
