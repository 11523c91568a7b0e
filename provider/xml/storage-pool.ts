/**
 * `<pool>` documents: `storagePoolFromXml` reads libvirt's XML (sizes in bytes, modes with four
 * digits), with what the model does not describe in each element's `extra`; one writer writes a
 * model onto a tree: an empty one (`storagePoolToXml`) or the document libvirt holds
 * (`mergeStoragePool`, for a redefine), where whatever the model leaves out survives as the policy
 * table says (element-writer.ts).
 */
import { changePolicyTables } from "../model/change-policy";
import { canonicalPath } from "../model/common";
import { poolTypes, type StoragePool } from "../model/storage-pool";
import { el, parseTree, removeChildren, serializeTree, textElement, type XElement } from "./tree";
import { ElementReader } from "./element-reader";
import { type ElementShape, type FieldPath, TreeWriter } from "./element-writer";
import { readPermissions, writePermissionsOnto } from "./permissions";
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

type SourceHost = NonNullable<PoolSource["hosts"]>[number];
type SourceDevice = NonNullable<PoolSource["devices"]>[number];
const HOST_SHAPE: ElementShape = { attributes: ["name", "port"], children: [] };
// Free extents of a disk pool's device are live facts: the reader skips them, so they are not kept.
const DEVICE_SHAPE: ElementShape = { attributes: ["path"], children: ["freeExtent"] };
const SOURCE_SHAPE: ElementShape = { attributes: [], children: ["host", "device", "dir", "name", "format"] };

function writeSourceHost(node: XElement, host: SourceHost, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "name", host.name, [...path, "name"]);
    writer.attr(node, "port", host.port, [...path, "port"]);
    writer.extra(node, host.extra, [...path, "extra"], HOST_SHAPE);
}

function writeSourceDevice(node: XElement, device: SourceDevice, path: FieldPath, writer: TreeWriter): void {
    writer.attr(node, "path", device.path, [...path, "path"]);
    removeChildren(node, "freeExtent");
    writer.extra(node, device.extra, [...path, "extra"], DEVICE_SHAPE);
}

function writeSource(node: XElement, source: PoolSource, path: FieldPath, writer: TreeWriter): void {
    const order = SOURCE_SHAPE.children;
    writer.list(node, "host", source.hosts, [...path, "hosts"], order, writeSourceHost);
    writer.list(node, "device", source.devices, [...path, "devices"], order, writeSourceDevice);
    writer.whole(node, "dir", source.dir, [...path, "dir"], order, (dir) => el("dir", { path: dir }));
    writer.whole(node, "name", source.name, [...path, "name"], order, (name) => textElement("name", name));
    writer.whole(node, "format", source.format, [...path, "format"], order, (type) => el("format", { type }));
    writer.extra(node, source.extra, [...path, "extra"], SOURCE_SHAPE);
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

const TARGET_SHAPE: ElementShape = { attributes: [], children: ["path", "permissions"] };

function writeTarget(node: XElement, target: PoolTarget, path: FieldPath, writer: TreeWriter): void {
    const order = TARGET_SHAPE.children;
    writer.whole(node, "path", target.path, [...path, "path"], order, (text) => textElement("path", text));
    writer.element(node, "permissions", target.permissions, [...path, "permissions"], order, writePermissionsOnto);
    writer.extra(node, target.extra, [...path, "extra"], TARGET_SHAPE);
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

/** The order of the `<pool>` elements the model writes (a new document's order), used to place new ones. */
const POOL_ORDER = ["name", "uuid", "capacity", "allocation", "available", "source", "target"];
const POOL_SHAPE: ElementShape = { attributes: ["type"], children: POOL_ORDER };

/** Writes a pool model onto a `<pool>` tree (see element-writer.ts for what survives). */
function writeStoragePool(root: XElement, pool: StoragePool, writer: TreeWriter): void {
    root.attrs.type = pool.type;
    const order = POOL_ORDER;
    const text = (name: string) => (value: string) => textElement(name, value);
    const size = (name: string) => (bytes: number) => textElement(name, String(bytes), { unit: "bytes" });
    writer.whole(root, "name", pool.name, ["name"], order, text("name"));
    writer.whole(root, "uuid", pool.uuid, ["uuid"], order, text("uuid"));
    writer.whole(root, "capacity", pool.capacity, ["capacity"], order, size("capacity"));
    writer.whole(root, "allocation", pool.allocation, ["allocation"], order, size("allocation"));
    writer.whole(root, "available", pool.available, ["available"], order, size("available"));
    writer.element(root, "source", pool.source, ["source"], order, writeSource);
    writer.element(root, "target", pool.target, ["target"], order, writeTarget);
    writer.extra(root, pool.extra, ["extra"], POOL_SHAPE);
}

/** Writes a new `<pool>` document for storagePoolDefineXML. */
export function storagePoolToXml(pool: StoragePool): string {
    const root = el("pool");
    writeStoragePool(root, pool, TreeWriter.fresh);
    return serializeTree(root);
}

/**
 * The pool document to define: libvirt's current document with the model written onto it. What
 * the model does not cover is never touched; what it leaves unset stays as libvirt has it where
 * the policy table says so (UUID, source name and format, target path and permissions, extras).
 */
export function mergeStoragePool(currentXml: string, pool: StoragePool): string {
    const root = parseTree(currentXml, "pool");
    writeStoragePool(root, pool, new TreeWriter(changePolicyTables.storagePool));
    return serializeTree(root);
}
