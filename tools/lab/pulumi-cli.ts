/**
 * Finding the Pulumi CLI: PULUMI_CLI, else the one the test host built (host.json's `pulumiCli`,
 * written by scripts/setup-test-host.sh), else `pulumi` on PATH.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Where scripts/setup-test-host.sh describes the test host, including the CLI it built. */
export const TEST_HOST_JSON = "/var/lib/pulumi-libvirt-testhost/host.json";

function executable(path: string): boolean {
    try {
        accessSync(path, constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

function builtByTestHost(hostJson: string): string | undefined {
    try {
        const cli = (JSON.parse(readFileSync(hostJson, "utf8")) as { pulumiCli?: unknown }).pulumiCli;
        return typeof cli === "string" && cli !== "" ? cli : undefined;
    } catch {
        return undefined; // no test host here (a user's machine): PATH decides
    }
}

/** The CLI's path, or undefined when none is installed. */
export function pulumiCliPath(env: NodeJS.ProcessEnv = process.env, hostJson = TEST_HOST_JSON): string | undefined {
    const candidates = [
        ...(env.PULUMI_CLI ? [env.PULUMI_CLI] : []),
        ...[builtByTestHost(hostJson)].filter((c): c is string => c !== undefined),
        ...(env.PATH ?? "")
            .split(delimiter)
            .filter(Boolean)
            .map((dir) => join(dir, "pulumi")),
    ];
    return candidates.find(executable);
}
