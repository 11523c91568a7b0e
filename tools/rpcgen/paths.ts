/** Where the project and the protocol inputs live, for the generator and its tests. */

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The repository root: the nearest ancestor of `start` holding both `biome.json` and `package.json`. */
export function findProjectRoot(start = __dirname): string {
    let dir = start;
    for (;;) {
        if (existsSync(join(dir, "biome.json")) && existsSync(join(dir, "package.json"))) return dir;
        const parent = dirname(dir);
        if (parent === dir) throw new Error(`no biome.json above ${start}`);
        dir = parent;
    }
}

/** The libvirt protocol folder `npm run gen:rpc` reads: `$LIBVIRT_PROTOCOL_DIR` or `../shared/libvirt-protocol`. */
export function defaultProtocolDir(root = findProjectRoot()): string {
    return resolve(process.env.LIBVIRT_PROTOCOL_DIR ?? join(root, "..", "shared", "libvirt-protocol"));
}

/** The committed generated folder. */
export function generatedDir(root = findProjectRoot()): string {
    return join(root, "provider", "rpc", "generated");
}
