/** Finding the Pulumi CLI: `pulumi` on PATH (or PULUMI_CLI, for a binary elsewhere). */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The CLI's path, or undefined when none is installed. */
export function pulumiCliPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const candidates = [
        ...(env.PULUMI_CLI ? [env.PULUMI_CLI] : []),
        ...(env.PATH ?? "")
            .split(delimiter)
            .filter(Boolean)
            .map((dir) => join(dir, "pulumi")),
    ];
    for (const candidate of candidates) {
        try {
            accessSync(candidate, constants.X_OK);
            return candidate;
        } catch {
            // not there; try the next folder
        }
    }
    return undefined;
}
