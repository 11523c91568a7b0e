/**
 * Opaque XML kept inside a model: elements and attributes the model does not describe are stored
 * here when a document is read, and written back unchanged, so adopting an existing object loses
 * nothing. Plain JSON, so it can live in Pulumi state.
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

const opaqueTextSchema = z.strictObject({
    /** Text content, as read. */
    text: z.string(),
});

/** Schema of an opaque element (recursive). */
export const opaqueElementSchema: z.ZodType<OpaqueElement> = z.lazy(() =>
    z.strictObject({
        /** The element's name, with its namespace prefix if any. */
        name: z.string().min(1),
        /** The element's attributes, by name. */
        attributes: z.record(z.string(), z.string()).optional(),
        /** Child elements and text, in document order. */
        children: z.array(z.union([opaqueTextSchema, opaqueElementSchema])).optional(),
    }),
);

/** What one modelled element carried that its model does not describe. */
export const extraSchema = z.strictObject({
    /** Attributes of the element that the model does not cover, by name. */
    attributes: z.record(z.string(), z.string()).optional(),
    /** Child elements that the model does not cover, in document order. */
    elements: z.array(opaqueElementSchema).optional(),
});

/** Unmodelled attributes and children of one element. */
export type Extra = z.infer<typeof extraSchema>;
