/**
 * Small pieces every domain element reader and writer uses: reading libvirt's spellings
 * (yes/no, on/off, numbers, sizes with units) and writing a field only when the model manages it.
 *
 * The writing rule, shared by all writers: a value in the model is written; a value the model
 * leaves out is left as the document has it, unless the previously applied model had set it, in
 * which case it is removed. That is what lets a merge change only what the model manages.
 */
import { scaledToBytes } from "../model/units";
import { wholeNumber } from "./values";
import { type XElement, child, ensureChild, removeChildren, setAttr, setText, textOf } from "./tree";

/**
 * Thrown by a reader when an element holds something the model cannot express. The element is
 * then left out of the model and kept verbatim in the document, rather than half-read.
 */
export class NotModelled extends Error {}

export function notModelled(what: string): never {
    throw new NotModelled(what);
}

/** The value if it is one of `allowed`; otherwise the element is not modelled. */
export function oneOf<const T extends string>(value: string | undefined, allowed: readonly T[], what: string): T {
    if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
    return notModelled(`${what} '${value}'`);
}

export function optionalOneOf<const T extends string>(
    value: string | undefined,
    allowed: readonly T[],
    what: string,
): T | undefined {
    return value === undefined ? undefined : oneOf(value, allowed, what);
}

/** Reads yes/no (or on/off) as a boolean; anything else is not modelled. */
export function readSwitch(value: string | undefined, what: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (value === "yes" || value === "on") return true;
    if (value === "no" || value === "off") return false;
    return notModelled(`${what} '${value}'`);
}

/** A decimal or 0x-prefixed whole number as libvirt writes it. */
export function readInt(value: string | undefined, what: string): number | undefined {
    if (value === undefined) return undefined;
    return wholeNumber(value) ?? notModelled(`${what} '${value}'`);
}

/** A size element or attribute pair such as `<memory unit='KiB'>524288</memory>`, in bytes. */
export function readSize(value: string | undefined, unit: string | undefined, what: string, defaultUnit = "KiB") {
    if (value === undefined) return undefined;
    const result = scaledToBytes(value, unit, defaultUnit);
    return result.ok ? result.bytes : notModelled(`${what}: ${result.reason}`);
}

export function readSizeElement(element: XElement | undefined, what: string): number | undefined {
    if (element === undefined) return undefined;
    return readSize(textOf(element)?.trim(), element.attrs.unit, what);
}

/** KiB is libvirt's own unit for domain sizes; the model only holds whole KiB. */
export function kib(bytes: number): number {
    return Math.floor(bytes / 1024);
}

/** Sets an attribute under the shared writing rule (see the file comment). */
export function putAttr(node: XElement, name: string, value: string | number | undefined, previous: unknown): void {
    if (value !== undefined) setAttr(node, name, value);
    else if (previous !== undefined) setAttr(node, name, undefined);
}

/**
 * A presence element such as `<acpi/>`: true adds it, false removes it, undefined keeps it, unless
 * the previous model had set it (then it goes, as any dropped field).
 */
export function putFlagElement(
    parent: XElement,
    name: string,
    value: boolean | undefined,
    order: readonly string[],
    previous?: boolean,
) {
    const wanted = value ?? (previous === undefined ? undefined : false);
    if (wanted === true) ensureChild(parent, name, order);
    else if (wanted === false) removeChildren(parent, name);
}

/** A text element such as `<title>`: written, removed when the previous model had it, else kept. */
export function putTextElement(
    parent: XElement,
    name: string,
    value: string | undefined,
    previous: unknown,
    order: readonly string[],
): void {
    if (value !== undefined) {
        const element = ensureChild(parent, name, order);
        if (textOf(element) !== value) setText(element, value);
    } else if (previous !== undefined) {
        removeChildren(parent, name);
    }
}

/** A size element in KiB, rewritten only when its value in bytes changes (so libvirt's unit stays). */
export function putSizeElement(
    parent: XElement,
    name: string,
    bytes: number | undefined,
    previous: unknown,
    order: readonly string[],
): XElement | undefined {
    if (bytes === undefined) {
        if (previous !== undefined) removeChildren(parent, name);
        return child(parent, name);
    }
    const element = ensureChild(parent, name, order);
    let current: number | undefined;
    try {
        current = readSizeElement(element, name);
    } catch {
        current = undefined;
    }
    if (current !== bytes) {
        setAttr(element, "unit", "KiB");
        setText(element, String(kib(bytes)));
    }
    return element;
}

/** Runs a reader; an element it cannot model comes back as undefined. */
export function readOrSkip<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (error) {
        if (error instanceof NotModelled) return undefined;
        throw error;
    }
}
