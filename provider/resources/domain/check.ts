/**
 * Check: autonaming and validation of every field (model and resource-level) before anything is
 * created; then, when every value is known, what the host itself rules out (vCPU ceiling, unknown
 * CPU model), so that preview reports it too (diff is not called for a new resource).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { checkInputs, containsUnknown } from "../shared/check";
import { clientFor, resolveUri } from "../shared/connection";
import type { Properties } from "../shared/handler";
import { domainArgsSchema } from "./args";
import { domainCapabilitiesFor, hostLimitFailures } from "./host-limits";
import { parseDeclared } from "./parse";

export function checkDomain(olds: Properties, news: Properties): dynamic.CheckResult {
    return checkInputs(domainArgsSchema, olds, news, { nameKey: "name" });
}

/**
 * The failures the domain's host reports for checked inputs; none when the host cannot be asked
 * (unreachable, or no capabilities for that type): create then reports what libvirt says.
 */
export async function hostFailures(inputs: Properties): Promise<dynamic.CheckFailure[]> {
    if (containsUnknown(inputs)) return [];
    const parsed = parseDeclared(inputs);
    if (!parsed.ok) return [];
    let caps: Awaited<ReturnType<typeof domainCapabilitiesFor>>;
    try {
        caps = await domainCapabilitiesFor(await clientFor(parsed.resource.uri), parsed.model);
    } catch {
        return [];
    }
    return hostLimitFailures(parsed.model, caps, resolveUri(parsed.resource.uri));
}

/** `check` as the handler runs it: the inputs' own rules first, then the host's. */
export async function checkDomainWithHost(olds: Properties, news: Properties): Promise<dynamic.CheckResult> {
    const result = checkDomain(olds, news);
    if (result.failures?.length) return result;
    const failures = await hostFailures(result.inputs ?? {});
    return failures.length > 0 ? { ...result, failures } : result;
}
