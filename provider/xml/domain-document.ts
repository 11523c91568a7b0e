/**
 * A domain document parsed once. The resources read XML from libvirt as text and hand it to the
 * xml layer's functions; those that several steps of one operation use (the readings, lending
 * backing chains, the merge, the live comparisons) take a `DomainDocument`, so one operation
 * parses each document it receives once. Only provider/xml reaches the tree inside (`treeOf`).
 */
import { parseTree, type XElement } from "./tree";

export class DomainDocument {
    private constructor(private readonly root: XElement) {}

    /** Parses a `<domain>` document (inactive or live). */
    static parse(xml: string): DomainDocument {
        return new DomainDocument(parseTree(xml, "domain"));
    }

    /** The document as given, or parsed when it is still text. */
    static of(document: string | DomainDocument): DomainDocument {
        return typeof document === "string" ? DomainDocument.parse(document) : document;
    }

    /** For provider/xml only: the parsed tree (edits to it change this document). */
    static treeOf(document: DomainDocument): XElement {
        return document.root;
    }
}

/** The tree of a document given as text or parsed (for provider/xml's functions). */
export function treeOf(document: string | DomainDocument): XElement {
    return DomainDocument.treeOf(DomainDocument.of(document));
}
