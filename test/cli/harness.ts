/**
 * Tier (d): programs under the real Pulumi engine, the CLI that scripts/setup-test-host.sh builds
 * from its Go module, driven through the Automation API (tools/lab/automation.ts says why: no
 * Node.js language host is served, inline programs need none). Each scenario has its own project
 * folder, file backend and stack; the steps the engine took are collected from its event stream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
    DestroyResult,
    EngineEvent,
    OpMap,
    PreviewResult,
    PulumiFn,
    RefreshResult,
    Stack,
    UpResult,
} from "@pulumi/pulumi/automation";
import { moduleProgram, openCliStack } from "../../tools/lab/automation";
import { linkPackage } from "../../tools/lab/project";
import { pulumiCliPath } from "../../tools/lab/pulumi-cli";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import { removeTestObjects } from "../helpers/virsh";

/** The passphrase of the test stacks: the secrets tests look for ciphertext made with it. */
export const PASSPHRASE = "pltest-passphrase";

/** The CLI the test host built; a message saying how to get it when it is missing. */
export function testCli(): string {
    const host = loadTestHost();
    const cli = pulumiCliPath({ PULUMI_CLI: host.pulumiCli });
    if (!cli)
        throw new Error(
            `the Pulumi CLI ${host.pulumiCli} is missing: run \`sudo bash scripts/setup-test-host.sh\` (it builds it with Go)`,
        );
    return cli;
}

/** One step of the engine, as "op name" (the URN's last part), e.g. "update vm1". */
export interface Steps {
    /** Every step's "op name" in the order the engine reported them. */
    all: string[];
    /** The steps that changed something (not same, read or refresh of an unchanged resource). */
    changes: string[];
}

export interface CliRun<T> {
    result: T;
    steps: Steps;
    /** Everything the CLI printed. */
    output: string;
    /** The engine's info and warning diagnostics (the provider's change summaries among them). */
    diagnostics: string[];
}

export interface CliScenario {
    dir: string;
    prefix: string;
    stack(): Promise<Stack>;
    /** Sets stack config (keys without a namespace are the project's). */
    config(values: Record<string, string>): Promise<void>;
    up(program: PulumiFn, opts?: { target?: string[] }): Promise<CliRun<UpResult>>;
    preview(program: PulumiFn, opts?: { expectNoChanges?: boolean }): Promise<CliRun<PreviewResult>>;
    refresh(opts?: { expectNoChanges?: boolean }): Promise<CliRun<RefreshResult>>;
    destroy(): Promise<CliRun<DestroyResult>>;
    /** Stops a running operation, then removes the scenario's libvirt objects and folders. */
    cleanup(): void;
}

const QUIET_OPS = new Set(["same", "read", "refresh"]);

/**
 * The longest one engine operation may take, unless the scenario says otherwise, before the harness
 * stops it: below the runner's per-test timeout (scripts/test.sh), so a stuck operation fails with
 * the CLI's output instead of leaving a child process that keeps the test file alive. Scenarios
 * that boot a cloud image and wait for it (minutes under load) pass their own bound.
 */
const OPERATION_BOUND_MS = 240_000;

/** A changed-nothing op map: only "same" counts. */
export function onlySame(map: OpMap | undefined): boolean {
    return Object.entries(map ?? {}).every(([op, n]) => op === "same" || !n);
}

interface Collector {
    onEvent: (e: EngineEvent) => void;
    steps: Steps;
    diagnostics: string[];
}

/** Records the diagnostics a user sees (not the SDK's debug lines). */
function noteDiagnostic(e: EngineEvent, into: string[]): void {
    const d = e.diagnosticEvent;
    if (d && (d.severity === "info" || d.severity === "warning" || d.severity === "error")) into.push(d.message);
}

/**
 * Collects the steps from the engine's events: a preview reports each planned step before it
 * (resourcePreEvent), the other operations each finished or failed one (resOutputs/resOpFailed).
 */
function collector(planned: boolean): Collector {
    const steps: Steps = { all: [], changes: [] };
    const diagnostics: string[] = [];
    return {
        steps,
        diagnostics,
        onEvent: (e) => {
            noteDiagnostic(e, diagnostics);
            const m = planned
                ? e.resourcePreEvent?.metadata
                : (e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata);
            if (!m || m.type === "pulumi:pulumi:Stack" || m.type.startsWith("pulumi:providers:")) return;
            const step = `${m.op} ${m.urn.split("::").pop()}`;
            steps.all.push(step);
            if (!QUIET_OPS.has(m.op) || (!planned && m.op === "refresh" && m.diffs?.length)) steps.changes.push(step);
        },
    };
}

