/** Reading and writing `<memballoon>`, `<rng>`, `<filesystem>`, `<hostdev>`, `<watchdog>` and `<tpm>`. */
import type {
    DomainFilesystem,
    DomainHostdev,
    DomainMemballoon,
    DomainRng,
    DomainTpm,
    DomainWatchdog,
} from "../model/domain-devices-misc";
import { type XElement, child, childText, el, ensureChild, replaceChild } from "./tree";
import type { DeviceCodec } from "./domain-xml-device-list";
import { notModelled, oneOf, optionalOneOf, putAttr, putFlagElement, readInt, readSwitch } from "./domain-xml-support";
import { compact, onOff, yesNo } from "./values";

const balloonModels = ["virtio", "virtio-transitional", "virtio-non-transitional", "none"] as const;

export function readMemballoon(node: XElement): DomainMemballoon {
    return compact({
        model: oneOf(node.attrs.model, balloonModels, "memballoon model"),
        autodeflate: readSwitch(node.attrs.autodeflate, "autodeflate"),
        freePageReporting: readSwitch(node.attrs.freePageReporting, "freePageReporting"),
        statsPeriod: readInt(child(node, "stats")?.attrs.period, "stats period"),
    });
}

export function writeMemballoon(node: XElement, desired: DomainMemballoon, previous: DomainMemballoon | undefined) {
    if (node.attrs.model !== desired.model && desired.model === "none") {
        // Without a balloon there is nothing for an address or stats to refer to.
        node.children = [];
        node.attrs = {};
    }
    node.attrs.model = desired.model;
    putAttr(node, "autodeflate", onOff(desired.autodeflate), previous?.autodeflate);
    putAttr(node, "freePageReporting", onOff(desired.freePageReporting), previous?.freePageReporting);
    if (desired.statsPeriod !== undefined) ensureChild(node, "stats").attrs.period = String(desired.statsPeriod);
    else if (previous?.statsPeriod !== undefined) replaceChild(node, "stats", undefined);
}

const rngModels = ["virtio", "virtio-transitional", "virtio-non-transitional"] as const;
const randomSources = ["/dev/urandom", "/dev/random", "/dev/hwrng"] as const;

export const rngCodec: DeviceCodec<DomainRng> = {
    tag: "rng",
    read: (node) => {
        const backend = child(node, "backend") ?? notModelled("rng without backend");
        const rate = child(node, "rate");
        let source: DomainRng["backend"];
        if (backend.attrs.model === "builtin") source = "builtin";
        else if (backend.attrs.model === "random") {
            // An empty random backend means libvirt's default device, /dev/urandom.
            const text = backend.children.find((c) => "text" in c) as { text: string } | undefined;
            source = oneOf(text?.text.trim() || "/dev/urandom", randomSources, "rng source");
        } else source = notModelled(`rng backend '${backend.attrs.model}'`);
        return compact({
            model: oneOf(node.attrs.model, rngModels, "rng model"),
            backend: source,
            rateBytes: readInt(rate?.attrs.bytes, "rate bytes"),
            ratePeriod: readInt(rate?.attrs.period, "rate period"),
        });
    },
    write: (node, desired, previous) => {
        node.attrs.model = desired.model;
        const backend =
            desired.backend === "builtin"
                ? el("backend", { model: "builtin" })
                : el("backend", { model: "random" }, [{ text: desired.backend }]);
        const current = child(node, "backend");
        const same =
            current?.attrs.model === backend.attrs.model &&
            (desired.backend === "builtin" || childText(node, "backend")?.trim() === desired.backend);
        if (!same) replaceChild(node, "backend", backend, ["rate", "backend"]);
        if (desired.rateBytes !== undefined || desired.ratePeriod !== undefined) {
            const rate = ensureChild(node, "rate", ["rate", "backend"]);
            putAttr(rate, "bytes", desired.rateBytes, previous?.rateBytes);
            putAttr(rate, "period", desired.ratePeriod, previous?.ratePeriod);
        } else if (previous?.rateBytes !== undefined || previous?.ratePeriod !== undefined) {
            replaceChild(node, "rate", undefined);
        }
    },
};

const fsOrder = ["driver", "binary", "source", "target", "readonly"];

