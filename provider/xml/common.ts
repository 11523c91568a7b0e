/**
 * The one place that configures XML parsing (fast-xml-parser) and writing (xmlbuilder2).
 *
 * Reading: `parseXmlElement` returns an ordered element tree (nothing is lost, order kept), and
 * `ElementReader` walks it while remembering which attributes and children were used, so whatever
 * the model does not cover ends up in an `Extra` and is written back. `createObjectParser` is the
 * plain-object mode for callers that prefer it; it needs the list of element paths that repeat.
 *
 * Writing: the helpers below only call xmlbuilder2, which escapes every attribute and text; XML is
 * never assembled from strings.
 */
import { XMLParser, type X2jOptions } from "fast-xml-parser";
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";
import type { Extra, OpaqueElement, OpaqueNode } from "../model/opaque";

export type { XMLBuilder } from "xmlbuilder2/lib/interfaces";

/** Prefix fast-xml-parser puts before attribute names. */
export const ATTRIBUTE_PREFIX = "@_";
/** Key under which fast-xml-parser puts text content. */
export const TEXT_KEY = "#text";

/** Options every parser shares: values stay strings exactly as libvirt spelled them. */
const BASE_OPTIONS: Partial<X2jOptions> = {
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    textNodeName: TEXT_KEY,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: true,
    // Only XML's five named entities, plus numeric references (&#10;), which libvirt emits for
    // control characters; passing the table also switches numeric decoding on.
    htmlEntities: { amp: "&", apos: "'", gt: ">", lt: "<", quot: '"' } as unknown as boolean,
    removeNSPrefix: false,
};

/**
 * A plain-object parser for one document kind. `repeatedPaths` lists, as dotted paths from the root
 * ("network.ip.dhcp.host"), every element that may occur more than once; those are always arrays
 * and every other element is always a single object, whatever one document happens to contain.
 */
export function createObjectParser(repeatedPaths: readonly string[]): XMLParser {
    const repeated = new Set(repeatedPaths);
    return new XMLParser({
        ...BASE_OPTIONS,
        isArray: (_name, jpath) => repeated.has(String(jpath)),
    });
}

/** A parsed element: attributes by name, children (elements and text) in document order. */
export interface XmlElement {
    name: string;
    attributes: Record<string, string>;
    children: XmlChild[];
}

/** A child of a parsed element. */
export type XmlChild = XmlElement | { text: string };

/** True when a child is an element. */
export function isXmlElement(child: XmlChild): child is XmlElement {
    return "name" in child;
}

const orderedParser = new XMLParser({ ...BASE_OPTIONS, preserveOrder: true });

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

function fromOrdered(node: OrderedNode): XmlChild | undefined {
    const name = Object.keys(node).find((key) => key !== ":@");
    if (name === undefined) return undefined;
    if (name === TEXT_KEY) return { text: String(node[name]) };
    if (name.startsWith("?") || name.startsWith("!")) return undefined;
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(node[":@"] ?? {})) {
        attributes[key.slice(ATTRIBUTE_PREFIX.length)] = String(value);
    }
    const children = ((node[name] as OrderedNode[] | undefined) ?? [])
        .map(fromOrdered)
        .filter((child): child is XmlChild => child !== undefined);
    return { name, attributes, children };
}

/** Parses a document (or fragment) and returns its root element, keeping order and all content. */
export function parseXmlElement(xml: string): XmlElement {
    const nodes = orderedParser.parse(xml) as OrderedNode[];
    const elements = nodes
        .map(fromOrdered)
        .filter((node): node is XmlElement => node !== undefined && isXmlElement(node));
    if (elements.length !== 1) throw new Error(`expected one root element, found ${elements.length}`);
    return elements[0]!;
}

/** Concatenated text of an element's direct text children. */
export function textOf(element: XmlElement): string {
    return element.children
        .filter((child): child is { text: string } => !isXmlElement(child))
        .map((child) => child.text)
        .join("");
}

/** Converts a parsed element into the opaque form stored in models. */
export function toOpaque(element: XmlElement): OpaqueElement {
    const opaque: OpaqueElement = { name: element.name };
    if (Object.keys(element.attributes).length > 0) opaque.attributes = { ...element.attributes };
    if (element.children.length > 0) {
        opaque.children = element.children.map(
            (child): OpaqueNode => (isXmlElement(child) ? toOpaque(child) : { text: child.text }),
        );
    }
    return opaque;
}

/**
 * Walks one element for a reader. Every attribute or child the reader asks for is marked as used;
 * `extra()` returns the rest, so nothing the model skips is lost.
 */
export class ElementReader {
    private readonly usedAttributes = new Set<string>();
    private readonly usedChildren = new Set<XmlElement>();

    constructor(readonly element: XmlElement) {}

