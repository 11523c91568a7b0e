/**
 * Runs a Pulumi program under the SDK's mock runtime with the recording monitor installed, waits until every
 * registration it started has finished, and resolves its stack outputs to wire form.
 */
import { resolve } from "node:path";
import type { PulumiSdk } from "./sdk";
import { type PropertyMap, RESOURCE_SIG, SIG_KEY } from "./values";

/** A program: a function (its result is the stack outputs) or the path of a compiled CommonJS module. */
export type Program = (() => unknown) | string;

export interface ProgramRun {
    outputs: PropertyMap;
    /** Errors the program itself raised (registration failures surface here too). */
    error?: unknown;
}

export async function installMocks(
    sdk: PulumiSdk,
    monitor: unknown,
    project: string,
    stack: string,
    preview: boolean,
    config: Record<string, string>,
): Promise<void> {
    await sdk.mocks.setMocks({ newResource: () => ({}), call: () => ({}) }, project, stack, preview);
    // setMocks installs a plain MockMonitor; with monitor address "mock" the SDK asks settings.monitor for it.
    sdk.state.getStore().settings.monitor = monitor;
    sdk.runtimeConfig.setAllConfig(config);
}

/** Loads a module program afresh (so a second `up` in one process runs it again), like the language host. */
function loadModule(path: string): unknown {
    const file = require.resolve(resolve(path));
    delete require.cache[file];
    let exported = require(file);
    if (exported?.__esModule && typeof exported.default === "function") exported = exported.default;
    return exported;
}

export async function runProgram(sdk: PulumiSdk, program: Program): Promise<ProgramRun> {
    // Registration failures also reject outputs nobody awaits; keep them from killing the process (the real
    // language host reports them and exits non-zero, which the caller does with the recorded errors).
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        let result: unknown;
        let error: unknown;
        try {
            const exported = typeof program === "string" ? loadModule(program) : program;
            result = typeof exported === "function" ? await exported() : exported;
        } catch (e) {
            error = e;
        }
        await sdk.settings.waitForRPCs();
        const outputs = error ? {} : await resolveOutputs(sdk, result);
        await sdk.settings.waitForRPCs();
        // Let rejected promises that nobody handles be noticed before the listener goes.
        await new Promise((r) => setImmediate(r));
        return { outputs, error: error ?? rejections[0] };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

/**
 * The outputs as the SDK sends them to the engine (its own serialisation): a secret stays wrapped
 * where it is, however deep (the engine keeps `{list: [secret]}` as such; lifting the whole output
 * to a secret was a difference test/cli/emulator-parity.test.ts found), unknowns are the sentinel.
 */
async function resolveOutputs(sdk: PulumiSdk, result: unknown): Promise<PropertyMap> {
    if (result === undefined || result === null || typeof result !== "object") return {};
    const wire = await sdk.pulumi.runtime.serializeProperties("stack outputs", result as Record<string, unknown>);
    const outputs: PropertyMap = {};
    for (const [key, value] of Object.entries(wire)) {
        if (value !== undefined) outputs[key] = toJson(value);
    }
    return outputs;
}

/** Stack outputs are stored as JSON; a resource (a wire reference) is shown as "[resource]". */
function toJson(v: unknown): unknown {
    return JSON.parse(
        JSON.stringify(v ?? null, (_k, x) => {
            if (x && typeof x === "object" && x[SIG_KEY] === RESOURCE_SIG) return "[resource]";
            return x;
        }),
    );
}
