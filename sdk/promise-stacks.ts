/**
 * Registration without @pulumi/pulumi's per-promise stack traces.
 *
 * While a resource registers, @pulumi/pulumi wraps four promises for each of its output properties
 * (value, known, secret, dependencies) and captures and formats `new Error().stack` for each one,
 * only to print those stacks when the program runs with `PULUMI_DEBUG_PROMISE_LEAKS` set. For the
 * 400 Volumes and Domains of bench:stack's N = 200 stack that was 1.2 s of the 1.3 s the
 * constructors take, on the event loop before any step can start (bench:program-body).
 *
 * So each SDK class registers with stack capture off (`Error.stackTraceLimit = 0`) for the
 * synchronous span of its `super(...)` call, and restores the limit right after, whatever happens.
 * What it costs: an `Error` created in that span has no frames. An error thrown out of the
 * registration gets the stack of the class's constructor instead (so it still points at the
 * user's `new`). @pulumi/pulumi also creates one there to report a failed registration later; its
 * message names the resource and its type. The
 * resource's source position, which the engine records, is kept: @pulumi/pulumi captures it with
 * a limit of its own. With `PULUMI_DEBUG_PROMISE_LEAKS` set (the one case that reads the promises'
 * stacks) nothing is changed.
 */

/** The limit to restore; `undefined` when stacks were left on. */
export type StackPause = { readonly saved: number } | undefined;

/** Turns stack capture off for a registration, unless the user is debugging promise leaks. */
export function pausePromiseStacks(): StackPause {
    if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return undefined;
    const saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    return { saved };
}

/** Puts back what `pausePromiseStacks` changed. */
export function resumePromiseStacks(pause: StackPause): void {
    if (pause !== undefined) Error.stackTraceLimit = pause.saved;
}

/**
 * An error thrown while stacks were paused, given the stack of where it is rethrown (the class's
 * constructor, called from the user's program), after putting the limit back.
 */
export function withCallerStack(error: unknown, pause: StackPause): unknown {
    resumePromiseStacks(pause);
    if (pause !== undefined && error instanceof Error) Error.captureStackTrace(error, withCallerStack);
    return error;
}
