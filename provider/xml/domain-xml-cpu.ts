/** Reading and writing `<vcpu>`, `<cputune>` and `<cpu>`. */
import { isDeepStrictEqual } from "node:util";
import type { DomainCpu, DomainCputune, DomainNumaCell, DomainVcpu, DomainVcpuState } from "../model/domain-cpu";
import { canonicalCpusetOrSelf } from "../model/domain-field-types";
import { type XElement, child, children, el, ensureChild, removeChildren, setText, textOf } from "./tree";
import {
    kib,
    notModelled,
    oneOf,
    optionalOneOf,
    putAttr,
    readOrSkip,
    readInt,
    readSize,
    readSwitch,
} from "./domain-xml-support";
import { compact, compactOrUndefined, yesNo } from "./values";

const cpusetOf = (value: string | undefined) => (value === undefined ? undefined : canonicalCpusetOrSelf(value));

/** `<vcpu>` as written, `current` included when it equals the maximum. */
function readVcpuAsWritten(node: XElement | undefined): DomainVcpu {
    if (node === undefined) return { maximum: 1 };
    return compact({
        maximum: readInt(textOf(node)?.trim(), "vcpu count") ?? 1,
        current: readInt(node.attrs.current, "vcpu current"),
        placement: optionalOneOf(node.attrs.placement, ["static", "auto"], "vcpu placement"),
        cpuset: cpusetOf(node.attrs.cpuset),
    });
}

/**
 * `<vcpu>` in its canonical form: libvirt drops `current` when it equals the maximum, so a count
 * equal to the maximum reads as unset, whichever way the document spells it.
 */
export function readVcpu(node: XElement | undefined): DomainVcpu {
    const vcpu = readVcpuAsWritten(node);
    if (vcpu.current === vcpu.maximum) delete vcpu.current;
    return vcpu;
}

export function writeVcpu(node: XElement, desired: DomainVcpu, previous?: DomainVcpu): void {
    const current = readOrSkip(() => readVcpuAsWritten(node));
    if (current?.maximum !== desired.maximum) setText(node, String(desired.maximum));
    // A new maximum without a declared current count means every vCPU online, not the old count.
    const maximumChanged = current !== undefined && current.maximum !== desired.maximum;
    if (current?.current !== desired.current) {
        putAttr(node, "current", desired.current, maximumChanged ? current?.current : previous?.current);
    }
    if (current?.placement !== desired.placement) putAttr(node, "placement", desired.placement, previous?.placement);
    if (current?.cpuset !== desired.cpuset) putAttr(node, "cpuset", desired.cpuset, previous?.cpuset);
}

/** `<vcpus>`: every vCPU's state; an entry libvirt cannot be read as the model leaves the whole list out. */
export function readVcpus(node: XElement | undefined): DomainVcpuState[] | undefined {
    if (node === undefined) return undefined;
    const entries = children(node, "vcpu");
    if (entries.length === 0) return undefined;
    return entries.map((v) =>
        compact({
            id: readInt(v.attrs.id, "vcpus id") ?? notModelled("a vcpus entry without an id"),
            enabled: readSwitch(v.attrs.enabled, "vcpus enabled") ?? notModelled("a vcpus entry without enabled"),
            hotpluggable: readSwitch(v.attrs.hotpluggable, "vcpus hotpluggable"),
            order: readInt(v.attrs.order, "vcpus order"),
        }),
    );
}

export function writeVcpus(node: XElement, desired: DomainVcpuState[]): void {
    if (
        isDeepStrictEqual(
            readOrSkip(() => readVcpus(node)),
            desired,
        )
    )
        return;
    node.children = desired.map((v) =>
        el("vcpu", { id: v.id, enabled: yesNo(v.enabled), hotpluggable: yesNo(v.hotpluggable), order: v.order }),
    );
}

export function readCputune(node: XElement | undefined): DomainCputune | undefined {
    if (node === undefined) return undefined;
    const pins = children(node, "vcpupin");
    return compactOrUndefined({
        vcpupins:
            pins.length === 0
                ? undefined
                : pins.map((p) => ({
                      vcpu: readInt(p.attrs.vcpu, "vcpupin vcpu") ?? 0,
                      cpuset: canonicalCpusetOrSelf(p.attrs.cpuset ?? ""),
                  })),
        emulatorpin: cpusetOf(child(node, "emulatorpin")?.attrs.cpuset),
    });
}

