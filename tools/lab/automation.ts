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
import { mkdirSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";

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

/** Creates (or selects) the stack and sets its config. */
export async function openCliStack(o: CliStackOptions): Promise<Stack> {
    const envVars = cliEnvironment(o);
    const pulumiCommand = await PulumiCommand.get({ root: dirname(dirname(o.cli)) });
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: o.stack, projectName: o.project, program: moduleProgram(o.program) },
        {
            workDir: o.dir,
            pulumiCommand,
            envVars,
            secretsProvider: "passphrase",
            // The engine starts the provider plugins in the folder of the project's `main`; the
            // Automation API's default for an inline program is this process's working folder.
            projectSettings: { name: o.project, runtime: "nodejs", main: o.dir },
        },
    );
    const config = Object.fromEntries(Object.entries(o.config ?? {}).map(([k, v]) => [k, { value: v }]));
    if (Object.keys(config).length > 0) await stack.setAllConfig(config);
    return stack;
}
