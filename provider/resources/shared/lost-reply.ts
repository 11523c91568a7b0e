/**
 * A changing call whose reply was lost with its connection (libvirtd restarted, or the link
 * dropped, after the call went out: the client's `isOutcomeUnknown()`). libvirt may or may not
 * have carried it out, so it is never sent again blindly (issue 16, item 3). Two ways, one per
 * kind of change:
 * - `checkedChange` (starts, volume creates, network updates): `found` looks, through reads that
 *   follow the client to its new connection, whether the change is in place. When it is, the call
 *   counts as done; when it is not, it never happened and is sent once more.
 * - `resendOnce` (the changes in RESEND_IS_IDEMPOTENT): sending the same call a second time leaves
 *   libvirt as one call would, so it is sent once more without looking.
 * Either way a line says what was done. Any other failure, or a second lost reply, is the
 * caller's as it is.
 */
import { LibvirtError } from "../../rpc";
import type { ResourceKind } from "./handler";
import { logInfo } from "./log";

/** What the change is, for the line: the kind and name of the object and the operation ("start"). */
export interface ChangeLabel {
    kind: ResourceKind;
    name: string;
    operation: string;
}

/** The changes that are sent once more after a lost reply without looking, and why that is safe. */
export const RESEND_IS_IDEMPOTENT = {
    // libvirt matches a define to the object of its name and UUID and replaces its definition:
    // the second define of one document replaces the first's result with the same definition.
    define: "a define of the same document (same name and UUID) is idempotent",
    redefine: "a define of the same document (same name and UUID) is idempotent",
    // virDomainSetAutostart, virNetworkSetAutostart, virStoragePoolSetAutostart set a flag.
    "set autostart": "setting autostart to the same value again is idempotent",
} as const;

export type IdempotentOperation = keyof typeof RESEND_IS_IDEMPOTENT;

function isLostReply(error: unknown): boolean {
    return LibvirtError.isInstance(error) && error.isOutcomeUnknown();
}

function lostLine(label: ChangeLabel): string {
    return `the reply to ${label.operation} was lost with the connection to libvirtd`;
}

/**
 * Runs `change`; after a lost reply, `found` looks for its result (undefined: not in place).
 * What it finds stands for the change's result; when it finds nothing, the change is sent again.
 */
export async function checkedChange<T>(
    label: ChangeLabel,
    change: () => Promise<T>,
    found: () => Promise<T | undefined>,
): Promise<T> {
    try {
        return await change();
    } catch (error) {
        if (!isLostReply(error)) throw error;
        const result = await found();
        if (result !== undefined) {
            logInfo(label.kind, label.name, `${lostLine(label)}; it had taken effect`);
            return result;
        }
        logInfo(label.kind, label.name, `${lostLine(label)}; it had not taken effect, so it is sent again`);
        return change();
    }
}

/**
 * Runs `change`, whose result is not trusted when its reply was lost (a volume libvirtd may have
 * been allocating or copying when it died): after a lost reply, `undo` removes what the lost call
 * made (true when there was something to remove) and the change is sent again.
 */
export async function redoneChange<T>(
    label: ChangeLabel,
    change: () => Promise<T>,
    undo: () => Promise<boolean>,
): Promise<T> {
    try {
        return await change();
    } catch (error) {
        if (!isLostReply(error)) throw error;
        const removed = await undo();
        const what = removed
            ? "it had taken effect, but what it made may be incomplete, so that is removed and the change sent again"
            : "it had not taken effect, so it is sent again";
        logInfo(label.kind, label.name, `${lostLine(label)}; ${what}`);
        return change();
    }
}

/** A change whose only result is its effect; `done` says whether it is in place. */
export async function changeOnce(
    label: ChangeLabel,
    change: () => Promise<unknown>,
    done: () => Promise<boolean>,
): Promise<void> {
    await checkedChange<unknown>(label, change, async () => ((await done()) ? true : undefined));
}

/** Runs an idempotent `change`; after a lost reply it is sent once more, and a line says so. */
export async function resendOnce<T>(
    label: ChangeLabel & { operation: IdempotentOperation },
    change: () => Promise<T>,
): Promise<T> {
    try {
        return await change();
    } catch (error) {
        if (!isLostReply(error)) throw error;
        logInfo(
            label.kind,
            label.name,
            `${lostLine(label)}; ${RESEND_IS_IDEMPOTENT[label.operation]}, so it is sent once more`,
        );
        return change();
    }
}
