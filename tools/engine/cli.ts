/**
 * `node dist/tools/engine/cli.js up|preview|refresh|destroy --program <compiled js> --state <file>
 *   [--config key=value]... [--project name] [--stack name] [--cwd dir] [--parallel n]`
 * The Pulumi CLI's job for dynamic-resource programs when no CLI is installed. The project name defaults to
 * `name:` in Pulumi.yaml of the working folder, then "project"; the stack defaults to "dev". Stack config comes
 * from `Pulumi.<stack>.yaml` there (scalars only), overridden by --config.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EngineEmulator } from "./emulator";
import { OPERATIONS, type Operation, runOperation } from "./run-operation";
import { readStackConfig } from "./stack-config";

interface CliArgs {
    operation: Operation;
    program?: string;
    state: string;
    config: Record<string, string>;
    project?: string;
    stack: string;
    cwd: string;
    parallel?: number;
}

const USAGE =
    "usage: cli.js up|preview|refresh|destroy --program <compiled js> --state <file> " +
    "[--config key=value]... [--project name] [--stack name] [--cwd dir] [--parallel n]";

export function parseArgs(argv: string[]): CliArgs {
    const [operation, ...rest] = argv;
    if (!OPERATIONS.includes(operation as Operation)) throw new Error(USAGE);
    const args: CliArgs = {
        operation: operation as Operation,
        state: "",
        config: {},
        stack: "dev",
        cwd: process.cwd(),
    };
    for (let i = 0; i < rest.length; i++) {
        const flag = rest[i]!;
        const value = rest[++i];
        if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
        if (flag === "--program") args.program = value;
        else if (flag === "--state") args.state = value;
        else if (flag === "--project") args.project = value;
        else if (flag === "--stack") args.stack = value;
        else if (flag === "--cwd") args.cwd = resolve(value);
        else if (flag === "--parallel") args.parallel = Number(value);
        else if (flag === "--config") {
            const eq = value.indexOf("=");
            if (eq <= 0) throw new Error(`--config wants key=value, got ${value}`);
            args.config[value.slice(0, eq)] = value.slice(eq + 1);
        } else throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
    if (!args.state) throw new Error(`--state is required\n${USAGE}`);
    if ((args.operation === "up" || args.operation === "preview") && !args.program)
        throw new Error(`--program is required for ${args.operation}\n${USAGE}`);
    return args;
}

function projectName(cwd: string): string {
    const file = join(cwd, "Pulumi.yaml");
    if (!existsSync(file)) return "project";
    return /^name:\s*["']?([^"'\s#]+)/m.exec(readFileSync(file, "utf8"))?.[1] ?? "project";
}

export async function main(argv: string[]): Promise<number> {
    let args: CliArgs;
    try {
        args = parseArgs(argv);
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    const project = args.project ?? projectName(args.cwd);
    let config: Record<string, string>;
    try {
        config = { ...readStackConfig(args.cwd, args.stack), ...args.config };
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    const engine = new EngineEmulator({
        stateFile: resolve(args.state),
        project,
        stack: args.stack,
        config,
        cwd: args.cwd,
        parallel: args.parallel,
    });
    const label = `${project}/${args.stack}, engine emulator`;
    return runOperation(engine, args.operation, args.program ? resolve(args.program) : "", label);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            console.error(e);
            process.exitCode = 1;
        },
    );
}
