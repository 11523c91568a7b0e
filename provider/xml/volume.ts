/**
 * `<volume>` documents: `volumeToXml` writes a model for storageVolCreateXML, `volumeFromXml` reads
 * libvirt's XML back (every size in bytes, timestamps dropped); unmodelled parts stay in `extra`.
 * The resource-level fields (pool, preallocation, sourceImage) are not XML and are neither written nor read.
 */
import { encryptionFormats, isVolumeFormat, type Volume, volumeTypes } from "../model/volume";
import { addElement, addTextElement, children, el, serializeTree, type XElement } from "./tree";
import { ElementReader } from "./element-reader";
import { addExtra } from "./element-writer";
import { readPermissions, writePermissions } from "./permissions";
import { compact, requiredName, sizeElement } from "./values";

type VolumeTarget = NonNullable<Volume["target"]>;
type BackingStore = NonNullable<Volume["backingStore"]>;
type Encryption = NonNullable<VolumeTarget["encryption"]>;
type Features = NonNullable<VolumeTarget["features"]>;

function readFormat(reader: ElementReader | undefined): VolumeTarget["format"] {
    if (reader === undefined) return undefined;
    const type = reader.requiredAttr("type");
    if (!isVolumeFormat(type)) throw new Error(`unknown volume <format type='${type}'>`);
    return type;
}

function readEncryption(reader: ElementReader): Encryption {
    const format = reader.requiredAttr("format");
    if (!(encryptionFormats as readonly string[]).includes(format))
        throw new Error(`unknown <encryption format='${format}'>`);
    // Only a plain passphrase secret given by UUID is modelled; any other <secret> stays verbatim in extra.
    const secrets = children(reader.element, "secret");
    const only = secrets.length === 1 ? secrets[0] : undefined;
    const isPlainPassphrase =
        only !== undefined &&
        only.children.length === 0 &&
        Object.keys(only.attrs).sort().join(",") === "type,uuid" &&
        only.attrs.type === "passphrase";
    const secret = isPlainPassphrase ? reader.child("secret")?.attr("uuid")?.toLowerCase() : undefined;
    return compact({ format: format as Encryption["format"], secret, extra: reader.extra() });
}

function writeEncryption(parent: XElement, encryption: Encryption): void {
    const element = addElement(parent, "encryption", { format: encryption.format });
    if (encryption.secret !== undefined) addElement(element, "secret", { type: "passphrase", uuid: encryption.secret });
    addExtra(element, encryption.extra);
}

function readFeatures(reader: ElementReader): Features {
    return compact({
        lazyRefcounts: reader.child("lazy_refcounts") ? true : undefined,
        extendedL2: reader.child("extended_l2") ? true : undefined,
        extra: reader.extra(),
    });
}

function writeFeatures(parent: XElement, features: Features): void {
    const element = addElement(parent, "features");
    if (features.lazyRefcounts) addElement(element, "lazy_refcounts");
    if (features.extendedL2) addElement(element, "extended_l2");
    addExtra(element, features.extra);
}

function readTarget(reader: ElementReader): VolumeTarget {
    // Access and change times are live facts of the file, not configuration.
    reader.ignoreChildren("timestamps");
    const encryption = reader.child("encryption");
    const features = reader.child("features");
    return compact({
        path: reader.childText("path")?.trim(),
        format: readFormat(reader.child("format")),
        permissions: readPermissions(reader.child("permissions")),
        encryption: encryption && readEncryption(encryption),
        compat: reader.childText("compat")?.trim(),
        nocow: reader.child("nocow") ? true : undefined,
        clusterSize: sizeElement(reader.child("clusterSize")),
        features: features && readFeatures(features),
        extra: reader.extra(),
    });
}

function writeTarget(parent: XElement, target: VolumeTarget): void {
    const element = addElement(parent, "target");
    addTextElement(element, "path", target.path);
    if (target.format !== undefined) addElement(element, "format", { type: target.format });
    writePermissions(element, target.permissions);
    if (target.encryption !== undefined) writeEncryption(element, target.encryption);
    addTextElement(element, "compat", target.compat);
    if (target.nocow) addElement(element, "nocow");
    addTextElement(element, "clusterSize", target.clusterSize, { unit: "bytes" });
    if (target.features !== undefined) writeFeatures(element, target.features);
    addExtra(element, target.extra);
}

function readBackingStore(reader: ElementReader): BackingStore {
    reader.ignoreChildren("timestamps");
    return compact({
        path: reader.childText("path")?.trim(),
        format: readFormat(reader.child("format")),
        permissions: readPermissions(reader.child("permissions")),
        extra: reader.extra(),
    });
}

function writeBackingStore(parent: XElement, backing: BackingStore): void {
    if (backing.path === undefined) {
        throw new Error("the backing store refers to a volume; resolve it to a path before writing the XML");
    }
    const element = addElement(parent, "backingStore");
    addTextElement(element, "path", backing.path);
    if (backing.format !== undefined) addElement(element, "format", { type: backing.format });
    writePermissions(element, backing.permissions);
    addExtra(element, backing.extra);
}

/** `<target>` is required in the XML, so the writer always emits one; an empty one means no settings. */
function emptyToUndefined(target: VolumeTarget): VolumeTarget | undefined {
    return Object.keys(target).length > 0 ? target : undefined;
}

/** Reads a `<volume>` document into the model; `pool` is filled in when the caller knows it. */
export function volumeFromXml(xml: string, pool?: string): Volume {
    const root = ElementReader.ofDocument(xml, "volume");
    const type = root.attr("type");
    if (type !== undefined && !(volumeTypes as readonly string[]).includes(type))
        throw new Error(`unknown <volume type='${type}'>`);
    // An empty <source> says nothing; one with devices and extents is kept verbatim in extra.
    root.ignoreEmptyChildren("source");
    const target = root.child("target");
    const backing = root.child("backingStore");
    return compact({
        name: requiredName(root),
        pool,
        type: type as Volume["type"],
        key: root.childText("key")?.trim(),
        capacity: sizeElement(root.child("capacity")),
        allocation: sizeElement(root.child("allocation")),
        physical: sizeElement(root.child("physical")),
        target: target && emptyToUndefined(readTarget(target)),
        backingStore: backing && readBackingStore(backing),
        extra: root.extra(),
    });
}

/** Writes a `<volume>` document for storageVolCreateXML. */
export function volumeToXml(volume: Volume): string {
    const root = el("volume", { type: volume.type });
    addTextElement(root, "name", volume.name);
    addTextElement(root, "key", volume.key);
    addTextElement(root, "capacity", volume.capacity, { unit: "bytes" });
    const allocation =
        volume.allocation ??
        (volume.preallocation === "full" && volume.capacity !== undefined ? volume.capacity : undefined);
    addTextElement(root, "allocation", allocation, { unit: "bytes" });
    addTextElement(root, "physical", volume.physical, { unit: "bytes" });
    writeTarget(root, volume.target ?? {});
    if (volume.backingStore !== undefined) writeBackingStore(root, volume.backingStore);
    addExtra(root, volume.extra);
    return serializeTree(root);
}
