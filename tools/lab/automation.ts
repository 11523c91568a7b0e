/**
 * Running a compiled Pulumi program under the real Pulumi CLI through the Automation API.
 *
 * The CLI that the test host builds from its Go module has no Node.js language host: that plugin
 * (`pulumi-language-nodejs`) is a Go module of its own that the module proxy does not serve. The
 * Automation API's inline programs need none: the program runs in this process, which serves it
 * to the CLI's engine over gRPC (`--client`). Everything else is the real engine: steps, diffs,
 * checkpoints, secrets encryption, the dynamic-provider host (started by the
 * `pulumi-resource-pulumi-nodejs` launcher next to the CLI: Pulumi's distribution bundles one, and
 * scripts/setup-test-host.sh writes one beside the CLI it builds).
 */
import { existsSync, mkdirSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import {
    type ConfigMap,
    type EngineEvent,
    LocalWorkspace,
    PulumiCommand,
    type PulumiFn,
    Stack,
    type UpOptions,
    type Workspace,
} from "@pulumi/pulumi/automation";

export interface CliStackOptions {
    /** The `pulumi` binary. */
    cli: string;
    /** The project folder: the program's and the provider host's working folder, with Pulumi.yaml. */
    dir: string;
    project: string;
    stack: string;
    /** The compiled program module (its exports become the stack outputs). */
    program: string;
    /** Holds the file backend (`backend/`) and PULUMI_HOME (`home/`). */
    stateRoot: string;
    /** Encrypts the stack's secrets (the passphrase secrets provider). */
    passphrase: string;
    /** Stack config; keys without a namespace belong to the project. */
    config?: Record<string, string>;
    /** The CLI as the Automation API checked it, when the caller started that check early. */
    pulumiCommand?: Promise<PulumiCommand>;
}

/**
 * The environment the CLI runs in: a local file backend (no login), the passphrase, no update
 * checks, and a PATH on which the dynamic-provider launcher finds this process's Node (24).
 */
export function cliEnvironment(o: Pick<CliStackOptions, "cli" | "stateRoot" | "passphrase">): Record<string, string> {
    const backend = join(o.stateRoot, "backend");
    const home = join(o.stateRoot, "home");
    mkdirSync(backend, { recursive: true });
    mkdirSync(home, { recursive: true });
    const path = [dirname(o.cli), dirname(process.execPath), process.env.PATH ?? ""].join(delimiter);
    return {
        PATH: path,
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_HOME: home,
        PULUMI_CONFIG_PASSPHRASE: o.passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
}

/**
 * A program function that loads the compiled module afresh on every run, so that a test can run
 * the same program several times in one process with changed config.
 */
export function moduleProgram(path: string): PulumiFn {
    return async () => {
        delete require.cache[require.resolve(path)];
        const exports = require(path) as Record<string, unknown>;
        return { ...exports };
    };
}

/**
 * Creates (or selects) the stack and sets its config. Each CLI call costs a start of the 117 MiB
 * CLI (0.1-0.5 s here), so the ones that would change nothing are left out: the select of a stack
 * that the file backend already holds (every command names its stack with --stack anyway), and
 * the config when the stack's settings file already has those values.
 */
export async function openCliStack(o: CliStackOptions): Promise<Stack> {
    const envVars = cliEnvironment(o);
    const pulumiCommand = await (o.pulumiCommand ?? PulumiCommand.get({ root: dirname(dirname(o.cli)) }));
    const workspace = await LocalWorkspace.create({
        workDir: o.dir,
        program: moduleProgram(o.program),
        pulumiCommand,
        envVars,
        secretsProvider: "passphrase",
        // The engine starts the provider plugins in the folder of the project's `main`; the
        // Automation API's default for an inline program is this process's working folder.
        projectSettings: { name: o.project, runtime: "nodejs", main: o.dir },
    });
    const selectWithCli = workspace.selectStack.bind(workspace);
    workspace.selectStack = async (name) => {
        if (!backendHoldsStack(envVars.PULUMI_BACKEND_URL, o.project, name)) await selectWithCli(name);
    };
    const stack = await Stack.createOrSelect(o.stack, workspace);
    const config: ConfigMap = Object.fromEntries(Object.entries(o.config ?? {}).map(([k, v]) => [k, { value: v }]));
    if (!(await configAlreadySet(workspace, o.stack, o.project, config))) await stack.setAllConfig(config);
    return stack;
}

/**
 * Whether the local file backend at `backendUrl` (file://...) has a checkpoint of the stack: a
 * file backend keeps a project's stacks as `.pulumi/stacks/<project>/<stack>.json` (gzipped when
 * PULUMI_SELF_MANAGED_STATE_GZIP is set). Anything else answers false, and the CLI decides.
 */
export function backendHoldsStack(backendUrl: string, project: string, stack: string): boolean {
    if (!backendUrl.startsWith("file://")) return false;
    const checkpoint = join(backendUrl.slice("file://".length), ".pulumi", "stacks", project, `${stack}.json`);
    return existsSync(checkpoint) || existsSync(`${checkpoint}.gz`);
}

/** Whether the stack's settings file already holds every entry of `config` as plain text. */
async function configAlreadySet(
    workspace: Workspace,
    stack: string,
    project: string,
    config: ConfigMap,
): Promise<boolean> {
    const entries = Object.entries(config);
    if (entries.length === 0) return true;
    let saved: Record<string, unknown>;
    try {
        saved = ((await workspace.stackSettings(stack)).config ?? {}) as Record<string, unknown>;
    } catch {
        return false; // no settings file yet
    }
    // Keys without a namespace belong to the project, as the CLI's `config set` reads them.
    const fullKey = (key: string) => (key.includes(":") ? key : `${project}:${key}`);
    return entries.every(([key, { value, secret }]) => {
        const current = saved[fullKey(key)];
        return !secret && ["string", "number", "boolean"].includes(typeof current) && String(current) === value;
    });
}

/** The special key (and its value) with which the engine's events mark a secret value. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A value from an engine event with each secret as "[secret]": the events carry a secret as
 * `{ <SECRET_SIG_KEY>: SECRET_SIG, ciphertext: "[secret]" }` (never its plain text).
 */
export function maskSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG_KEY] === SECRET_SIG) return "[secret]";
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSecrets(v)]));
}

/**
 * `stack.up`, returning the stack's outputs as the engine reported them at the end of the update
 * (its event for the stack resource; a secret shows as "[secret]"), or undefined when it reported
 * none. The Automation API's `up` reads them afterwards with three more CLI calls (the outputs
 * masked, then in plain text, then the update's summary from the history), each of which starts
 * the CLI and derives the passphrase's key again (PBKDF2, a million rounds): 0.2-0.7 s each on
 * this machine. This stack's caller needs neither (the CLI's text output ends with the summary).
 */
export async function upWithOutputs(stack: Stack, opts: UpOptions): Promise<Record<string, unknown> | undefined> {
    let outputs: Record<string, unknown> | undefined;
    const onEvent = (event: EngineEvent) => {
        const step = event.resOutputsEvent?.metadata;
        if (step?.type === "pulumi:pulumi:Stack")
            outputs = maskSecrets(step.new?.outputs ?? {}) as Record<string, unknown>;
        opts.onEvent?.(event);
    };
    stack.outputs = async () => ({});
    stack.info = async () => undefined;
    await stack.up({ ...opts, onEvent });
    return outputs;
}
