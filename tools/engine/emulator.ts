/**
 * EngineEmulator: `pulumi up / preview / refresh / destroy` for programs made of dynamic resources, without the
 * Pulumi CLI. Programs run under the SDK's mock runtime; their registrations are played against the real,
 * deserialised providers with the engine's step rules (deployment.ts); state is a JSON file between runs.
 */
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { Deployment } from "./deployment";
import { GroupCommit } from "./group-commit";
import { EmulatedHost } from "./host";
import { removeDependentsFirst, Semaphore } from "./order";
import { installMocks, type Program, runProgram } from "./program";
import { ProviderLoader } from "./provider-loader";
import { createRecordingMonitor } from "./recording-monitor";
import { DeleteProtectedError, deletePendingCreate, deleteResource, refreshResource } from "./resource-steps";
import { loadSdk, type PulumiSdk } from "./sdk";
import { loadState, saveState, saveStateAsync } from "./state-file";
import { lockState } from "./state-lock";
import type { PendingOperation, RunSummary, StateFile, StateResource, Step, StepOp } from "./types";

export interface EmulatorOptions {
    /** The JSON state file, created on the first run. */
    stateFile: string;
    project: string;
    stack: string;
    /** Stack config; keys without a namespace get the project's (`key` → `project:key`), like `pulumi config set`. */
    config?: Record<string, string>;
    /**
     * The project folder. The program runs there and providers resolve their `require`s from it, as the engine
     * starts both in the project's folder (§2.3). The process changes into it for each operation. Default: cwd.
     */
    cwd?: string;
    /** At most this many steps at once; the CLI's default is 4 × CPUs. */
    parallel?: number;
}

/** A failed operation; the summary holds what was done before the failure (and saved to the state). */
export class EngineError extends Error {
    constructor(
        message: string,
        readonly summary: RunSummary,
    ) {
        super(message);
    }
}

export class EngineEmulator {
    private readonly config: Record<string, string>;

    constructor(private readonly options: EmulatorOptions) {
        this.config = {};
        for (const [k, v] of Object.entries(options.config ?? {}))
            this.config[k.includes(":") ? k : `${options.project}:${k}`] = v;
    }

    /** Runs the program and applies its steps. */
    up(program: Program): Promise<RunSummary> {
        return this.deploy("up", program);
    }

    /** Runs the program with check and diff only: nothing is created, updated or deleted, no state is written. */
    preview(program: Program): Promise<RunSummary> {
        return this.deploy("preview", program);
    }

    /** Reads every resource of the state and records drift and deletions. */
    refresh(): Promise<RunSummary> {
        return this.inProject("refresh", undefined, async (_sdk, host, state, summary) => {
            const semaphore = new Semaphore(this.parallel());
            const outcomes = await Promise.all(
                state.resources.map((r) => semaphore.run(async () => ({ r, outcome: await refreshResource(host, r) }))),
            );
            const kept: StateResource[] = [];
            for (const { r, outcome } of outcomes) {
                if (r.custom) summary.steps.push({ urn: r.urn, op: "refresh", detail: outcome.detail });
                if (outcome.resource) kept.push(outcome.resource);
            }
            state.resources = kept;
        });
    }

    /**
     * Deletes every resource, dependents first; before them, the objects of creates a killed run
     * left pending (nothing in the state depends on those: a dependent's create waits for them).
     */
    destroy(): Promise<RunSummary> {
        return this.inProject("destroy", undefined, async (_sdk, host, state, summary, _checkpoint, interrupted) => {
            const creates = interrupted.filter((o) => o.type === "creating");
            for (const [i, op] of creates.entries()) {
                let detail: string;
                try {
                    detail = await deletePendingCreate(host, op);
                } catch (e) {
                    // Still unresolved: the state keeps saying so.
                    state.pendingOperations = creates.slice(i);
                    throw new Error(
                        `${op.urn}: removing the object of an interrupted create failed: ${asError(e).message}`,
                    );
                }
                summary.steps.push({ urn: op.urn, op: "delete", detail });
            }
            const remaining = new Set(state.resources);
            try {
                await removeDependentsFirst(
                    state.resources,
                    this.parallel(),
                    async (r) => {
                        const detail = await deleteResource(host, r, false);
                        remaining.delete(r);
                        summary.steps.push({ urn: r.urn, op: "delete", ...(detail ? { detail } : {}) });
                    },
                    (e) => e instanceof DeleteProtectedError,
                );
            } finally {
                state.resources = state.resources.filter((r) => remaining.has(r));
            }
        });
    }

