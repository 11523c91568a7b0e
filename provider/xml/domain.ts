/**
 * The public domain XML functions: model to XML, XML to model, and merging a model into the
 * document libvirt already holds.
 */
import type { Domain } from "../model/domain";
import { removeLentChains } from "./domain-backing-chains";
import { type DomainDocument, treeOf } from "./domain-document";
import { cloneTree, el, serializeTree } from "./tree";
import { withDeclaredDiskSources } from "./domain-xml-disk-readback";
import { resolveAgainst } from "./domain-xml-like";
import { readDomainTree } from "./domain-xml-read";
import { writeDomainTree } from "./domain-xml-write";

export interface DomainReadOptions {
    /**
     * The model the user declared. With it, the reading compares equal to that model whenever
     * libvirt only filled in defaults or generated values (see domain-xml-like). Without it, the
     * reading holds everything the model can express, which is what adopting a domain wants.
     * Read the inactive XML (with the secure flag, for graphics passwords) to compare configuration.
     * The live XML of a running domain (recognised by its `id`) compares equal too: what libvirt
     * resolved at start (host-model and custom CPUs, the EFI firmware, WebSocket ports, a clock
     * based on localtime) matches what was declared.
     */
    like?: Domain;
}

/** A new domain document for a model. Every value is escaped by xmlbuilder2. */
export function domainToXml(model: Domain): string {
    const root = el("domain", { type: model.type });
    writeDomainTree(root, model);
    return `${serializeTree(root)}\n`;
}

/** Reads libvirt's domain XML (inactive or live, as text or parsed once) into the model. */
export function domainFromXml(xml: string | DomainDocument, options: DomainReadOptions = {}): Domain {
    const root = treeOf(xml);
    const model = readDomainTree(root);
    // Only the live XML of a running domain carries its id.
    const live = root.attrs.id !== undefined && root.attrs.id !== "-1";
    if (options.like === undefined) return model;
    return resolveAgainst(withDeclaredDiskSources(root, model, options.like), options.like, { live });
}

/**
 * One parse, two readings: the domain as libvirt has it (`definition`), and the same read against
 * the declaration (`actual`, as `domainFromXml(xml, { like })` reads it; the definition itself
 * without one).
 */
export function domainReadings(xml: string | DomainDocument, like?: Domain): { definition: Domain; actual: Domain } {
    const root = treeOf(xml);
    const definition = readDomainTree(root);
    if (like === undefined) return { definition, actual: definition };
    const live = root.attrs.id !== undefined && root.attrs.id !== "-1";
    return { definition, actual: resolveAgainst(withDeclaredDiskSources(root, definition, like), like, { live }) };
}

/**
 * The document to define: `currentXml` with what `model` manages changed and nothing else. The
 * UUID, generated MACs, PCI addresses, aliases, undeclared devices and every element the model
 * does not cover survive. `previous` is the model applied last time: fields it set that `model`
 * no longer sets are removed; without it, fields the model leaves out are simply kept. Backing
 * chains lent to a parsed document (domain-backing-chains.ts) are left out; the document given
 * is not changed.
 */
export function mergeDomain(currentXml: string | DomainDocument, model: Domain, previous?: Domain): string {
    const root = typeof currentXml === "string" ? treeOf(currentXml) : cloneTree(treeOf(currentXml));
    writeDomainTree(root, model, previous);
    removeLentChains(root);
    return `${serializeTree(root)}\n`;
}

export { DomainDocument } from "./domain-document";
export { type ChainSource, lendChains, needsLentChains } from "./domain-backing-chains";
export { type LiveDeviceChange, liveDeviceChanges, liveMetadataChanges } from "./domain-live";
export { unmodelledParts } from "./domain-xml-unmodelled";
