/** Shared set-up for the engine emulator tests: a fresh fixture project and an emulator over its state. */
import { type EmulatorOptions, EngineEmulator } from "../../tools/engine/emulator";
import * as runtime from "../fixtures/engine/json-file-runtime";
import { type FixtureProject, makeFixtureProject } from "../fixtures/engine/project";

export interface EngineFixture extends FixtureProject {
    engine(options?: Partial<EmulatorOptions>): EngineEmulator;
    /** The provider calls so far as "method name" strings, optionally only those of some methods. */
    calls(...methods: string[]): string[];
    resetCalls(): void;
}

export function engineFixture(): EngineFixture {
    const project = makeFixtureProject();
    runtime.resetCalls();
    return {
        ...project,
        engine: (options) =>
            new EngineEmulator({
                stateFile: project.stateFile,
                project: "proj",
                stack: "dev",
                cwd: project.dir,
                ...options,
            }),
        calls: (...methods) =>
            runtime.calls
                .filter((c) => methods.length === 0 || methods.includes(c.method))
                .map((c) => (c.name ? `${c.method} ${c.name}` : c.method)),
        resetCalls: () => runtime.resetCalls(),
    };
}

/** The resource name part of a URN. */
export function nameOf(urn: string): string {
    return urn.split("::").pop() ?? urn;
}
