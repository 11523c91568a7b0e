/**
 * `<domainsnapshot>` documents: `snapshotToXml` writes a model (what DOMAIN_SNAPSHOT_CREATE_XML
 * takes), `snapshotFromXml` reads libvirt's description back (the domain definition libvirt
 * records inside a snapshot lands in `extra`), and a redefine writes its one change onto libvirt's
 * own description (`withSnapshotDescription`), like every other redefine.
 */
import { canonicalPath } from "../model/common";
import {
    type DomainSnapshotDocument,
    type SnapshotDisk,
    type SnapshotMemory,
    snapshotModes,
    snapshotStates,
} from "../model/snapshot";
import {
    addElement,
    addTextElement,
    child,
    el,
    isElement,
    parseTree,
    replaceChild,
    serializeTree,
    textElement,
    type XElement,
} from "./tree";
import { ElementReader } from "./element-reader";
import { addExtra } from "./element-writer";
import { compact, nonEmpty, requiredName, toInteger } from "./values";

function oneOf<T extends string>(values: readonly T[], text: string | undefined, what: string): T | undefined {
    if (text === undefined) return undefined;
    if (!(values as readonly string[]).includes(text)) throw new Error(`unknown ${what} '${text}'`);
    return text as T;
}

/**
 * An element read only when it holds nothing but the named attributes (an overlay's `<driver
 * type>`, `<source file>`); anything richer stays unread, so it lands in the parent's `extra`.
 */
function simpleChild(reader: ElementReader, name: string, attributes: readonly string[]): ElementReader | undefined {
    const found = child(reader.element, name);
    if (found === undefined) return undefined;
    if (found.children.some(isElement)) return undefined;
    if (Object.keys(found.attrs).some((attribute) => !attributes.includes(attribute))) return undefined;
    return reader.child(name);
}

function readDisk(reader: ElementReader): SnapshotDisk {
    const type = reader.attr("type");
    const driver = simpleChild(reader, "driver", ["type"]);
    const source = simpleChild(reader, "source", ["file", "dev"]);
    const path = source?.attr("file") ?? source?.attr("dev");
    return compact({
        name: reader.requiredAttr("name"),
        snapshot: oneOf(snapshotModes, reader.attr("snapshot"), "<disk snapshot>"),
        type: oneOf(["file", "block"] as const, type, "<disk type>"),
        driverType: driver?.attr("type"),
        source: path === undefined ? undefined : canonicalPath(path),
        extra: reader.extra(),
    });
}

function writeDisk(parent: XElement, disk: SnapshotDisk): void {
    const element = addElement(parent, "disk", { name: disk.name, snapshot: disk.snapshot, type: disk.type });
    if (disk.driverType !== undefined) addElement(element, "driver", { type: disk.driverType });
    if (disk.source !== undefined) {
        addElement(element, "source", disk.type === "block" ? { dev: disk.source } : { file: disk.source });
    }
    addExtra(element, disk.extra);
}

function readMemory(reader: ElementReader): SnapshotMemory {
    const file = reader.attr("file");
    return compact({
        snapshot: oneOf(["no", "internal", "external"] as const, reader.attr("snapshot"), "<memory snapshot>"),
        file: file === undefined ? undefined : canonicalPath(file),
    });
}

/** Reads a `<domainsnapshot>` document as libvirt describes a snapshot (or as written for a create). */
export function snapshotFromXml(xml: string): DomainSnapshotDocument {
    const root = ElementReader.ofDocument(xml, "domainsnapshot");
    const parent = root.child("parent");
    const memory = root.child("memory");
    const disks = root.child("disks");
    return compact({
        name: requiredName(root),
        description: root.childText("description"),
        state: oneOf(snapshotStates, root.childText("state")?.trim(), "<state>"),
        creationTime: toInteger(root.childText("creationTime"), "<creationTime>"),
        parent: parent?.childText("name")?.trim(),
        memory: memory && readMemory(memory),
        disks: disks && nonEmpty(disks.children("disk").map(readDisk)),
        extra: root.extra(),
    });
}

/**
 * Writes a new `<domainsnapshot>` document: for a create, only what the caller decides (name,
 * description, memory, disks).
 */
export function snapshotToXml(snapshot: DomainSnapshotDocument): string {
    const root = el("domainsnapshot");
    addTextElement(root, "name", snapshot.name);
    addTextElement(root, "description", snapshot.description);
    addTextElement(root, "state", snapshot.state);
    addTextElement(root, "creationTime", snapshot.creationTime);
    if (snapshot.parent !== undefined) addTextElement(addElement(root, "parent"), "name", snapshot.parent);
    if (snapshot.memory !== undefined) {
        addElement(root, "memory", { snapshot: snapshot.memory.snapshot, file: snapshot.memory.file });
    }
    if (snapshot.disks !== undefined) {
        const disks = addElement(root, "disks");
        for (const disk of snapshot.disks) writeDisk(disks, disk);
    }
    addExtra(root, snapshot.extra);
    return serializeTree(root);
}

/**
 * libvirt's description of a snapshot (`xml`, as it described it) with `<description>` set, or
 * removed when undefined, for a redefine: written onto libvirt's own document, so everything else
 * it holds (the domain definition, the disks, the creation time) goes back untouched.
 */
export function withSnapshotDescription(xml: string, description: string | undefined): string {
    const root = parseTree(xml, "domainsnapshot");
    const element = description === undefined ? undefined : textElement("description", description);
    replaceChild(root, "description", element, ["name", "description"]);
    return serializeTree(root);
}