const cputuneOrder = ["shares", "period", "quota", "vcpupin", "emulatorpin", "iothreadpin"];

export function writeCputune(node: XElement, desired: DomainCputune, previous?: DomainCputune): void {
    const current = readOrSkip(() => readCputune(node));
    if (desired.vcpupins !== undefined && !isDeepStrictEqual(current?.vcpupins, desired.vcpupins)) {
        const at = node.children.findIndex((c) => "name" in c && c.name === "vcpupin");
        removeChildren(node, "vcpupin");
        const pins = desired.vcpupins.map((p) => el("vcpupin", { vcpu: p.vcpu, cpuset: p.cpuset }));
        if (at >= 0) node.children.splice(at, 0, ...pins);
        else node.children.unshift(...pins);
    } else if (desired.vcpupins === undefined && previous?.vcpupins !== undefined) {
        removeChildren(node, "vcpupin");
    }
    if (desired.emulatorpin !== undefined) {
        if (current?.emulatorpin !== desired.emulatorpin) {
            ensureChild(node, "emulatorpin", cputuneOrder).attrs.cpuset = desired.emulatorpin;
        }
    } else if (previous?.emulatorpin !== undefined) {
        removeChildren(node, "emulatorpin");
    }
}

const cpuModes = ["host-model", "host-passthrough", "maximum", "custom"] as const;
const featurePolicies = ["force", "require", "optional", "disable", "forbid"] as const;

export function readCpu(node: XElement | undefined): DomainCpu | undefined {
    if (node === undefined) return undefined;
    const model = child(node, "model");
    const topology = child(node, "topology");
    const features = children(node, "feature");
    const modelName = textOf(model)?.trim();
    return compact({
        mode: optionalOneOf(node.attrs.mode, cpuModes, "cpu mode"),
        model: modelName === "" ? undefined : modelName,
        fallback: optionalOneOf(model?.attrs.fallback, ["allow", "forbid"], "cpu model fallback"),
        match: optionalOneOf(node.attrs.match, ["minimum", "exact", "strict"], "cpu match"),
        check: optionalOneOf(node.attrs.check, ["none", "partial", "full"], "cpu check"),
        migratable: readSwitch(node.attrs.migratable, "cpu migratable"),
        features:
            features.length === 0
                ? undefined
                : features.map((f) => ({
                      name: f.attrs.name ?? notModelled("cpu feature without a name"),
                      // libvirt's default policy for a feature is require.
                      policy: oneOf(f.attrs.policy ?? "require", featurePolicies, "cpu feature policy"),
                  })),
        numa: readOrSkip(() => readNuma(child(node, "numa"))),
        topology: topology
            ? compact({
                  sockets: readInt(topology.attrs.sockets, "sockets") ?? 1,
                  dies: readInt(topology.attrs.dies, "dies"),
                  cores: readInt(topology.attrs.cores, "cores") ?? 1,
                  threads: readInt(topology.attrs.threads, "threads") ?? 1,
              })
            : undefined,
    });
}

function readNumaCell(cell: XElement): DomainNumaCell {
    const distances = children(child(cell, "distances"), "sibling");
    return compact({
        id: readInt(cell.attrs.id, "numa cell id"),
        cpus: cpusetOf(cell.attrs.cpus),
        memory:
            readSize(cell.attrs.memory, cell.attrs.unit, "numa cell memory") ?? notModelled("a cell without memory"),
        memAccess: optionalOneOf(cell.attrs.memAccess, ["shared", "private"], "numa cell memAccess"),
        discard: readSwitch(cell.attrs.discard, "numa cell discard"),
        distances:
            distances.length === 0
                ? undefined
                : distances.map((d) => ({
                      id: readInt(d.attrs.id, "sibling id") ?? notModelled("a sibling without an id"),
                      value: readInt(d.attrs.value, "sibling value") ?? notModelled("a sibling without a value"),
                  })),
    });
}

