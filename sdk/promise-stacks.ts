/**
 * @pulumi/pulumi's `debuggablePromise` records `new Error().stack` on every promise it makes while a
 * resource registers (one or two per property, and our classes declare 11 to 23), to show them in
 * its report of leaked promises, and only there when `PULUMI_DEBUG_PROMISE_LEAKS` is set. Capturing
 * and formatting those stacks was about 60% of the program's CPU in an empty `up` (bench:empty-up,
 * profiled). So while a class's constructor hands its props to Pulumi, no stack frames are captured,
 * unless that variable asks for them.
 */

/**
 * Stops capturing stack frames until the returned function runs (the constructor calls it right
 * after `super`); should `super` throw, the next microtask restores the limit anyway. The error of
 * such a throw keeps its message but has no frames.
 */
export function pausePromiseStacks(): () => void {
    if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return () => {};
    const saved = Error.stackTraceLimit;
    let restored = false;
    const restore = () => {
        if (restored) return;
        restored = true;
        Error.stackTraceLimit = saved;
    };
    Error.stackTraceLimit = 0;
    queueMicrotask(restore);
    return restore;
}
