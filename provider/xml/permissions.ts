/** `<permissions>` of pool targets, volumes and backing stores: read and written the same way everywhere. */
import type { Permissions } from "../model/common";
import { addElement, addTextElement, type XElement } from "./tree";
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

/** Writes `<permissions>` under `parent` when any permission is set. */
export function writePermissions(parent: XElement, permissions: Permissions | undefined): void {
    if (permissions === undefined) return;
    const element = addElement(parent, "permissions");
    addTextElement(element, "mode", permissions.mode);
    addTextElement(element, "owner", permissions.owner);
    addTextElement(element, "group", permissions.group);
    addTextElement(element, "label", permissions.label);
}
