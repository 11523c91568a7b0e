/**
 * A changing call whose reply was lost with its connection (libvirtd restarted, or the link
 * dropped, after the call went out: the client's `isOutcomeUnknown()`). libvirt may or may not
 * have carried it out, so it is never sent again blindly (issue 16, item 3): `done` looks, through
 * reads that follow the client to its new connection, whether the change is in place. When it is,
 * the call counts as done; when it is not, it never happened and is sent once more. Either way a
 * line says what was found. Any other failure, or a second lost reply, is the caller's as it is.
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

export async function changeOnce(
    label: ChangeLabel,
    change: () => Promise<unknown>,
    done: () => Promise<boolean>,
): Promise<void> {
    try {
        await change();
    } catch (error) {
        if (!(LibvirtError.isInstance(error) && error.isOutcomeUnknown())) throw error;
        const lost = `the reply to ${label.operation} was lost with the connection to libvirtd`;
        if (await done()) {
            logInfo(label.kind, label.name, `${lost}; it had taken effect`);
            return;
        }
        logInfo(label.kind, label.name, `${lost}; it had not taken effect, so it is sent again`);
        await change();
    }
}
