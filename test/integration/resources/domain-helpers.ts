/**
 * Helpers for the Domain integration tests: running handler methods the way the provider host
 * does (check first, then the operation), the QEMU process id of a guest, and captured log lines.
 */
import { existsSync, readFileSync } from "node:fs";
import { domainHandler } from "../../../provider/resources/domain/handler";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";

export const handler = domainHandler;

/** The QEMU process id libvirt recorded for a running guest, or undefined when it is not running. */
export function qemuPid(name: string): number | undefined {
    const file = `/var/run/libvirt/qemu/${name}.pid`;
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, "utf8").trim());
    return existsSync(`/proc/${pid}`) ? pid : undefined;
}

/** check + create, as the engine does for a new resource; fails the test on check failures. */
export async function createChecked(news: Properties): Promise<{ id: string; outs: Properties; inputs: Properties }> {
    const checked = await handler.check({}, news);
    if (checked.failures?.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const created = await handler.create(checked.inputs!);
    return { id: created.id, outs: created.outs!, inputs: checked.inputs! };
}

/** check + diff + update against the previous outputs, as the engine does for a changed resource. */
export async function updateChecked(
    id: string,
    oldInputs: Properties,
    oldOuts: Properties,
    news: Properties,
): Promise<{ outs: Properties; inputs: Properties; diff: Awaited<ReturnType<typeof handler.diff>> }> {
    const checked = await handler.check(oldInputs, news);
    if (checked.failures?.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const diff = await handler.diff(id, oldOuts, checked.inputs!);
    const updated = await handler.update(id, oldOuts, checked.inputs!);
    return { outs: updated.outs!, inputs: checked.inputs!, diff };
}

/** Runs `fn` with the runtime's log lines captured (and still shown on stderr). */
export async function captureLog<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
    const lines: string[] = [];
    const restore = setLogSink((level, line) => {
        lines.push(`${level}: ${line}`);
        process.stderr.write(`${level}: ${line}\n`);
    });
    try {
        return { result: await fn(), lines };
    } finally {
        restore();
    }
}