export const filesystemCodec: DeviceCodec<DomainFilesystem> = {
    tag: "filesystem",
    read: (node) => {
        if ((node.attrs.type ?? "mount") !== "mount") notModelled(`filesystem type '${node.attrs.type}'`);
        const source = child(node, "source")?.attrs.dir ?? notModelled("filesystem without source dir");
        return compact({
            driver: oneOf(child(node, "driver")?.attrs.type ?? "path", ["virtiofs", "path"], "filesystem driver"),
            source,
            target: child(node, "target")?.attrs.dir ?? notModelled("filesystem without target"),
            readonly: child(node, "readonly") ? true : undefined,
            accessmode: optionalOneOf(node.attrs.accessmode, ["passthrough", "mapped", "squash"], "accessmode"),
        });
    },
    write: (node, desired, previous) => {
        node.attrs.type ??= "mount";
        putAttr(node, "accessmode", desired.accessmode, previous?.accessmode);
        const driver = ensureChild(node, "driver", fsOrder);
        if (driver.attrs.type !== desired.driver) driver.attrs = { type: desired.driver };
        ensureChild(node, "source", fsOrder).attrs.dir = desired.source;
        ensureChild(node, "target", fsOrder).attrs.dir = desired.target;
        putFlagElement(node, "readonly", desired.readonly, fsOrder, previous?.readonly);
    },
    key: (fs) => fs.target,
};

function readPciAddress(address: XElement | undefined): string {
    if (address === undefined) return notModelled("hostdev without address");
    const part = (name: string, width: number) => {
        const value = readInt(address.attrs[name], name) ?? (name === "domain" ? 0 : notModelled(`address ${name}`));
        return value.toString(16).padStart(width, "0");
    };
    return `${part("domain", 4)}:${part("bus", 2)}:${part("slot", 2)}.${readInt(address.attrs.function, "function") ?? 0}`;
}

function pciAddressElement(address: string): XElement {
    const [domain, bus, rest] = address.split(":") as [string, string, string];
    const [slot, fn] = rest.split(".") as [string, string];
    return el("address", { domain: `0x${domain}`, bus: `0x${bus}`, slot: `0x${slot}`, function: `0x${fn}` });
}

export const hostdevCodec: DeviceCodec<DomainHostdev> = {
    tag: "hostdev",
    read: (node) => {
        if (node.attrs.mode !== "subsystem" || node.attrs.type !== "pci") notModelled("hostdev that is not PCI");
        return compact({
            address: readPciAddress(child(child(node, "source"), "address")),
            managed: readSwitch(node.attrs.managed, "managed") ?? false,
            boot: readInt(child(node, "boot")?.attrs.order, "boot order"),
        });
    },
    write: (node, desired, previous) => {
        node.attrs.mode = "subsystem";
        node.attrs.type = "pci";
        node.attrs.managed = yesNo(desired.managed)!;
        const source = ensureChild(node, "source", ["driver", "source", "boot"]);
        let current: string | undefined;
        try {
            current = readPciAddress(child(source, "address"));
        } catch {
            current = undefined;
        }
        if (current !== desired.address) replaceChild(source, "address", pciAddressElement(desired.address));
        if (desired.boot !== undefined)
            ensureChild(node, "boot", ["driver", "source", "boot"]).attrs.order = String(desired.boot);
        else if (previous?.boot !== undefined) replaceChild(node, "boot", undefined);
    },
    key: (hostdev) => hostdev.address,
};

export const watchdogCodec: DeviceCodec<DomainWatchdog> = {
    tag: "watchdog",
    read: (node) =>
        compact({
            model: oneOf(node.attrs.model, ["i6300esb", "ib700", "diag288"], "watchdog model"),
            action: optionalOneOf(
                node.attrs.action,
                ["reset", "shutdown", "poweroff", "pause", "none", "dump", "inject-nmi"],
                "watchdog action",
            ),
        }),
    write: (node, desired, previous) => {
        node.attrs.model = desired.model;
        putAttr(node, "action", desired.action, previous?.action);
    },
};

export const tpmCodec: DeviceCodec<DomainTpm> = {
    tag: "tpm",
    read: (node) => {
        const backend = child(node, "backend");
        if (backend?.attrs.type !== "emulator") notModelled(`tpm backend '${backend?.attrs.type}'`);
        return compact({
            model: optionalOneOf(node.attrs.model, ["tpm-tis", "tpm-crb", "tpm-spapr"], "tpm model"),
            version: optionalOneOf(backend?.attrs.version, ["1.2", "2.0"], "tpm version"),
        });
    },
    write: (node, desired, previous) => {
        putAttr(node, "model", desired.model, previous?.model);
        const backend = ensureChild(node, "backend");
        backend.attrs.type = "emulator";
        putAttr(backend, "version", desired.version, previous?.version);
    },
};