/**
 * A scenario whose libvirt objects all start with `prefix` (which must start with "pltest-").
 * Leftovers of an earlier failed run are removed first.
 */
export function cliScenario(prefix: string, opts: { project?: string; operationBoundMs?: number } = {}): CliScenario {
    const project = opts.project ?? "pltest-cli";
    const bound = opts.operationBoundMs ?? OPERATION_BOUND_MS;
    if (!prefix.startsWith("pltest-")) throw new Error(`scenario prefix ${prefix} must start with pltest-`);
    const cli = testCli();
    removeTestObjects(prefix);
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    linkPackage(dir, PROJECT_ROOT);
    let stack: Promise<Stack> | undefined;
    const open = () => {
        stack ??= openCliStack({
            cli,
            dir,
            project,
            stack: "pltest",
            // Every operation passes its own program; this one is never run.
            program: join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"),
            stateRoot: join(dir, ".pulumi-state"),
            passphrase: PASSPHRASE,
        });
        return stack;
    };
    // Every operation runs under its own abort controller: one that outlives its bound is stopped
    // (the Automation API sends the CLI SIGINT, which cancels and releases the stack's lock), and
    // destroy/cleanup stop whatever a timed-out test left running before they touch the stack.
    const running = new Set<{ controller: AbortController; done: Promise<unknown> }>();
    const stopRunning = async () => {
        for (const op of running) op.controller.abort();
        await Promise.allSettled([...running].map((op) => op.done));
    };
    const operation = async <T>(
        name: string,
        run: (o: { signal: AbortSignal; onOutput: (s: string) => void }) => Promise<T>,
    ): Promise<{ result: T; output: string }> => {
        const chunks: string[] = [];
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), bound);
        const done = run({ signal: controller.signal, onOutput: (s) => chunks.push(s) });
        const op = { controller, done };
        running.add(op);
        try {
            return { result: await done, output: chunks.join("") };
        } catch (e) {
            if (!controller.signal.aborted) throw e;
            const tail = chunks.join("").slice(-4000);
            throw new Error(
                `pulumi ${name} (stack of ${prefix}) was stopped: it did not finish within ${bound / 1000} s, or the test ended first. Its output so far:\n${tail}`,
                { cause: e },
            );
        } finally {
            clearTimeout(timer);
            running.delete(op);
        }
    };
    return {
        dir,
        prefix,
        stack: open,
        config: async (values) => {
            await (await open()).setAllConfig(
                Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }])),
            );
        },
        up: async (program, opts) => {
            const { onEvent, steps, diagnostics } = collector(false);
            const stack = await open();
            const { result, output } = await operation("up", (o) =>
                stack.up({ program, onEvent, color: "never", target: opts?.target, ...o }),
            );
            return { result, steps, output, diagnostics };
        },
        preview: async (program, opts) => {
            const { onEvent, steps, diagnostics } = collector(true);
            const stack = await open();
            const { result, output } = await operation("preview", (o) =>
                stack.preview({
                    program,
                    onEvent,
                    color: "never",
                    diff: true,
                    expectNoChanges: opts?.expectNoChanges,
                    ...o,
                }),
            );
            return { result, steps, output, diagnostics };
        },
        refresh: async (opts) => {
            const { onEvent, steps, diagnostics } = collector(false);
            const stack = await open();
            const { result, output } = await operation("refresh", (o) =>
                stack.refresh({ onEvent, color: "never", expectNoChanges: opts?.expectNoChanges, ...o }),
            );
            return { result, steps, output, diagnostics };
        },
        destroy: async () => {
            await stopRunning();
            const { onEvent, steps, diagnostics } = collector(false);
            const stack = await open();
            const { result, output } = await operation("destroy", (o) =>
                stack.destroy({ onEvent, color: "never", ...o }),
            );
            return { result, steps, output, diagnostics };
        },
        cleanup: () => {
            for (const op of running) op.controller.abort();
            removeTestObjects(prefix);
            rmSync(`/var/lib/libvirt/${prefix}-pool`, { recursive: true, force: true });
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** A program that loads a compiled example afresh (its exports become the stack's outputs). */
export function exampleModule(name: string): PulumiFn {
    return moduleProgram(join(PROJECT_ROOT, "dist", "examples", name, "index.js"));
}
