/** `<secret>` documents for virSecretDefineXML: private, persistent secrets with a chosen UUID. */
import { addTextElement, el, serializeTree } from "./tree";

/** A persistent secret libvirt never hands back (`private`), described for whoever lists secrets. */
export function privateSecretXml(uuid: string, description: string): string {
    const root = el("secret", { ephemeral: "no", private: "yes" });
    addTextElement(root, "uuid", uuid);
    addTextElement(root, "description", description);
    return serializeTree(root);
}
