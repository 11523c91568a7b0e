/**
 * Opaque XML kept inside a model: elements and attributes the model does not describe are stored
 * here when a document is read, so users see what the model lacks and may declare it; a declared
 * `extra` is written onto its element (provider/xml/element-writer.ts), while a redefine keeps
 * what is not declared in libvirt's own document. Plain JSON, so it can live in Pulumi state.
 */
import { z } from "zod";

/** Text inside an opaque element. */
export interface OpaqueText {
    text: string;
}

/** An element the model does not describe, with its attributes and children in document order. */
export interface OpaqueElement {
    name: string;
    attributes?: Record<string, string>;
    children?: OpaqueNode[];
}

/** A child of an opaque element: another element or text. */
export type OpaqueNode = OpaqueElement | OpaqueText;

/** True when an opaque node is text rather than an element. */
export function isOpaqueText(node: OpaqueNode): node is OpaqueText {
    return "text" in node;
}

/**
 * An XML element or attribute name, optionally with a namespace prefix ("foo", "qemu:arg"). The
 * ASCII subset of XML's Name production: what libvirt's own documents use; anything else would
 * make the document libvirt receives malformed, and libvirt would refuse it only at apply.
 */
const XML_NAME = /^(?:[A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z_][A-Za-z0-9_.-]*$/;

/** An element or attribute name of opaque XML. */
export const xmlNameSchema = z.string().regex(XML_NAME, {
    message:
        "not an XML name: start with a letter or '_', then letters, digits, '_', '-' or '.', with an optional 'prefix:'",
});

const opaqueTextSchema = z.strictObject({
    /** Text content, as read. */
    text: z.string(),
});

/** Schema of an opaque element (recursive). */
export const opaqueElementSchema: z.ZodType<OpaqueElement> = z.lazy(() =>
    z.strictObject({
        /** The element's name, with its namespace prefix if any. */
        name: xmlNameSchema,
        /** The element's attributes, by name. */
        attributes: z.record(xmlNameSchema, z.string()).optional(),
        /** Child elements and text, in document order. */
        children: z.array(z.union([opaqueTextSchema, opaqueElementSchema])).optional(),
    }),
);

/** What one modelled element carried that its model does not describe. */
export const extraSchema = z.strictObject({
    /** Attributes of the element that the model does not cover, by name. */
    attributes: z.record(xmlNameSchema, z.string()).optional(),
    /** Child elements that the model does not cover, in document order. */
    elements: z.array(opaqueElementSchema).optional(),
});

/** Unmodelled attributes and children of one element. */
export type Extra = z.infer<typeof extraSchema>;
