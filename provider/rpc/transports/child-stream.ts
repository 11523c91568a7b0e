import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { Duplex } from "node:stream";

/** How much of the child's stderr to keep for error messages (the end is what explains a failure). */
export const STDERR_TAIL_BYTES = 4096;

/** Builds the error reported when the child exits unexpectedly. */
export type ChildFailure = (exit: string, stderr: string) => Error;

/**
 * A child process's stdout (read side) and stdin (write side) as one Duplex.
 *
 * The read side ends only once the child has exited: a clean exit (code 0) is an ordinary end of
 * stream, any other exit destroys the stream with `failure(...)` built from the stderr tail, so
 * "Host key verification failed" reaches the caller instead of a bare EOF.
 */
export class ChildProcessStream extends Duplex {
    private stderrTail: Buffer = Buffer.alloc(0);
    private killedByUs = false;

    constructor(
        private readonly child: ChildProcessWithoutNullStreams,
        private readonly failure: ChildFailure,
    ) {
        super();
        child.stdout.on("data", (chunk: Buffer) => {
            if (!this.push(chunk)) child.stdout.pause();
        });
        child.stderr.on("data", (chunk: Buffer) => {
            const joined = Buffer.concat([this.stderrTail, chunk]);
            this.stderrTail = joined.subarray(Math.max(0, joined.length - STDERR_TAIL_BYTES));
        });
        // EPIPE when the child dies first: its exit status and stderr explain why, reported below.
        child.stdin.on("error", () => {});
        child.on("close", (code, signal) => this.onChildClose(code, signal));
    }

    /** The last STDERR_TAIL_BYTES of the child's stderr, trimmed. */
    stderrText(): string {
        return this.stderrTail.toString("utf8").trim();
    }

    /** Terminate the child; the stream then ends without an error. */
    kill(): void {
        this.killedByUs = true;
        if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    }

    private onChildClose(code: number | null, signal: NodeJS.Signals | null): void {
        if (this.destroyed) return;
        if (code === 0 || this.killedByUs) {
            this.push(null);
            return;
        }
        const exit = code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
        this.destroy(this.failure(exit, this.stderrText()));
    }

    override _read(): void {
        this.child.stdout.resume();
    }

    override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
        if (this.child.stdin.write(chunk)) callback();
        else this.child.stdin.once("drain", () => callback());
    }

    override _final(callback: (error?: Error | null) => void): void {
        this.child.stdin.end();
        callback();
    }

    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
        this.kill();
        callback(error);
    }
}
