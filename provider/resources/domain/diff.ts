/**
 * Diff: the change classifier over the old and new models (via the shared diff), printed with
 * console passwords redacted. Replacement fields go in `replaces`; keeping an explicit name on the
 * same host makes the replacement delete first (libvirt names are unique per host).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { strongestClass } from "../../model/change-policy";
import { classifyResourceChanges, keepsExplicitName, replacedKeys, type UriChange } from "../shared/diff";
import type { Properties } from "../shared/handler";
import { logInfo } from "../shared/log";
import { parseOrThrow } from "./parse";
import { redactedChanges } from "./redact";

/** Settings of the resource itself: a change is stored (an update with nothing to do to the guest). */
const DOMAIN_RESOURCE_FIELDS = {
    restartPolicy: "live",
    shutdownTimeoutSeconds: "live",
    waitForIp: "live",
} as const;

export function diffDomain(olds: Properties, news: Properties, uriChange?: UriChange): dynamic.DiffResult {
    const changes = classifyResourceChanges({
        kind: "Domain",
        policyKind: "domain",
        olds,
        news,
        toModel: (props) => parseOrThrow(props, "diff").model,
        resourceFields: DOMAIN_RESOURCE_FIELDS,
        uriChange,
    });
    if (changes.length === 0) return { changes: false };
    const name = news.name ?? olds.name;
    logInfo(
        "Domain",
        name,
        [`${changes.length} change(s), strongest: ${strongestClass(changes)}`, ...redactedChanges(changes)].join("\n"),
    );
    const replaces = replacedKeys(changes);
    if (replaces.length === 0) return { changes: true };
    // An explicit name kept deletes first, whatever forces the replacement (see keepsExplicitName).
    return keepsExplicitName("name", olds, news)
        ? { changes: true, replaces, deleteBeforeReplace: true }
        : { changes: true, replaces };
}
