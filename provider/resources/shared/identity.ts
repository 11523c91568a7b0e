/**
 * Identity, not names, decides what a delete may touch: each kind records the identity of the
 * object it created or adopted (a UUID, a volume key, a reservation as written) and deletes only
 * an object that still has it. An object that carries the name but not the identity belongs to
 * someone else (recreated outside Pulumi, or made by another resource) and is left alone; this is
 * the one warning every kind gives for it.
 */
import type { ResourceKind } from "./handler";
import { logWarning } from "./log";

/**
 * Says that the object named `name` was left alone: `found` is the identity it has now, `recorded`
 * the one this resource owns (`what` names the identity: "UUID", "key", ...).
 */
export function warnLeftAlone(kind: ResourceKind, name: string, what: string, found: string, recorded: string): void {
    logWarning(
        kind,
        name,
        `left alone: it now has ${what} ${found}, not ${recorded} as this resource created or adopted it; someone else re-made or changed it, so it is theirs. Remove it by hand if it is not wanted.`,
    );
}
