/**
 * `npm run lab -- up|preview|refresh|destroy [options]`: runs an example (default: the lab), or any
 * program folder, against the local libvirt. With the Pulumi CLI (the one the test host builds, or
 * one on PATH) through the Automation API, with a local file backend and no login; with the engine
 * emulator when there is no CLI or `--engine emulator` asks for it. scripts/lab.sh does the set-up
 * (dependencies, the test host, the build) and then calls this.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PulumiCommand } from "@pulumi/pulumi/automation/cmd";
import { EngineEmulator, OPERATIONS, type Operation, runOperation } from "../engine";
import { type ExampleProject, exampleNames, prepareExampleProject } from "./project";
import { pulumiCliPath } from "./pulumi-cli";

const ENGINES = ["auto", "cli", "emulator"] as const;
type Engine = (typeof ENGINES)[number];

export interface LabArgs {
    operation: Operation;
    /** An example's name or a program folder. */
    example: string;
    stack: string;
    config: Record<string, string>;
    engine: Engine;
}

export function usage(repoRoot: string): string {
    return [
        "usage: npm run lab -- up|preview|refresh|destroy [options]",
        "",
        "options:",
        `  --example NAME|PATH   an example (${exampleNames(repoRoot).join(", ")}; default lab) or a folder`,
        "                        with a Pulumi.yaml and a compiled index.js",
        "  --stack NAME          the stack (default dev)",
        "  --config KEY=VALUE    stack config, repeatable (keys without a namespace are the project's)",
        "  --engine auto|cli|emulator",
        "                        auto (default): the Pulumi CLI the test host built, or one on PATH, else the",
        "                        engine emulator",
        "  --full-setup          check the whole test-host set-up first (scripts/setup-test-host.sh), not",
        "                        only what can change between two runs (libvirtd answering, the set-up's",
        "                        files); a first run, or one after the set-up changed, does it anyway",
        "  -h, --help            this text",
    ].join("\n");
}

/** Parses the command line; throws an Error whose message is for the user. `undefined` means --help. */
export function parseLabArgs(argv: string[], repoRoot: string): LabArgs | undefined {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            example: { type: "string", default: "lab" },
            stack: { type: "string", default: "dev" },
            config: { type: "string", multiple: true, default: [] },
            engine: { type: "string", default: "auto" },
            help: { type: "boolean", short: "h", default: false },
            // scripts/lab.sh acts on it before this runs; accepted here so that either may get it.
            "full-setup": { type: "boolean", default: false },
        },
    });
    if (values.help) return undefined;
    const [operation, ...extra] = positionals;
    if (!OPERATIONS.includes(operation as Operation))
        throw new Error(`${operation ? `unknown operation ${operation}` : "no operation given"}\n${usage(repoRoot)}`);
    if (extra.length > 0) throw new Error(`unexpected argument ${extra[0]}\n${usage(repoRoot)}`);
    if (!ENGINES.includes(values.engine as Engine))
        throw new Error(`--engine ${values.engine}: use one of ${ENGINES.join(", ")}`);
    const config: Record<string, string> = {};
    for (const pair of values.config) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new Error(`--config wants KEY=VALUE, got ${pair}`);
        config[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return {
        operation: operation as Operation,
        example: values.example,
        stack: values.stack,
        config,
        engine: values.engine as Engine,
    };
}

async function withEmulator(args: LabArgs, p: ExampleProject, why: string): Promise<number> {
    const stateFile = join(p.dir, `${args.stack}.json`);
    console.log(`lab: ${why}; using the engine emulator (state: ${stateFile})`);
    const engine = new EngineEmulator({
        stateFile,
        project: p.project,
        stack: args.stack,
        config: args.config,
        cwd: p.dir,
    });
    const label = `${p.project}/${args.stack}, engine emulator`;
    return runOperation(engine, args.operation, p.program, label);
}

/** The lab's passphrase for its local stacks' secrets (a lab on one machine, not a vault). */
const LAB_PASSPHRASE = "pulumi-libvirt-lab";

async function withCli(cli: string, args: LabArgs, p: ExampleProject, stateRoot: string): Promise<number> {
    console.log(`lab: the real Pulumi engine: ${cli} through the Automation API (backend file://${stateRoot}/backend)`);
    // The Automation API checks the CLI's version first (`pulumi version`, 0.15-0.4 s here). Its
    // small module starts that check now, and the rest of the API loads (0.3-0.5 s of modules)
    // while the CLI answers.
    const pulumiCommand = PulumiCommand.get({ root: dirname(dirname(cli)) });
    pulumiCommand.catch(() => undefined); // awaited, and so reported, in openCliStack
    const { openCliStack, upWithOutputs } = await import("./automation");
    const stack = await openCliStack({
        cli,
        pulumiCommand,
        dir: p.dir,
        project: p.project,
        stack: args.stack,
        program: p.program,
        stateRoot,
        passphrase: LAB_PASSPHRASE,
        config: args.config,
    });
    const onOutput = (out: string) => process.stdout.write(out);
    try {
        if (args.operation === "up") {
            const outputs = await upWithOutputs(stack, { onOutput, color: "never" });
            console.log(`\noutputs: ${JSON.stringify(outputs ?? {}, null, 2)}`);
        } else if (args.operation === "preview") await stack.preview({ onOutput, color: "never", diff: true });
        else if (args.operation === "refresh") await stack.refresh({ onOutput, color: "never" });
        else await stack.destroy({ onOutput, color: "never" });
        return 0;
    } catch (e) {
        // The CLI's own output, printed above, already says what failed; add only its summary line.
        console.error(`\nerror: ${firstLine((e as Error).message)}`);
        return 1;
    }
}

function firstLine(text: string): string {
    return text.split("\n").find((l) => l.trim() !== "") ?? text;
}

export async function main(argv: string[], repoRoot: string): Promise<number> {
    let args: LabArgs | undefined;
    try {
        args = parseLabArgs(argv, repoRoot);
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    if (!args) {
        console.log(usage(repoRoot));
        return 0;
    }
    const stateRoot = join(repoRoot, ".lab-state");
    const folder = args.example.replace(/[^A-Za-z0-9_.-]/g, "_");
    const project = prepareExampleProject(repoRoot, args.example, join(stateRoot, folder));
    if (args.engine === "emulator") return withEmulator(args, project, "--engine emulator");
    const cli = pulumiCliPath();
    if (cli) {
        mkdirSync(stateRoot, { recursive: true });
        return withCli(cli, args, project, stateRoot);
    }
    if (args.engine === "cli")
        throw new Error("--engine cli: no Pulumi CLI (run scripts/setup-test-host.sh to build one, or install it)");
    return withEmulator(args, project, "no Pulumi CLI found");
}

if (require.main === module) {
    // dist/tools/lab/main.js → the repository root is three folders up.
    // Exit when done: the provider runtime keeps its libvirt connections open in module state (as in
    // Pulumi's provider host, which the engine kills after a deployment), so the loop never empties.
    main(process.argv.slice(2), resolve(__dirname, "..", "..", "..")).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e);
            process.exit(1);
        },
    );
}
