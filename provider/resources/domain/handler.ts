/**
 * The Domain resource: diff here; check (the host's limits too), create, read, update and delete
 * each in the file of its name, since each is long.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { diffResource, type UriChange, uriChangeOf } from "../shared/diff";
import type { Properties, ResourceHandler } from "../shared/handler";
import { checkDomainWithHost } from "./check";
import { createDomain } from "./create";
import { deleteDomain } from "./delete";
import { parseOrThrow } from "./parse";
import { readDomain } from "./read";
import { redactedChanges } from "./redact";
import { updateDomain } from "./update";

/** Settings of the resource itself: a change is stored (an update with nothing to do to the guest). */
const DOMAIN_RESOURCE_FIELDS = {
    restartPolicy: "live",
    shutdownTimeoutSeconds: "live",
    waitForIp: "live",
} as const;

/**
 * The shared diff over the old and new models, its summary printed with console passwords
 * redacted and sizes in units. Keeping an explicit name on the same host makes the replacement
 * delete first (libvirt names are unique per host).
 */
export function diffDomain(olds: Properties, news: Properties, uriChange?: UriChange): dynamic.DiffResult {
    return diffResource({
        kind: "Domain",
        policyKind: "domain",
        olds,
        news,
        toModel: (props) => parseOrThrow(props, "diff").model,
        resourceFields: DOMAIN_RESOURCE_FIELDS,
        formatChanges: redactedChanges,
        uriChange,
    }).result;
}

export const domainHandler: ResourceHandler = {
    check: (olds, news) => checkDomainWithHost(olds, news),
    diff: async (_id, olds, news) => diffDomain(olds, news, await uriChangeOf(olds, news)),
    create: (inputs) => createDomain(inputs),
    read: (id, props) => readDomain(id, props),
    update: (id, olds, news) => updateDomain(id, olds, news),
    delete: (id, props) => deleteDomain(id, props),
};
