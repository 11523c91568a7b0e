/**
 * `<domainCapabilities>` documents (virConnectGetDomainCapabilities): the few parts the Domain's
 * checks against the host use.
 */
import { ElementReader } from "./element-reader";

/** The parts of a domain capabilities document the checks use. */
export interface DomainCapabilities {
    /** The versioned machine type the capabilities describe ("pc-q35-7.2"). */
    machine: string | undefined;
    /** `<vcpu max>`: the most vCPUs the machine type takes. */
    maxVcpus: number | undefined;
    /** Models of `<mode name='custom'>`, by name, with whether the host can provide them. */
    customModels: ReadonlyMap<string, boolean>;
}

/** Reads a domain capabilities document. */
export function readDomainCapabilities(xml: string): DomainCapabilities {
    const root = ElementReader.ofDocument(xml, "domainCapabilities");
    const max = root.child("vcpu")?.attr("max");
    const customModels = new Map<string, boolean>();
    for (const mode of root.child("cpu")?.children("mode") ?? []) {
        if (mode.attr("name") !== "custom") continue;
        for (const model of mode.children("model")) customModels.set(model.text(), model.attr("usable") !== "no");
    }
    return {
        machine: root.childText("machine"),
        maxVcpus: max === undefined ? undefined : Number(max),
        customModels,
    };
}
