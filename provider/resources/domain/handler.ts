/** The Domain resource: Pulumi's dynamic-provider methods, each in its own file. */
import { uriChangeOf } from "../shared/diff";
import type { ResourceHandler } from "../shared/handler";
import { checkDomainWithHost } from "./check";
import { createDomain } from "./create";
import { deleteDomain } from "./delete";
import { diffDomain } from "./diff";
import { readDomain } from "./read";
import { updateDomain } from "./update";

export const domainHandler: ResourceHandler = {
    check: (olds, news) => checkDomainWithHost(olds, news),
    diff: async (_id, olds, news) => diffDomain(olds, news, await uriChangeOf(olds, news)),
    create: (inputs) => createDomain(inputs),
    read: (id, props) => readDomain(id, props),
    update: (id, olds, news) => updateDomain(id, olds, news),
    delete: (id, props) => deleteDomain(id, props),
};
