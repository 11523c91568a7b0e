/** Change lines for messages, with secret values (console passwords) never printed. */
import type { ClassifiedChange } from "../../model/change-policy";
import { touchesSecret } from "../../model/secret";
import { formatBytes } from "../../model/units";
import { DOMAIN_SECRET_PATHS } from "./args";

/** Size fields, which the model holds in bytes: shown as "96MiB" rather than 100663296. */
const SIZE_PATH =
    /^(memory|currentMemory|maxMemory\.size|memoryBacking\.hugepages\[\d+\]\.size|devices\.videos\[\d+\]\.vram)$/;
/** Below this a number is still the user's MiB (preview compares raw inputs when some are unknown). */
const SMALLEST_BYTES_SHOWN = 1024 * 1024;

/** Replaces the values of secret paths (and of anything holding one) with a marker. */
export function redact(changes: readonly ClassifiedChange[]): ClassifiedChange[] {
    return changes.map((c) =>
        touchesSecret(DOMAIN_SECRET_PATHS, c.path)
            ? {
                  ...c,
                  oldValue: c.oldValue === undefined ? undefined : "[secret]",
                  newValue: c.newValue === undefined ? undefined : "[secret]",
              }
            : c,
    );
}

function shown(value: unknown, path: string): string {
    if (value === undefined) return "(unset)";
    if (typeof value === "number" && value >= SMALLEST_BYTES_SHOWN && SIZE_PATH.test(path)) return formatBytes(value);
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One line per change: class, path, old -> new, why; secrets redacted. */
export function redactedChanges(changes: readonly ClassifiedChange[]): string[] {
    return redact(changes).map(
        (c) =>
            `  ${c.class.padEnd(9)} ${c.path}: ${shown(c.oldValue, c.path)} -> ${shown(c.newValue, c.path)} (${c.why})`,
    );
}
