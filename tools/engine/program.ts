/**
 * Runs a Pulumi program under the SDK's mock runtime with the recording monitor installed, waits until every
 * registration it started has finished, and resolves its stack outputs to wire form.
 */
import { resolve } from "node:path";
import type { PulumiSdk } from "./sdk";
import { makeSecret, type PropertyMap, UNKNOWN } from "./values";

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

/** Each top-level output is resolved on its own so that its secretness and knownness are kept per key. */
async function resolveOutputs(sdk: PulumiSdk, result: unknown): Promise<PropertyMap> {
    if (result === undefined || result === null || typeof result !== "object") return {};
    const outputs: PropertyMap = {};
    for (const [key, value] of Object.entries(result)) {
        if (value === undefined) continue;
        const out = sdk.pulumi.output(value) as any;
        const [v, known, secret] = await Promise.all([out.promise(), out.isKnown, out.isSecret]);
        const plain = known ? toJson(v) : UNKNOWN;
        outputs[key] = secret ? makeSecret(plain) : plain;
    }
    return outputs;
}

/** Stack outputs are stored as JSON; resources become their URN, as the engine shows them. */
function toJson(v: unknown): unknown {
    return JSON.parse(
        JSON.stringify(v ?? null, (_k, x) => {
            if (x && typeof x === "object" && "urn" in x && typeof x.urn === "object") return "[resource]";
            return x;
        }),
    );
}
