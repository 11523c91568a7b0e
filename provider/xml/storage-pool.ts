/**
 * `<pool>` documents: `storagePoolToXml` writes a model, `storagePoolFromXml` reads libvirt's XML
 * back (sizes in bytes, modes with four digits); unmodelled parts are kept in `extra`.
 */
import { canonicalPath } from "../model/common";
import { keepCurrentWhereUnset } from "../model/keep-current";
import { poolTypes, type StoragePool } from "../model/storage-pool";
import { addElement, addTextElement, el, serializeTree, type XElement } from "./tree";
import { addExtra, ElementReader } from "./element-reader";
import { readPermissions, writePermissions } from "./permissions";
import { compact, intAttr, nonEmpty, sizeElement } from "./values";

type PoolSource = NonNullable<StoragePool["source"]>;
type PoolTarget = NonNullable<StoragePool["target"]>;

function readSource(reader: ElementReader): PoolSource | undefined {
    const dir = reader.child("dir");
    const format = reader.child("format");
    const source = compact({
        hosts: nonEmpty(
            reader
                .children("host")
                .map((host) =>
                    compact({ name: host.attr("name") ?? "", port: intAttr(host, "port"), extra: host.extra() }),
                ),
        ),
        devices: nonEmpty(
            reader.children("device").map((device) => {
                // Free extents of a disk pool's device are live facts, not configuration.
                device.ignoreChildren("freeExtent");
                return compact({ path: device.attr("path") ?? "", extra: device.extra() });
            }),
        ),
        dir: dir && canonicalPath(dir.attr("path") ?? ""),
        name: reader.childText("name")?.trim(),
        format: format && (format.attr("type") ?? ""),
        extra: reader.extra(),
    });
    // libvirt prints an empty <source> for pools that have none; it carries nothing.
    return Object.keys(source).length > 0 ? source : undefined;
}

function writeSource(parent: XElement, source: PoolSource): void {
    const element = addElement(parent, "source");
    for (const host of source.hosts ?? [])
        addExtra(addElement(element, "host", { name: host.name, port: host.port }), host.extra);
    for (const device of source.devices ?? [])
        addExtra(addElement(element, "device", { path: device.path }), device.extra);
    if (source.dir !== undefined) addElement(element, "dir", { path: source.dir });
    addTextElement(element, "name", source.name);
    if (source.format !== undefined) addElement(element, "format", { type: source.format });
    addExtra(element, source.extra);
}

function pathText(text: string | undefined): string | undefined {
    return text === undefined ? undefined : canonicalPath(text.trim());
}

function readTarget(reader: ElementReader): PoolTarget {
    return compact({
        path: pathText(reader.childText("path")),
        permissions: readPermissions(reader.child("permissions")),
        extra: reader.extra(),
    });
}

function writeTarget(parent: XElement, target: PoolTarget): void {
    const element = addElement(parent, "target");
    addTextElement(element, "path", target.path);
    writePermissions(element, target.permissions);
    addExtra(element, target.extra);
}

/** A logical pool without `<name>` is named after its volume group, as libvirt does. */
function poolName(name: string | undefined, type: string, source: PoolSource | undefined): string {
    if (name !== undefined && name !== "") return name;
    if (type === "logical" && source?.name !== undefined) return source.name;
    throw new Error("the <pool> has no <name>");
}

/** Reads a `<pool>` document, inactive or live, into the model. */
export function storagePoolFromXml(xml: string): StoragePool {
    const root = ElementReader.ofDocument(xml, "pool");
    const type = root.requiredAttr("type");
    if (!(poolTypes as readonly string[]).includes(type)) throw new Error(`unknown <pool type='${type}'>`);
    const source = root.child("source");
    const target = root.child("target");
    const sourceModel = source && readSource(source);
    return compact({
        name: poolName(root.childText("name")?.trim(), type, sourceModel),
        type: type as StoragePool["type"],
        uuid: root.childText("uuid")?.trim().toLowerCase(),
        capacity: sizeElement(root.child("capacity")),
        allocation: sizeElement(root.child("allocation")),
        available: sizeElement(root.child("available")),
        source: sourceModel,
        target: target && readTarget(target),
        extra: root.extra(),
    });
}

/** Writes a `<pool>` document for storagePoolDefineXML. */
export function storagePoolToXml(pool: StoragePool): string {
    const root = el("pool", { type: pool.type });
    addTextElement(root, "name", pool.name);
    addTextElement(root, "uuid", pool.uuid);
    addTextElement(root, "capacity", pool.capacity, { unit: "bytes" });
    addTextElement(root, "allocation", pool.allocation, { unit: "bytes" });
    addTextElement(root, "available", pool.available, { unit: "bytes" });
    if (pool.source !== undefined) writeSource(root, pool.source);
    if (pool.target !== undefined) writeTarget(root, pool.target);
    addExtra(root, pool.extra);
    return serializeTree(root);
}

/** The pool document to define: the model, keeping what libvirt has where the model is silent. */
export function mergeStoragePool(currentXml: string, pool: StoragePool): string {
    return storagePoolToXml(keepCurrentWhereUnset("storagePool", storagePoolFromXml(currentXml), pool));
}
