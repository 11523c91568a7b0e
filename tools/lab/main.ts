/**
 * `npm run lab -- up|preview|refresh|destroy [--example lab|minimal|multi-host] [--stack dev]
 *  [--config key=value]...`: runs an example (default: the lab) against the local libvirt, with the
 * Pulumi CLI when one is on PATH (local file backend, no login, empty passphrase) and with the engine
 * emulator otherwise (state in .lab-state/<example>/<stack>.json). scripts/lab.sh does the set-up
 * (dependencies, the test host, the build) and then calls this.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { EngineEmulator, EngineError, formatSummary } from "../engine";
import { EXAMPLES, type Example, type ExampleProject, prepareExampleProject } from "./project";
import { pulumiCliPath } from "./pulumi-cli";

const OPERATIONS = ["up", "preview", "refresh", "destroy"] as const;
type Operation = (typeof OPERATIONS)[number];

interface LabArgs {
    operation: Operation;
    example: Example;
    stack: string;
    config: Record<string, string>;
}

const USAGE =
    "usage: npm run lab -- up|preview|refresh|destroy [--example lab|minimal|multi-host] [--stack name] [--config key=value]...";

export function parseLabArgs(argv: string[]): LabArgs {
    const [operation, ...rest] = argv;
    if (!OPERATIONS.includes(operation as Operation)) throw new Error(USAGE);
    const args: LabArgs = { operation: operation as Operation, example: "lab", stack: "dev", config: {} };
    for (let i = 0; i < rest.length; i += 2) {
        const [flag, value] = [rest[i], rest[i + 1]];
        if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
        if (flag === "--example") {
            if (!EXAMPLES.includes(value as Example))
                throw new Error(`unknown example ${value}; one of ${EXAMPLES.join(", ")}`);
            args.example = value as Example;
        } else if (flag === "--stack") args.stack = value;
        else if (flag === "--config") {
            const eq = value.indexOf("=");
            if (eq <= 0) throw new Error(`--config wants key=value, got ${value}`);
            args.config[value.slice(0, eq)] = value.slice(eq + 1);
        } else throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
    return args;
}

async function withEmulator(args: LabArgs, p: ExampleProject): Promise<number> {
    const stateFile = join(p.dir, `${args.stack}.json`);
    console.log(`lab: no pulumi CLI on PATH; using the engine emulator (state: ${stateFile})`);
    const engine = new EngineEmulator({
        stateFile,
        project: p.project,
        stack: args.stack,
        config: args.config,
        cwd: p.dir,
    });
    const label = `${p.project}/${args.stack}, engine emulator`;
    try {
        const summary =
            args.operation === "up"
                ? await engine.up(p.program)
                : args.operation === "preview"
                  ? await engine.preview(p.program)
                  : args.operation === "refresh"
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

function withCli(cli: string, args: LabArgs, p: ExampleProject, stateRoot: string): number {
    const backend = join(stateRoot, "backend");
    mkdirSync(backend, { recursive: true });
    console.log(`lab: using the Pulumi CLI at ${cli} (local backend file://${backend})`);
    const env = { ...process.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "" };
    const run = (cliArgs: string[]) =>
        spawnSync(cli, [...cliArgs, "--cwd", p.dir, "--non-interactive"], { env, stdio: "inherit" }).status ?? 1;
    if (run(["stack", "select", "--create", args.stack]) !== 0) return 1;
    for (const [key, value] of Object.entries(args.config)) {
        if (run(["config", "set", "--stack", args.stack, key, value]) !== 0) return 1;
    }
    const op = {
        up: ["up", "--yes"],
        preview: ["preview"],
        refresh: ["refresh", "--yes"],
        destroy: ["destroy", "--yes"],
    };
    return run([...op[args.operation], "--stack", args.stack]);
}

export async function main(argv: string[], repoRoot: string): Promise<number> {
    let args: LabArgs;
    try {
        args = parseLabArgs(argv);
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    const stateRoot = join(repoRoot, ".lab-state");
    const project = prepareExampleProject(repoRoot, args.example, join(stateRoot, args.example));
    const cli = pulumiCliPath();
    return cli ? withCli(cli, args, project, stateRoot) : withEmulator(args, project);
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
