/**
 * Reading a document of the kinds whose unmodelled parts live in the model's `extra` (networks and
 * their records, pools, volumes, snapshots): `ElementReader` walks the element tree of tree.ts while
 * remembering which attributes and children were used, so whatever the model does not cover ends
 * up in an `Extra`, which users see and may declare (element-writer.ts writes it).
 *
 * These readers see values as the documents' text without surrounding white space (libvirt's
 * output has none inside values; hand-written documents may).
 */
import type { Extra, OpaqueElement, OpaqueNode } from "../model/opaque";
import { isElement, parseTree, textOf, type XElement, type XNode } from "./tree";

/** Converts a parsed element into the opaque form stored in models (comments are not kept). */
export function toOpaque(element: XElement): OpaqueElement {
    const opaque: OpaqueElement = { name: element.name };
    const attributes = Object.entries(element.attrs).map(([name, value]) => [name, value.trim()]);
    if (attributes.length > 0) opaque.attributes = Object.fromEntries(attributes);
    const children = element.children
        .map((child: XNode): OpaqueNode | undefined => {
            if (isElement(child)) return toOpaque(child);
            if ("comment" in child) return undefined;
            const text = ("text" in child ? child.text : child.cdata).trim();
            return text === "" ? undefined : { text };
        })
        .filter((child): child is OpaqueNode => child !== undefined);
    if (children.length > 0) opaque.children = children;
    return opaque;
}

/**
 * Walks one element for a reader. Every attribute or child the reader asks for is marked as used;
 * `extra()` returns the rest, so nothing the model skips is lost.
 */
export class ElementReader {
    private readonly usedAttributes = new Set<string>();
    private readonly usedChildren = new Set<XElement>();

    constructor(readonly element: XElement) {}

    /** Parses a document and opens a reader on its root, checking the root's name. */
    static ofDocument(xml: string, rootName: string): ElementReader {
        return new ElementReader(parseTree(xml, rootName));
    }

    /** An attribute's value as written (trimmed), marking it used. */
    attr(name: string): string | undefined {
        this.usedAttributes.add(name);
        return this.element.attrs[name]?.trim();
    }

    /** An attribute that must be present. */
    requiredAttr(name: string): string {
        const value = this.attr(name);
        if (value === undefined) throw new Error(`<${this.element.name}> lacks its '${name}' attribute`);
        return value;
    }

    /** Marks attributes as handled without reading them (runtime-only values such as live counters). */
    ignoreAttrs(...names: string[]): void {
        for (const name of names) this.usedAttributes.add(name);
    }

    /** The first child element of that name, marking it used. */
    child(name: string): ElementReader | undefined {
        const found = this.element.children.find((child): child is XElement => isElement(child) && child.name === name);
        if (found === undefined) return undefined;
        this.usedChildren.add(found);
        return new ElementReader(found);
    }

    /** Every child element of that name, in order, marking them used. */
    children(name: string): ElementReader[] {
        const found = this.element.children.filter(
            (child): child is XElement => isElement(child) && child.name === name,
        );
        for (const child of found) this.usedChildren.add(child);
        return found.map((child) => new ElementReader(child));
    }

    /** Marks child elements as handled without reading them. */
    ignoreChildren(...names: string[]): void {
        for (const child of this.element.children) {
            if (isElement(child) && names.includes(child.name)) this.usedChildren.add(child);
        }
    }

    /** Marks child elements of that name as handled when they carry nothing (no attributes, no children). */
    ignoreEmptyChildren(name: string): void {
        for (const child of this.element.children) {
            if (isElement(child) && child.name === name && toOpaque(child).children === undefined) {
                if (Object.keys(child.attrs).length === 0) this.usedChildren.add(child);
            }
        }
    }

    /** Text of the first child of that name, marking it used. */
    childText(name: string): string | undefined {
        const child = this.child(name);
        return child === undefined ? undefined : child.text();
    }

    /** This element's own character data, trimmed. */
    text(): string {
        return (textOf(this.element) ?? "").trim();
    }

    /** Whatever attributes and child elements were not read, or undefined when everything was. */
    extra(): Extra | undefined {
        const attributes: Record<string, string> = {};
        for (const [name, value] of Object.entries(this.element.attrs)) {
            if (!this.usedAttributes.has(name)) attributes[name] = value.trim();
        }
        const elements = this.element.children
            .filter((child): child is XElement => isElement(child) && !this.usedChildren.has(child))
            .map(toOpaque);
        const extra: Extra = {};
        if (Object.keys(attributes).length > 0) extra.attributes = attributes;
        if (elements.length > 0) extra.elements = elements;
        return extra.attributes || extra.elements ? extra : undefined;
    }
}
