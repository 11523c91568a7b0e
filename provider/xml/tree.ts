/**
 * The one XML element tree of the provider, with the one parser setup (fast-xml-parser) and the one
 * writer setup (xmlbuilder2) every document kind goes through: domains, networks and their
 * records, pools, volumes, snapshots, secrets and capabilities.
 *
 * The tree keeps element order, comments, CDATA, namespaced elements and every attribute, so a
 * document read and written again loses nothing: every redefine (domains, networks, pools) writes
 * the model onto the tree libvirt gave and serialises it, so what the model does not cover is
 * never touched; the readers of the kinds with `extra` walk it with `ElementReader`
 * (element-reader.ts) and their writers go through `TreeWriter` (element-writer.ts).
 * Values stay strings exactly as libvirt spelled them ("0x0a", "08", "yes"); the readers convert.
 * Writing only calls xmlbuilder2, which escapes every attribute and text: XML is never assembled
 * from strings.
 */
import { XMLParser } from "fast-xml-parser";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";

/**
 * xmlbuilder2, loaded by the first write: about 5 MB of the provider host's memory that a run
 * which only checks, diffs and reads (an `up` with nothing to change, a refresh) never needs.
 */
let xmlbuilder2: typeof import("xmlbuilder2") | undefined;

/** An XML element with its attributes in document order and its child nodes. */
export interface XElement {
    name: string;
    attrs: Record<string, string>;
    children: XNode[];
}

/** Character data, a comment or a CDATA section (kept so that re-emitting loses nothing). */
export type XLeaf = { text: string } | { comment: string } | { cdata: string };
export type XNode = XElement | XLeaf;

export function isElement(node: XNode): node is XElement {
    return (node as XElement).name !== undefined;
}

const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    // libvirt values such as "0x0a", "08" or "yes" must stay strings; the readers convert them.
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    // Only XML's five named entities, plus numeric references (&#10;), which libvirt writes for
    // control characters; passing the table also switches numeric decoding on.
    htmlEntities: { amp: "&", apos: "'", gt: ">", lt: "<", quot: '"' } as unknown as boolean,
    commentPropName: "#comment",
    cdataPropName: "#cdata",
});

/** Documents parsed so far in this process (see `parsedDocumentCount`). */
let parsedDocuments = 0;

/**
 * How many documents `parseTree` has parsed in this process. Tests read it before and after an
 * operation to count the parses the operation costs (a domain's XML is parsed once per operation).
 */
export function parsedDocumentCount(): number {
    return parsedDocuments;
}

type OrderedEntry = Record<string, unknown> & { ":@"?: Record<string, string> };

function leafText(entries: unknown): string {
    const list = entries as Array<{ "#text"?: unknown }>;
    return list.map((e) => String(e["#text"] ?? "")).join("");
}

function toNodes(entries: OrderedEntry[]): XNode[] {
    const nodes: XNode[] = [];
    for (const entry of entries) {
        const key = Object.keys(entry).find((k) => k !== ":@");
        if (key === undefined) continue;
        const value = entry[key];
        if (key === "#text") {
            const text = String(value);
            // Indentation between elements is not content; libvirt never uses mixed content.
            if (text.trim() !== "") nodes.push({ text });
        } else if (key === "#comment") {
            nodes.push({ comment: leafText(value) });
        } else if (key === "#cdata") {
            nodes.push({ cdata: leafText(value) });
        } else if (!key.startsWith("?")) {
            const attrs: Record<string, string> = {};
            for (const [name, v] of Object.entries(entry[":@"] ?? {})) attrs[name] = String(v);
            nodes.push({ name: key, attrs, children: toNodes(value as OrderedEntry[]) });
        }
    }
    return nodes;
}

/**
 * Parses a document (or a fragment with one root element, such as a device or a DHCP host) and
 * returns its root element; throws with a reason when there is none or, when `expectedRoot` is
 * given, it has another name.
 */
export function parseTree(xml: string, expectedRoot?: string): XElement {
    parsedDocuments++;
    const nodes = toNodes(parser.parse(xml) as OrderedEntry[]);
    const root = nodes.find(isElement);
    if (root === undefined) throw new Error(`not an XML document: no root element <${expectedRoot ?? "..."}>`);
    if (expectedRoot !== undefined && root.name !== expectedRoot)
        throw new Error(`expected a <${expectedRoot}> document, found <${root.name}>`);
    return root;
}

function build(parent: XMLBuilder, node: XNode): void {
    if (isElement(node)) {
        const child = parent.ele(node.name, node.attrs);
        for (const c of node.children) build(child, c);
    } else if ("text" in node) {
        parent.txt(node.text);
    } else if ("comment" in node) {
        parent.com(node.comment);
    } else {
        parent.dat(node.cdata);
    }
}

