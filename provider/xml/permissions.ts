/** `<permissions>` of pool targets, volumes and backing stores: read and written the same way everywhere. */
import type { Permissions } from "../model/common";
import { addElement, isElement, textElement, type XElement } from "./tree";
import { type FieldPath, TreeWriter } from "./element-writer";
import type { ElementReader } from "./element-reader";
import { compact, toInteger } from "./values";

/** libvirt spells "not set" as -1 in input documents and leaves it out of its own output. */
function unsetIsUndefined(id: number | undefined): number | undefined {
    return id === -1 ? undefined : id;
}

/** Reads `<permissions>`; the mode is padded to four octal digits as libvirt prints it. */
export function readPermissions(reader: ElementReader | undefined): Permissions | undefined {
    if (reader === undefined) return undefined;
    const mode = reader.childText("mode")?.trim();
    return compact({
        mode: mode === undefined ? undefined : mode.padStart(4, "0"),
        owner: unsetIsUndefined(toInteger(reader.childText("owner"), "<permissions><owner>")),
        group: unsetIsUndefined(toInteger(reader.childText("group"), "<permissions><group>")),
        label: reader.childText("label"),
    });
}

const FIELDS = ["mode", "owner", "group", "label"] as const;

/**
 * Writes permissions onto a `<permissions>` element, each field kept or removed when unset as the
 * table says. The model describes the element wholly: nothing else on it is kept.
 */
export function writePermissionsOnto(
    node: XElement,
    permissions: Permissions,
    path: FieldPath,
    writer: TreeWriter,
): void {
    node.attrs = {};
    node.children = node.children.filter((c) => isElement(c) && (FIELDS as readonly string[]).includes(c.name));
    for (const field of FIELDS) {
        const value = permissions[field];
        const text = value === undefined ? undefined : String(value);
        writer.whole(node, field, text, [...path, field], FIELDS, (t) => textElement(field, t));
    }
}

/** Writes `<permissions>` under `parent` when any permission is set. */
export function writePermissions(parent: XElement, permissions: Permissions | undefined): void {
    if (permissions !== undefined)
        writePermissionsOnto(addElement(parent, "permissions"), permissions, [], TreeWriter.fresh);
}
