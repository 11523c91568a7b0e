/** Check: autonaming and validation of every field (model and resource-level) before anything is created. */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { checkInputs } from "../shared/check";
import type { Properties } from "../shared/handler";
import { domainArgsSchema } from "./args";

export function checkDomain(olds: Properties, news: Properties): dynamic.CheckResult {
    return checkInputs(domainArgsSchema, olds, news, { nameKey: "name" });
}