/**
 * Serialises a tree through xmlbuilder2, which escapes every text and attribute value, indented
 * as libvirt indents its own output, without an XML declaration. One limit: a newline inside an
 * attribute value is written as is (and would read back as a space); libvirt never writes one,
 * and no model has an attribute where one could come from the user.
 */
export function serializeTree(root: XElement): string {
    xmlbuilder2 ??= require("xmlbuilder2") as typeof import("xmlbuilder2");
    const doc = xmlbuilder2.create();
    build(doc, root);
    return doc.end({ headless: true, prettyPrint: true, indent: "  " });
}

/** Attribute values accepted by the writers; undefined ones are left out. */
export type AttributeValues = Record<string, string | number | undefined>;

/** A new element; attributes whose value is undefined are left out. */
export function el(name: string, attrs: AttributeValues = {}, children: XNode[] = []): XElement {
    const element: XElement = { name, attrs: {}, children };
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) element.attrs[k] = String(v);
    return element;
}

/** A new element holding only text. */
export function textElement(name: string, text: string, attrs: AttributeValues = {}): XElement {
    return el(name, attrs, [{ text }]);
}

/** The child elements called `name`, in document order (none for a missing parent). */
export function children(parent: XElement | undefined, name: string): XElement[] {
    if (parent === undefined) return [];
    return parent.children.filter((c): c is XElement => isElement(c) && c.name === name);
}

/** The first child element called `name`. */
export function child(parent: XElement | undefined, name: string): XElement | undefined {
    return children(parent, name)[0];
}

/** The concatenated character data of an element (CDATA included). */
export function textOf(element: XElement | undefined): string | undefined {
    if (element === undefined) return undefined;
    let text = "";
    for (const c of element.children) {
        if ("text" in c) text += c.text;
        else if ("cdata" in c) text += c.cdata;
    }
    return text;
}

/** The character data of the first child element called `name`. */
export function childText(parent: XElement | undefined, name: string): string | undefined {
    return textOf(child(parent, name));
}

/** Sets (or, with undefined, removes) an attribute while keeping the others in place. */
export function setAttr(element: XElement, name: string, value: string | number | undefined): void {
    if (value === undefined) delete element.attrs[name];
    else element.attrs[name] = String(value);
}

/** Replaces an element's character data, keeping its child elements and comments. */
export function setText(element: XElement, text: string): void {
    element.children = element.children.filter((c) => isElement(c) || "comment" in c);
    element.children.unshift({ text });
}

/**
 * Returns the first child called `name`, creating it when missing. New children go after the
 * last sibling of an earlier kind in `order` so that the document keeps libvirt's usual layout.
 */
export function ensureChild(parent: XElement, name: string, order: readonly string[] = []): XElement {
    const existing = child(parent, name);
    if (existing) return existing;
    const created = el(name);
    insertChild(parent, created, order);
    return created;
}

/** Inserts an element after the last sibling whose name comes at or before its own in `order`. */
export function insertChild(parent: XElement, element: XElement, order: readonly string[] = []): void {
    const rank = order.indexOf(element.name);
    if (rank < 0) {
        parent.children.push(element);
        return;
    }
    let at = -1;
    parent.children.forEach((c, i) => {
        if (isElement(c)) {
            const r = order.indexOf(c.name);
            if (r >= 0 && r <= rank) at = i;
        }
    });
    if (at < 0) {
        const firstLater = parent.children.findIndex((c) => isElement(c) && order.indexOf(c.name) > rank);
        if (firstLater >= 0) parent.children.splice(firstLater, 0, element);
        else parent.children.push(element);
    } else {
        parent.children.splice(at + 1, 0, element);
    }
}

/** Puts `replacement` where the first child `name` was (or inserts it), or removes it when undefined. */
export function replaceChild(
    parent: XElement,
    name: string,
    replacement: XElement | undefined,
    order: readonly string[] = [],
): void {
    const index = parent.children.findIndex((c) => isElement(c) && c.name === name);
    if (replacement === undefined) {
        if (index >= 0) parent.children.splice(index, 1);
        return;
    }
    if (index >= 0) parent.children[index] = replacement;
    else insertChild(parent, replacement, order);
}

/** Removes every child element called `name`. */
export function removeChildren(parent: XElement, name: string): void {
    parent.children = parent.children.filter((c) => !(isElement(c) && c.name === name));
}

/** A deep copy, for edits that must not touch the tree they start from. */
export function cloneTree<T extends XNode>(node: T): T {
    return structuredClone(node);
}

/** Appends a new child element (attributes whose value is undefined left out) and returns it. */
export function addElement(parent: XElement, name: string, attributes?: AttributeValues): XElement {
    const element = el(name, attributes);
    parent.children.push(element);
    return element;
}

/** Appends `<name attr...>text</name>` when the text is defined; returns the parent. */
export function addTextElement(
    parent: XElement,
    name: string,
    text: string | number | undefined,
    attributes?: AttributeValues,
): XElement {
    if (text !== undefined) parent.children.push(textElement(name, String(text), attributes));
    return parent;
}
