/**
 * Conversions between attribute text as libvirt spells it and model values, for the readers and
 * writers of every kind (domains too: yesNo, onOff, compact). The `ElementReader` helpers throw on
 * text libvirt itself would never produce, with the attribute named; the domain readers' own rule
 * (an element they cannot express is left out of the model) lives in domain-xml-support.ts.
 */
import {
    booleanToOnOff,
    booleanToYesNo,
    canonicalIp,
    canonicalMac,
    onOffToBoolean,
    yesNoToBoolean,
} from "../model/common";
import { scaledToBytesOrThrow } from "../model/units";
import type { ElementReader } from "./element-reader";

/** A whole number as libvirt writes one (decimal, or hex with 0x), or undefined when the text is none. */
export function wholeNumber(text: string): number | undefined {
    const trimmed = text.trim();
    if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
    if (/^0x[0-9a-fA-F]+$/.test(trimmed)) return Number.parseInt(trimmed, 16);
    return undefined;
}

/** Reads a whole number (decimal, or hex with 0x as libvirt sometimes prints) or undefined. */
export function toInteger(text: string | undefined, what: string): number | undefined {
    if (text === undefined) return undefined;
    const number = wholeNumber(text);
    if (number === undefined) throw new Error(`${what}: '${text}' is not a whole number`);
    return number;
}

/** An integer attribute of the element. */
export function intAttr(reader: ElementReader, name: string): number | undefined {
    return toInteger(reader.attr(name), `<${reader.element.name} ${name}>`);
}

/** A yes/no attribute as a boolean. */
export function yesNoAttr(reader: ElementReader, name: string): boolean | undefined {
    const text = reader.attr(name);
    return text === undefined ? undefined : yesNoToBoolean(text);
}

/** An on/off attribute as a boolean. */
export function onOffAttr(reader: ElementReader, name: string): boolean | undefined {
    const text = reader.attr(name);
    return text === undefined ? undefined : onOffToBoolean(text);
}

/** An address attribute in canonical spelling (left as written when it is not an address). */
export function ipAttr(reader: ElementReader, name: string): string | undefined {
    const text = reader.attr(name);
    return text === undefined ? undefined : (canonicalIp(text.trim()) ?? text);
}

/** A MAC attribute in canonical spelling (left as written when it is not a MAC). */
export function macAttr(reader: ElementReader, name: string): string | undefined {
    const text = reader.attr(name);
    return text === undefined ? undefined : (canonicalMac(text.trim()) ?? text);
}

/** Reads a scaled size element (`<capacity unit='G'>10</capacity>`) into bytes. */
export function sizeElement(reader: ElementReader | undefined, defaultUnit = "bytes"): number | undefined {
    if (reader === undefined) return undefined;
    return scaledToBytesOrThrow(reader.text(), reader.attr("unit"), defaultUnit);
}

/** Writes a boolean as yes/no, passing undefined through. */
export function yesNo(value: boolean | undefined): "yes" | "no" | undefined {
    return value === undefined ? undefined : booleanToYesNo(value);
}

/** Writes a boolean as on/off, passing undefined through. */
export function onOff(value: boolean | undefined): "on" | "off" | undefined {
    return value === undefined ? undefined : booleanToOnOff(value);
}

/** Removes properties whose value is undefined, so read models compare equal to parsed ones. */
export function compact<T extends object>(value: T): T {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
        if (item !== undefined) result[key] = item;
    }
    return result as T;
}

/** An array, or undefined when it is empty (models leave empty lists out). */
export function nonEmpty<T>(items: T[]): T[] | undefined {
    return items.length > 0 ? items : undefined;
}

/** `compact(value)`, or undefined when no key is left (models leave empty objects out). */
export function compactOrUndefined<T extends object>(value: T): T | undefined {
    const compacted = compact(value);
    return Object.keys(compacted).length === 0 ? undefined : compacted;
}

/** The text of a document's `<name>`, which every libvirt object has. */
export function requiredName(root: ElementReader): string {
    const name = root.childText("name")?.trim();
    if (name === undefined || name === "") throw new Error(`the <${root.element.name}> has no <name>`);
    return name;
}
