/**
 * Error text for every kind: which object, what was being done, libvirt's message and code name.
 * The thrown message is what Pulumi shows against the resource, so it carries everything needed to
 * act on it. Classification is by libvirt's error code, never by message text.
 */
import { LibvirtError } from "../../rpc";
import type { Properties, ResourceKind } from "./handler";
import { objectLabel } from "./log";

/** libvirt's message with its code name, or the message of any other error. */
export function describeError(error: unknown): string {
    if (LibvirtError.isInstance(error)) return `${error.libvirtMessage} [${error.codeName}]`;
    if (error instanceof Error) return error.message;
    return String(error);
}

/** An operation on one object failed; keeps libvirt's code for callers that classify. */
export class ResourceOperationError extends Error {
    /** libvirt's error code when libvirt reported the failure. */
    readonly code: number | undefined;
    constructor(
        readonly kind: ResourceKind,
        readonly objectName: string | undefined,
        readonly action: string,
        override readonly cause: unknown,
    ) {
        super(`${objectLabel(kind, objectName)}: ${action} failed: ${describeError(cause)}`);
        this.name = "ResourceOperationError";
        this.code = LibvirtError.isInstance(cause) ? cause.code : undefined;
    }
}

/** Wraps an error as `<Kind> '<name>': <action> failed: <message> [VIR_ERR_...]`. */
export function operationError(kind: ResourceKind, name: unknown, action: string, cause: unknown): Error {
    return new ResourceOperationError(kind, typeof name === "string" ? name : undefined, action, cause);
}

/**
 * An update found its object gone (removed outside Pulumi): there is nothing to change in place, and
 * the fix is a refresh (which forgets it) and an up (which does `again`: "recreate it"...).
 */
export function goneBeforeUpdateError(kind: ResourceKind, label: string, uri: string, again: string): Error {
    return new Error(
        `${kind} '${label}' no longer exists on ${uri} (removed outside Pulumi); run a refresh, then up again to ${again}`,
    );
}

/** Runs one step of an operation; a failure is rethrown naming the object and the step. */
export async function step<T>(kind: ResourceKind, name: unknown, action: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (error) {
        if (error instanceof ResourceOperationError) throw error;
        throw operationError(kind, name, action, error);
    }
}

/** The LibvirtError inside an error (itself, or the cause of a wrapped one), if any. */
export function libvirtCause(error: unknown): LibvirtError | undefined {
    if (LibvirtError.isInstance(error)) return error;
    if (error instanceof ResourceOperationError) return libvirtCause(error.cause);
    return undefined;
}

/**
 * A create that succeeded in making the object but failed afterwards. The host packs `id`,
 * `properties` and `reasons` into ErrorResourceInitFailed, so the engine records the object and
 * retries with an update next time. `properties` must spread the inputs so `__provider` survives.
 * The host does the same for update (Domain: an update that failed after changing something
 * reports the real state this way, see domain/update.ts).
 */
export class PartialCreateError extends Error {
    constructor(
        message: string,
        readonly id: string,
        readonly properties: Properties,
        readonly reasons: string[],
    ) {
        super(message);
        this.name = "PartialCreateError";
    }
}

/** A partial-create error for `kind` `name` (see `PartialCreateError`). */
export function partialCreateError(
    kind: ResourceKind,
    name: string,
    id: string,
    properties: Properties,
    cause: unknown,
): PartialCreateError {
    const reason = describeError(cause);
    return new PartialCreateError(`${objectLabel(kind, name)}: created but not ready: ${reason}`, id, properties, [
        reason,
    ]);
}

/** Runs cleanup steps after a failure, collecting (not throwing) their own errors. */
export async function rollback(steps: readonly (() => Promise<unknown>)[]): Promise<string[]> {
    const problems: string[] = [];
    for (const undo of steps) {
        try {
            await undo();
        } catch (error) {
            problems.push(describeError(error));
        }
    }
    return problems;
}
