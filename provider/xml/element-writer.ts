/**
 * Writing a model onto an element tree (tree.ts) for the kinds whose unmodelled parts the model
 * carries in `extra` (networks and their records, pools, volumes, snapshots): onto an empty element
 * for a new document or fragment, onto the tree libvirt holds for a redefine, the way a domain's
 * merge works. The writer touches only what the model says, so whatever the model does not cover
 * survives untouched. A field the model leaves unset stays as libvirt has it where the kind's
 * change-policy table marks it `unsetKeepsCurrent` (a generated UUID, MAC or bridge name, a
 * default libvirt filled in, unmodelled extras) and is removed otherwise: the rule is looked up in
 * that one table, never decided here.
 *
 * A declared `extra` is written onto its element: its attributes are set (undeclared unmodelled
 * ones follow the table), and its elements are written by position onto the element's unmodelled
 * children (the first declared one onto the first unmodelled child, and so on; unmodelled children
 * past the declared ones are removed, as entries past a declared list are), each one's own
 * attributes and children merged the same way.
 */
import { type ChangePolicyTable, findPolicyRow } from "../model/change-policy";
import type { Extra, OpaqueElement, OpaqueNode } from "../model/opaque";
import {
    addElement,
    children,
    el,
    insertChild,
    isElement,
    removeChildren,
    serializeTree,
    type XElement,
    type XNode,
} from "./tree";

/** A model field's path in its kind's policy table: `["ips", 0, "dhcp", "hosts", 2, "mac"]`. */
export type FieldPath = readonly (string | number)[];

/** What the writer of one element manages; everything else on the element is unmodelled. */
export interface ElementShape {
    readonly attributes: readonly string[];
    readonly children: readonly string[];
}

/** Writes an opaque element (and its subtree) under `parent`. */
export function addOpaque(parent: XElement, node: OpaqueElement): void {
    const element = addElement(parent, node.name, node.attributes);
    for (const child of node.children ?? []) {
        if ("text" in child) element.children.push({ text: child.text });
        else addOpaque(element, child);
    }
}

function opaqueElement(node: OpaqueElement): XElement {
    const holder = el("holder");
    addOpaque(holder, node);
    return holder.children[0] as XElement;
}

/** The children an opaque reading sees: elements and character data, not comments. */
function opaqueChildren(element: XElement): XNode[] {
    return element.children.filter((c) => isElement(c) || "text" in c || "cdata" in c);
}

function replaceNode(parent: XElement, old: XNode, replacement: XNode): void {
    parent.children[parent.children.indexOf(old)] = replacement;
}

function removeNodes(parent: XElement, nodes: readonly XNode[]): void {
    parent.children = parent.children.filter((c) => !nodes.includes(c));
}

/** Gives `node` the name, attributes and children of `built`, in place (keeping its position). */
function resetTo(node: XElement, built: XElement): void {
    node.name = built.name;
    node.attrs = built.attrs;
    node.children = built.children;
}

/** Writes one model value onto its element; `path` is the value's place in its kind's model. */
export type WriteOnto<T> = (node: XElement, value: T, path: FieldPath, writer: TreeWriter) => void;

/** Writes models onto trees, keeping unset values where a kind's policy table says libvirt's stay. */
export class TreeWriter {
    /** For new documents and fragments: an empty element has nothing to keep. */
    static readonly fresh = new TreeWriter(undefined);

    constructor(private readonly table: ChangePolicyTable | undefined) {}

    /** The policy table keeps libvirt's value when the model leaves this field unset. */
    keeps(path: FieldPath): boolean {
        return this.table !== undefined && findPolicyRow(this.table, path)?.unsetKeepsCurrent === true;
    }

    /** Sets a modelled attribute, or, unset, keeps or removes it as the table says. */
    attr(node: XElement, name: string, value: string | number | undefined, path: FieldPath): void {
        if (value !== undefined) node.attrs[name] = String(value);
        else if (!this.keeps(path)) delete node.attrs[name];
    }

    /**
     * Writes a modelled child element onto the first child called `name` (created in `order` when
     * missing), or, unset, keeps or removes it as the table says.
     */
    element<T>(
        parent: XElement,
        name: string,
        value: T | undefined,
        path: FieldPath,
        order: readonly string[],
        write: WriteOnto<T>,
    ): void {
        if (value === undefined) {
            if (!this.keeps(path)) removeChildren(parent, name);
            return;
        }
        let node = children(parent, name)[0];
        if (node === undefined) {
            node = el(name);
            insertChild(parent, node, order);
        }
        write(node, value, path, this);
    }

