/**
 * A volume create that fails after libvirt made the volume removes it again; when even that fails,
 * the RollbackError carries the volume so the handler records it as a partial create (the next run
 * updates or deletes it). Volume and CloudInit creates share this.
 */
import type { RemoteNonnullStorageVol } from "../../rpc";
import { deleteVolume, type PoolHandle } from "./libvirt";

/** A rollback failed after a failed create: the volume may be left behind. */
export class RollbackError extends Error {
    constructor(
        message: string,
        readonly vol: RemoteNonnullStorageVol,
        readonly problems: string[],
    ) {
        super(message);
        this.name = "RollbackError";
    }
}

/** Runs `fill` on the new volume `vol`; if it fails, deletes the volume and rethrows. */
export async function deleteOnFailure<T>(
    handle: PoolHandle,
    vol: RemoteNonnullStorageVol,
    fill: () => Promise<T>,
): Promise<T> {
    try {
        return await fill();
    } catch (error) {
        try {
            await deleteVolume(handle, vol, false);
        } catch (undoError) {
            throw new RollbackError(
                `${(error as Error).message}; deleting the half-made volume failed too: ${(undoError as Error).message}`,
                vol,
                [(error as Error).message, (undoError as Error).message],
            );
        }
        throw error;
    }
}

/** The RollbackError behind an error (itself, or the cause a step wrapped it in), if any. */
export function rollbackOf(error: unknown): RollbackError | undefined {
    if (error instanceof RollbackError) return error;
    return error instanceof Error && error.cause instanceof RollbackError ? error.cause : undefined;
}