    /** Parses a document and opens a reader on its root, checking the root's name. */
    static ofDocument(xml: string, rootName: string): ElementReader {
        const root = parseXmlElement(xml);
        if (root.name !== rootName) throw new Error(`expected a <${rootName}> document, found <${root.name}>`);
        return new ElementReader(root);
    }

    /** An attribute's value as written, marking it used. */
    attr(name: string): string | undefined {
        this.usedAttributes.add(name);
        return this.element.attributes[name];
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
        const found = this.element.children.find(
            (child): child is XmlElement => isXmlElement(child) && child.name === name,
        );
        if (found === undefined) return undefined;
        this.usedChildren.add(found);
        return new ElementReader(found);
    }

    /** Every child element of that name, in order, marking them used. */
    children(name: string): ElementReader[] {
        const found = this.element.children.filter(
            (child): child is XmlElement => isXmlElement(child) && child.name === name,
        );
        for (const child of found) this.usedChildren.add(child);
        return found.map((child) => new ElementReader(child));
    }

    /** Marks child elements as handled without reading them. */
    ignoreChildren(...names: string[]): void {
        for (const child of this.element.children) {
            if (isXmlElement(child) && names.includes(child.name)) this.usedChildren.add(child);
        }
    }

    /** Marks child elements of that name as handled when they carry nothing (no attributes, no children). */
    ignoreEmptyChildren(name: string): void {
        for (const child of this.element.children) {
            if (isXmlElement(child) && child.name === name && child.children.length === 0) {
                if (Object.keys(child.attributes).length === 0) this.usedChildren.add(child);
            }
        }
    }

    /** Text of the first child of that name, marking it used. */
    childText(name: string): string | undefined {
        const child = this.child(name);
        return child === undefined ? undefined : child.text();
    }

    /** This element's own text content. */
    text(): string {
        return textOf(this.element);
    }

    /** Whatever attributes and child elements were not read, or undefined when everything was. */
    extra(): Extra | undefined {
        const attributes: Record<string, string> = {};
        for (const [name, value] of Object.entries(this.element.attributes)) {
            if (!this.usedAttributes.has(name)) attributes[name] = value;
        }
        const elements = this.element.children
            .filter((child): child is XmlElement => isXmlElement(child) && !this.usedChildren.has(child))
            .map(toOpaque);
        const extra: Extra = {};
        if (Object.keys(attributes).length > 0) extra.attributes = attributes;
        if (elements.length > 0) extra.elements = elements;
        return extra.attributes || extra.elements ? extra : undefined;
    }
}

/** Attribute values accepted by the writers; undefined attributes are left out. */
export type AttributeValues = Record<string, string | number | undefined>;

function definedAttributes(attributes: AttributeValues | undefined): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(attributes ?? {})) {
        if (value !== undefined) result[name] = String(value);
    }
    return result;
}

/** Starts a document whose root element is `rootName`. */
export function newDocument(rootName: string, attributes?: AttributeValues): XMLBuilder {
    return create().ele(rootName, definedAttributes(attributes));
}

/** Adds a child element with the given attributes (undefined ones skipped) and returns it. */
export function addElement(parent: XMLBuilder, name: string, attributes?: AttributeValues): XMLBuilder {
    return parent.ele(name, definedAttributes(attributes));
}

/** Adds `<name attr...>text</name>` when text is defined; returns the parent for chaining. */
export function addTextElement(
    parent: XMLBuilder,
    name: string,
    text: string | number | undefined,
    attributes?: AttributeValues,
): XMLBuilder {
    if (text !== undefined) addElement(parent, name, attributes).txt(String(text));
    return parent;
}

/** Writes an opaque element (and its subtree) under `parent`. */
export function addOpaque(parent: XMLBuilder, node: OpaqueElement): void {
    const element = parent.ele(node.name, node.attributes ?? {});
    for (const child of node.children ?? []) {
        if ("text" in child) element.txt(child.text);
        else addOpaque(element, child);
    }
}

/** Writes back the unmodelled attributes and child elements recorded for an element. */
export function addExtra(element: XMLBuilder, extra: Extra | undefined): void {
    if (extra === undefined) return;
    for (const [name, value] of Object.entries(extra.attributes ?? {})) element.att(name, value);
    for (const node of extra.elements ?? []) addOpaque(element, node);
}

/** Serialises the document a builder belongs to, without an XML declaration, indented like libvirt's output. */
export function serialize(builder: XMLBuilder): string {
    return builder.end({ headless: true, prettyPrint: true, indent: "  " });
}

/** Serialises a fragment whose single root element `write` adds to an empty document. */
export function writeFragment(write: (document: XMLBuilder) => void): string {
    const document = create();
    write(document);
    return serialize(document);
}
