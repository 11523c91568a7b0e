/** Loads and saves the emulator's JSON state between runs (the role of Pulumi's checkpoint). */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { StateFile } from "./types";

export function loadState(path: string, project: string, stack: string): StateFile {
    if (!existsSync(path)) return { version: 1, project, stack, resources: [] };
    const state = JSON.parse(readFileSync(path, "utf8")) as StateFile;
    if (state.version !== 1) throw new Error(`${path}: unsupported state version ${String(state.version)}`);
    if (state.project !== project || state.stack !== stack)
        throw new Error(`${path} holds stack ${state.project}/${state.stack}, not ${project}/${stack}`);
    return state;
}

/** Writes through a temporary file so an interrupted run never leaves half a state behind. */
export function saveState(path: string, state: StateFile): void {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(tmp, path);
}
