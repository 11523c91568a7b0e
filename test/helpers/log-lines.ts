/** The provider's log lines while a piece of code runs, for tests of what it tells the user. */
import { setLogSink } from "../../provider/resources/shared/log";

/** Runs `fn` with the provider's log captured (and kept off the console); the lines it logged. */
export async function logLinesOf(fn: () => unknown): Promise<string[]> {
    const lines: string[] = [];
    const restore = setLogSink((_level, line) => lines.push(line));
    try {
        await fn();
    } finally {
        restore();
    }
    return lines;
}