/** `<numa>`: its cells; other children (interconnects) are kept in the document, not modelled. */
function readNuma(node: XElement | undefined): DomainCpu["numa"] {
    const cells = children(node, "cell");
    if (cells.length === 0) return undefined;
    // A cell holding what the model does not describe (its cache children) is not half-read.
    for (const cell of cells) {
        const other = cell.children.find((c) => "name" in c && c.name !== "distances");
        if (other) notModelled(`numa cell child <${(other as XElement).name}>`);
    }
    return { cells: cells.map(readNumaCell) };
}

function numaCellElement(cell: DomainNumaCell): XElement {
    const distances = cell.distances?.map((d) => el("sibling", { id: d.id, value: d.value }));
    return el(
        "cell",
        {
            id: cell.id,
            cpus: cell.cpus,
            memory: kib(cell.memory),
            unit: "KiB",
            memAccess: cell.memAccess,
            discard: yesNo(cell.discard),
        },
        distances ? [el("distances", {}, distances)] : [],
    );
}

function writeNuma(node: XElement, desired: DomainCpu["numa"], previous: DomainCpu["numa"]): void {
    const current = readOrSkip(() => readNuma(child(node, "numa")));
    if (desired !== undefined) {
        if (isDeepStrictEqual(current, desired)) return;
        const numa = ensureChild(node, "numa", cpuOrder);
        removeChildren(numa, "cell");
        numa.children.unshift(...desired.cells.map(numaCellElement));
    } else if (previous !== undefined) {
        removeChildren(node, "numa");
    }
}

const cpuOrder = ["model", "vendor", "topology", "cache", "maxphysaddr", "feature", "numa"];

export function writeCpu(node: XElement, desired: DomainCpu, previous?: DomainCpu): void {
    const current = readOrSkip(() => readCpu(node));
    if (current?.mode !== desired.mode) putAttr(node, "mode", desired.mode, previous?.mode);
    if (current?.match !== desired.match) putAttr(node, "match", desired.match, previous?.match);
    if (current?.check !== desired.check) putAttr(node, "check", desired.check, previous?.check);
    if (current?.migratable !== desired.migratable) {
        // libvirt adds migratable='on' to host-passthrough and maximum and refuses the attribute on
        // the other modes: a mode change away from them drops the value libvirt filled in.
        const modeTakesMigratable = desired.mode === "host-passthrough" || desired.mode === "maximum";
        putAttr(
            node,
            "migratable",
            desired.migratable === undefined ? undefined : desired.migratable ? "on" : "off",
            modeTakesMigratable ? previous?.migratable : current?.migratable,
        );
    }
    if (current?.model !== desired.model || current?.fallback !== desired.fallback) {
        if (desired.model !== undefined || desired.fallback !== undefined) {
            const model = ensureChild(node, "model", cpuOrder);
            if (desired.model !== undefined && textOf(model)?.trim() !== desired.model) setText(model, desired.model);
            putAttr(model, "fallback", desired.fallback, previous?.fallback);
        } else if (previous?.model !== undefined || desired.mode === "host-passthrough" || desired.mode === "maximum") {
            // A named model means nothing to these modes; a leftover one would contradict them.
            removeChildren(node, "model");
        }
    }
    if (desired.topology !== undefined) {
        if (!isDeepStrictEqual(current?.topology, desired.topology)) {
            const topology = ensureChild(node, "topology", cpuOrder);
            const t = desired.topology;
            topology.attrs = {};
            for (const [k, v] of Object.entries({
                sockets: t.sockets,
                dies: t.dies,
                cores: t.cores,
                threads: t.threads,
            })) {
                if (v !== undefined) topology.attrs[k] = String(v);
            }
        }
    } else if (previous?.topology !== undefined) {
        removeChildren(node, "topology");
    }
    if (desired.features !== undefined) {
        if (!isDeepStrictEqual(current?.features, desired.features)) {
            const at = node.children.findIndex((c) => "name" in c && c.name === "feature");
            removeChildren(node, "feature");
            const features = desired.features.map((f) => el("feature", { policy: f.policy, name: f.name }));
            if (at >= 0) node.children.splice(at, 0, ...features);
            else {
                const numa = node.children.findIndex((c) => "name" in c && c.name === "numa");
                node.children.splice(numa >= 0 ? numa : node.children.length, 0, ...features);
            }
        }
    } else if (previous?.features !== undefined) {
        removeChildren(node, "feature");
    }
    writeNuma(node, desired.numa, previous?.numa);
}
