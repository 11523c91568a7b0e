/**
 * Delete: ask the guest to shut down, power it off after `shutdownTimeoutSeconds`, then undefine it
 * with its managed-save image, snapshot and checkpoint metadata and NVRAM. Disks are not touched:
 * volumes are resources of their own. A domain already gone is not an error.
 *
 * The domain is found by the UUID this resource recorded (its ID), never by name: a domain that now
 * carries the name but another UUID was made by someone else (recreated outside Pulumi, or by
 * another resource) and is left alone, with a warning; so is the same domain when another
 * resource has adopted it since (its owner record, owner.ts, names that resource). A domain without
 * an owner record (defined by an older version) is this resource's by its UUID.
 */
import { uuidText } from "../../model/uuid";
import { clientFor } from "../shared/connection";
import { step } from "../shared/errors";
import type { Properties } from "../shared/handler";
import { warnLeftAlone } from "../shared/identity";
import { logInfo } from "../shared/log";
import { findById, findByName } from "./libvirt";
import { ownerOf, recordedOwner } from "./owner";
import { shutDown } from "./power";
import { undefine } from "./undefine";

/** The default of `shutdownTimeoutSeconds` (args.ts), for state that lacks it. */
const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 30;

export async function deleteDomain(id: string, props: Properties): Promise<void> {
    const name = typeof props.name === "string" ? props.name : id;
    const uri = typeof props.uri === "string" ? props.uri : undefined;
    const timeout =
        typeof props.shutdownTimeoutSeconds === "number"
            ? props.shutdownTimeoutSeconds
            : DEFAULT_SHUTDOWN_TIMEOUT_SECONDS;
    const client = await clientFor(uri);
    const dom = await findById(client, id);
    if (!dom) {
        const namesake = name !== id ? await findByName(client, name) : undefined;
        if (namesake) warnLeftAlone("Domain", name, "UUID", uuidText(namesake.uuid), id);
        return;
    }
    // Same UUID, but another resource adopted it since (its owner record replaced ours): theirs now.
    const owner = ownerOf(props);
    const recorded = owner === undefined ? undefined : await recordedOwner(client, dom);
    if (owner !== undefined && recorded !== undefined && recorded !== owner) {
        warnLeftAlone("Domain", name, "the owner record", recorded, owner);
        return;
    }
    const how = await step("Domain", name, "shut down", () => shutDown(client, dom, timeout));
    if (how !== "was off") logInfo("Domain", name, how);
    await step("Domain", name, "undefine", () => undefine(client, dom));
}