    private parallel(): number {
        return this.options.parallel ?? 4 * availableParallelism();
    }

    private deploy(operation: "up" | "preview", given: Program): Promise<RunSummary> {
        const preview = operation === "preview";
        // Resolved before changing into the project folder, so a relative path means what the caller meant.
        const program = typeof given === "string" ? resolve(given) : given;
        // A module program uses the SDK installed beside it; a function uses this tool's copy (the caller's).
        const programDir = typeof program === "string" ? dirname(program) : undefined;
        return this.inProject(operation, programDir, async (sdk, host, state, summary, checkpoint) => {
            const deployment = new Deployment(host, state, preview, this.parallel(), preview ? undefined : checkpoint);
            const monitor = createRecordingMonitor(sdk, deployment);
            await installMocks(sdk, monitor, this.options.project, this.options.stack, preview, this.config);
            const run = await runProgram(sdk, program);
            if (run.error && !deployment.errors.length) deployment.errors.push(asError(run.error));
            const next = await deployment.finish();
            summary.steps.push(...deployment.steps);
            summary.registrations.push(...deployment.registrations);
            summary.outputs = run.outputs;
            if (!preview) Object.assign(state, next);
            if (deployment.errors.length) throw new Error(deployment.errors.map((e) => e.message).join("\n"));
        });
    }

    /**
     * The frame of every operation: change into the project, load the state and a fresh host (the engine starts
     * one host process per operation, so providers are configured once per operation), run, save, summarise.
     */
    private async inProject(
        operation: RunSummary["operation"],
        programDir: string | undefined,
        body: (
            sdk: PulumiSdk,
            host: EmulatedHost,
            state: StateFile,
            summary: RunSummary,
            checkpoint: (snapshot: () => StateFile) => Promise<void>,
            /** The operations a killed run left in flight (reported, and dropped from the state). */
            interrupted: PendingOperation[],
        ) => Promise<void>,
    ): Promise<RunSummary> {
        const started = Date.now();
        const previousCwd = process.cwd();
        const summary: RunSummary = {
            operation,
            steps: [],
            outputs: {},
            registrations: [],
            counts: emptyCounts(),
            durationMs: 0,
        };
        const stateFile = resolve(this.options.stateFile);
        // Taken before anything runs and released when all is saved, even after a failure.
        const unlock = lockState(stateFile);
        if (this.options.cwd) process.chdir(this.options.cwd);
        try {
            const sdk = loadSdk(programDir);
            const state = loadState(stateFile, this.options.project, this.options.stack);
            // As the engine does: operations a killed run left in flight are reported and dropped.
            const interrupted = state.pendingOperations ?? [];
            for (const op of interrupted) {
                process.stderr.write(
                    `warning: the previous operation on this stack did not finish: ${op.type} ${op.urn} was in flight; ` +
                        "its object may exist in libvirt without being in the state\n",
                );
            }
            delete state.pendingOperations;
            const host = new EmulatedHost(new ProviderLoader(sdk, this.config, this.options.project));
            let failure: unknown;
            // The steps' checkpoints, grouped (group-commit.ts); all are done before the final save.
            let latest: (() => StateFile) | undefined;
            const checkpoints = new GroupCommit(() => saveStateAsync(stateFile, latest!()));
            const checkpoint = (snapshot: () => StateFile) => {
                latest = snapshot;
                return checkpoints.commit();
            };
            try {
                await body(sdk, host, state, summary, checkpoint, interrupted);
            } catch (e) {
                failure = e;
            } finally {
                await checkpoints.idle();
            }
            summary.counts = countSteps(summary.steps);
            summary.durationMs = Date.now() - started;
            if (summary.operation !== "preview") saveState(stateFile, state);
            if (failure) throw new EngineError(asError(failure).message, summary);
            return summary;
        } finally {
            process.chdir(previousCwd);
            unlock();
        }
    }
}

function emptyCounts(): Record<StepOp, number> {
    return { create: 0, same: 0, update: 0, replace: 0, delete: 0, read: 0, refresh: 0 };
}

/** Counted as `pulumi up` does: a replacement's own delete is part of the replacement, not a deletion. */
function countSteps(steps: Step[]): Record<StepOp, number> {
    const counts = emptyCounts();
    const replaced = new Set(steps.filter((s) => s.op === "replace").map((s) => s.urn));
    for (const s of steps) if (!(s.op === "delete" && replaced.has(s.urn))) counts[s.op]++;
    return counts;
}

function asError(e: unknown): Error {
    return e instanceof Error ? e : new Error(String(e));
}
