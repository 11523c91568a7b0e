/**
 * One operation per stack at a time, as the engine's backends lock a stack: a second `up` of the
 * same state file fails at once, saying which process holds it, instead of both writing the state
 * and the last writer forgetting what the other created. The lock is a file created exclusively
 * beside the state (`<state>.lock`, holding the owner's pid); a lock whose process is gone (a
 * killed run) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        // EPERM: it exists but is not ours to signal.
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

function holder(lock: string): number | undefined {
    try {
        const pid = Number(readFileSync(lock, "utf8").trim());
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
        return undefined;
    }
}

/** Takes the lock of `stateFile`; returns its release. Throws when a live process holds it. */
export function lockState(stateFile: string): () => void {
    const lock = `${stateFile}.lock`;
    mkdirSync(dirname(stateFile), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            const fd = openSync(lock, "wx", 0o600);
            writeSync(fd, `${process.pid}\n`);
            closeSync(fd);
            return () => rmSync(lock, { force: true });
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
            const pid = holder(lock);
            if (pid !== undefined && pid !== process.pid && alive(pid)) {
                throw new Error(
                    `the stack's state ${stateFile} is locked by process ${pid} (another operation on this stack is running); ` +
                        `wait for it to finish, or remove ${lock} if that process is not a Pulumi run`,
                );
            }
            if (pid === process.pid) {
                throw new Error(`the stack's state ${stateFile} is already in use by an operation of this process`);
            }
            // The holder is gone (killed mid-run): take the lock over.
            rmSync(lock, { force: true });
        }
    }
    throw new Error(`could not take the lock ${lock}`);
}
