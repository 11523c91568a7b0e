/**
 * Makes `require("pulumi-libvirt/provider")` resolve inside the repository (see
 * provider/resources/README.md): the symlink node_modules/pulumi-libvirt -> .. that
 * scripts/link-self.sh creates, re-created here when npm removed it.
 */
import { existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync, symlinkSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "./shared-paths";

/** Ensures node_modules/pulumi-libvirt links to the repository; throws if something else is there. */
export function ensureSelfLink(): void {
    const link = join(PROJECT_ROOT, "node_modules", "pulumi-libvirt");
    if (existsSync(link) || lstatExists(link)) {
        if (lstatSync(link).isSymbolicLink() && realpathSync(link) === realpathSync(PROJECT_ROOT)) return;
        if (lstatSync(link).isSymbolicLink() && !existsSync(link)) {
            unlinkSync(link); // dangling: safe to replace
        } else {
            throw new Error(
                `${link} exists but is not a link to the repository (${readlinkSafe(link)}); remove it and run scripts/link-self.sh`,
            );
        }
    }
    mkdirSync(join(PROJECT_ROOT, "node_modules"), { recursive: true });
    symlinkSync("..", link);
}

function lstatExists(path: string): boolean {
    try {
        lstatSync(path);
        return true;
    } catch {
        return false;
    }
}

function readlinkSafe(path: string): string {
    try {
        return readlinkSync(path);
    } catch {
        return "not a link";
    }
}
