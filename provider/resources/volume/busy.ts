/**
 * "The pool is busy": libvirt refuses some storage calls while another job runs in the same pool,
 * and the refusal clears by itself once that job ends. Provoked on libvirt 9.0 (a clone of an 8 GiB
 * volume running while other calls arrive), the codes are:
 *
 * - pool refresh or destroy during an asynchronous job (a clone, a build):
 *   VIR_ERR_INTERNAL_ERROR from VIR_FROM_STORAGE ("pool ... has asynchronous jobs running");
 * - delete, resize or clone of a volume still being written (the clone's target), or delete of a
 *   volume being read by a clone: VIR_ERR_OPERATION_INVALID from VIR_FROM_STORAGE ("still being
 *   allocated", "still in use");
 * - VIR_ERR_RESOURCE_BUSY, which other drivers and versions use for the same situations.
 *
 * These are classified by code, error domain and procedure (never by message text); callers retry
 * with the shared bounded backoff (`retryWhile` in shared/locks).
 */
import { LibvirtError, VirErrorDomain, VirErrorNumber } from "../../rpc";

/** Volume calls that libvirt refuses with OPERATION_INVALID while a job holds the volume. */
const VOLUME_JOB_PROCEDURES: ReadonlySet<string> = new Set([
    "STORAGE_VOL_DELETE",
    "STORAGE_VOL_RESIZE",
    "STORAGE_VOL_WIPE",
    "STORAGE_VOL_CREATE_XML_FROM",
    "STORAGE_VOL_UPLOAD",
]);

/** Pool calls that libvirt refuses with INTERNAL_ERROR while asynchronous jobs run in the pool. */
const POOL_JOB_PROCEDURES: ReadonlySet<string> = new Set(["STORAGE_POOL_REFRESH", "STORAGE_POOL_DESTROY"]);

/** True when an error means "another job holds this pool or volume; try again shortly". */
export function isPoolBusy(error: unknown): boolean {
    if (!LibvirtError.isInstance(error)) return false;
    if (error.code === VirErrorNumber.VIR_ERR_RESOURCE_BUSY) return true;
    if (error.domain !== VirErrorDomain.VIR_FROM_STORAGE || error.procedure === undefined) return false;
    if (error.code === VirErrorNumber.VIR_ERR_OPERATION_INVALID) return VOLUME_JOB_PROCEDURES.has(error.procedure);
    if (error.code === VirErrorNumber.VIR_ERR_INTERNAL_ERROR) return POOL_JOB_PROCEDURES.has(error.procedure);
    return false;
}