    /**
     * A child element the model describes wholly (no `extra`, and no part the table keeps on its
     * own): replaced by `build`'s element.
     */
    whole<T>(
        parent: XElement,
        name: string,
        value: T | undefined,
        path: FieldPath,
        order: readonly string[],
        build: (value: T) => XElement,
    ): void {
        this.element(parent, name, value, path, order, (node, v) => resetTo(node, build(v)));
    }

    /**
     * Writes a modelled list by position onto the children called `name`: entry i onto the i-th
     * such child (new ones inserted in `order`), children past the list removed; an unset list is
     * kept or removed as the table says.
     */
    list<T>(
        parent: XElement,
        name: string,
        values: readonly T[] | undefined,
        path: FieldPath,
        order: readonly string[],
        write: WriteOnto<T>,
    ): void {
        const existing = children(parent, name);
        if (values === undefined) {
            if (!this.keeps(path)) removeChildren(parent, name);
            return;
        }
        values.forEach((value, index) => {
            let node = existing[index];
            if (node === undefined) {
                node = el(name);
                insertChild(parent, node, order);
            }
            write(node, value, [...path, index], this);
        });
        removeNodes(parent, existing.slice(values.length));
    }

    /** A list of elements the model describes wholly, replaced by position. */
    wholeList<T>(
        parent: XElement,
        name: string,
        values: readonly T[] | undefined,
        path: FieldPath,
        order: readonly string[],
        build: (value: T) => XElement,
    ): void {
        this.list(parent, name, values, path, order, (node, v) => resetTo(node, build(v)));
    }

    /** Writes an element's `extra` (see the file comment); `shape` says what is modelled. */
    extra(node: XElement, extra: Extra | undefined, path: FieldPath, shape: ElementShape): void {
        const unmodelledAttributes = Object.keys(node.attrs).filter((name) => !shape.attributes.includes(name));
        const unmodelledChildren = node.children.filter(
            (c): c is XElement => isElement(c) && !shape.children.includes(c.name),
        );
        this.attributes(node, unmodelledAttributes, extra?.attributes, [...path, "attributes"]);
        this.elements(node, unmodelledChildren, extra?.elements, [...path, "elements"]);
    }

    private attributes(
        node: XElement,
        current: readonly string[],
        declared: Record<string, string> | undefined,
        path: FieldPath,
    ): void {
        for (const name of current) {
            if (declared?.[name] === undefined && !this.keeps([...path, name])) delete node.attrs[name];
        }
        for (const [name, value] of Object.entries(declared ?? {})) node.attrs[name] = value;
    }

    private elements(
        parent: XElement,
        current: readonly XElement[],
        declared: readonly OpaqueElement[] | undefined,
        path: FieldPath,
    ): void {
        if (declared === undefined) {
            if (!this.keeps(path)) removeNodes(parent, current);
            return;
        }
        declared.forEach((element, index) => {
            const onto = current[index];
            if (onto === undefined) parent.children.push(opaqueElement(element));
            else this.opaque(onto, element, [...path, index]);
        });
        removeNodes(parent, current.slice(declared.length));
    }

    /** Writes a declared opaque element onto an unmodelled one. */
    private opaque(node: XElement, declared: OpaqueElement, path: FieldPath): void {
        node.name = declared.name;
        if (declared.attributes !== undefined || !this.keeps([...path, "attributes"])) {
            this.attributes(node, Object.keys(node.attrs), declared.attributes ?? {}, [...path, "attributes"]);
        }
        const childrenPath = [...path, "children"];
        const current = opaqueChildren(node);
        if (declared.children === undefined) {
            if (!this.keeps(childrenPath)) removeNodes(node, current);
            return;
        }
        declared.children.forEach((child: OpaqueNode, index) => {
            const onto = current[index];
            if (onto !== undefined && isElement(onto) && !("text" in child)) {
                this.opaque(onto, child, [...childrenPath, index]);
                return;
            }
            const written: XNode = "text" in child ? { text: child.text } : opaqueElement(child);
            if (onto === undefined) node.children.push(written);
            else replaceNode(node, onto, written);
        });
        removeNodes(node, current.slice(declared.children.length));
    }
}

/** A new element called `name` with `record` written onto it, serialised (a network-update fragment). */
export function fragment<T>(name: string, record: T, write: WriteOnto<T>): string {
    const node = el(name);
    write(node, record, [], TreeWriter.fresh);
    return serializeTree(node);
}

/** Writes the unmodelled attributes and child elements recorded for an element onto a new one. */
export function addExtra(element: XElement, extra: Extra | undefined): void {
    if (extra === undefined) return;
    for (const [name, value] of Object.entries(extra.attributes ?? {})) element.attrs[name] = value;
    for (const node of extra.elements ?? []) addOpaque(element, node);
}
