/**
 * Shared by the Volume integration tests: a dir pool of their own in a temp folder, the handler
 * driven as the engine drives it (check, then create), and independent views of the result
 * (virsh, qemu-img, the file's bytes).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultPool } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import { schemaKinds } from "../../../tools/schema/kinds";
import { loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";

/** A Volume's output-only properties, from its one descriptor (tools/schema/kinds.ts). */
const volumeOutputKeys = Object.keys(schemaKinds.find((k) => k.kind === "Volume")!.outputs);

export const MIB = 1024 * 1024;
export const host = loadTestHost();
export const uri = host.unixUri;

/** A test pool: `pltest-<prefix>pool` in a fresh temp folder. */
export interface TestPool {
    readonly prefix: string;
    readonly name: string;
    readonly dir: string;
    /** Closes the shared connections; removes the pool, its volumes and the temp folder. */
    cleanup(): Promise<void>;
}

export function setUpPool(prefix: string): TestPool {
    removeTestObjects(prefix);
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const name = `${prefix}pool`;
    virsh(["pool-define-as", name, "dir", "--target", dir]);
    virsh(["pool-start", name]);
    return {
        prefix,
        name,
        dir,
        async cleanup() {
            // The handler's shared connections would keep the test process alive.
            await defaultPool.closeAll();
            removeTestObjects(prefix);
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** check + create, as the engine does for a new resource; fails the test on check failures. */
export async function up(logicalName: string, inputs: Properties): Promise<{ id: string; outs: Properties }> {
    const checked = await volumeHandler.check({}, { uri, namePrefix: logicalName, ...inputs });
    assert.deepEqual(checked.failures ?? [], [], "check failed");
    const result = await volumeHandler.create(checked.inputs as Properties);
    return { id: result.id, outs: result.outs as Properties };
}

/** The inputs echoed in outputs (what a program declared), without the computed values. */
export function declared(outs: Properties): Properties {
    const inputs = { ...outs };
    for (const key of volumeOutputKeys) delete inputs[key];
    return inputs;
}

/**
 * check + diff + update, as the engine does for a changed resource. `inputs` may be old outputs
 * with edits: the computed values are dropped, as a program never declares them.
 */
export async function change(
    id: string,
    olds: Properties,
    inputs: Properties,
): Promise<{ diff: Awaited<ReturnType<typeof volumeHandler.diff>>; outs?: Properties }> {
    const checked = await volumeHandler.check(olds, { ...declared(inputs), namePrefix: olds.namePrefix });
    assert.deepEqual(checked.failures ?? [], [], "check failed");
    const news = checked.inputs as Properties;
    const diff = await volumeHandler.diff(id, olds, news);
    if (!diff.changes || (diff.replaces?.length ?? 0) > 0) return { diff };
    const { outs } = await volumeHandler.update(id, olds, news);
    return { diff, outs: outs as Properties };
}

/** `virsh vol-info --bytes`: capacity and allocation as virsh reports them. */
export function volInfo(pool: string, name: string): { capacity: number; allocation: number } {
    const out = virsh(["vol-info", "--bytes", name, "--pool", pool]);
    const field = (label: string) => {
        const match = new RegExp(`^${label}:\\s+(\\d+) bytes`, "m").exec(out);
        assert.ok(match, `virsh vol-info printed no ${label}: ${out}`);
        return Number(match[1]);
    };
    return { capacity: field("Capacity"), allocation: field("Allocation") };
}

/** Names of the volumes in a pool, per virsh. */
export function volumeNames(pool: string): string[] {
    return (virshMaybe(["vol-list", pool]) ?? "")
        .split("\n")
        .map((line) => line.trim().split(/\s+/)[0])
        .filter((name): name is string => Boolean(name));
}

/** sha256 of the first `length` bytes of a file (the volume's file, read directly). */
export function sha256OfFile(path: string, length?: number): string {
    const data = readFileSync(path);
    return createHash("sha256")
        .update(length === undefined ? data : data.subarray(0, length))
        .digest("hex");
}

export function sha256(data: Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}

/** `qemu-img info --output=json` of a file; fails saying what to install when qemu-img is missing. */
export function qemuImgInfo(path: string): Record<string, unknown> {
    try {
        const out = execFileSync("qemu-img", ["info", "-U", "--output=json", path], { encoding: "utf8" });
        return JSON.parse(out) as Record<string, unknown>;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            throw new Error("qemu-img is missing: install qemu-utils (apt-get install qemu-utils)");
        }
        throw error;
    }
}
