/**
 * One engine emulator operation as a command runs it (the engine's own CLI and the lab's fallback):
 * the summary printed, also for a run that failed part-way, and the exit code.
 */
import type { EngineEmulator } from "./emulator";
import { EngineError } from "./emulator";
import { formatSummary } from "./report";

export const OPERATIONS = ["up", "preview", "refresh", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Runs `operation` (up and preview on the compiled `program`); 0 when it succeeded, 1 when not. */
export async function runOperation(
    engine: EngineEmulator,
    operation: Operation,
    program: string,
    label: string,
): Promise<number> {
    try {
        const summary =
            operation === "up"
                ? await engine.up(program)
                : operation === "preview"
                  ? await engine.preview(program)
                  : operation === "refresh"
                    ? await engine.refresh()
                    : await engine.destroy();
        console.log(formatSummary(summary, label));
        return 0;
    } catch (e) {
        if (e instanceof EngineError) console.log(formatSummary(e.summary, label));
        console.error(`\nerror: ${(e as Error).message}`);
        return 1;
    }
}
