/**
 * The before/after of a handler test file against the real libvirtd: the objects named with the
 * file's prefix removed at both ends, the provider's log kept quiet meanwhile, and the pooled
 * connections closed at the end (an open one keeps the file alive until the exit guard ends it).
 */
import { after, before } from "node:test";
import { setLogSink } from "../../provider/resources/shared/log";
import { defaultPool } from "../../provider/rpc";
import { removeTestObjects } from "./virsh";

/** Registers the hooks; `setUp` runs after the clean-up, before the first test (a network to work on...). */
export function handlerTestFile(prefix: string, setUp: () => void = () => {}): void {
    let restoreLog: () => void = () => {};
    before(() => {
        removeTestObjects(prefix);
        restoreLog = setLogSink(() => {});
        setUp();
    });
    after(async () => {
        restoreLog();
        removeTestObjects(prefix);
        await defaultPool.closeAll();
    });
}
