/**
 * The fixture of the engine-emulator secret tests (secrets-engine, cloudinit-engine): a scenario
 * and a pool of the prefix, every provider log line captured, and the check that a secret's clear
 * value is nowhere a user or the state could show it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before } from "node:test";
import { setLogSink } from "../../../provider/resources/shared/log";
import { formatSummary, type RunSummary } from "../../../tools/engine";
import { type Scenario, scenario } from "../../scenarios/harness";
import { setUpPool, type TestPool } from "./volume-helpers";

export interface SecretWatch {
    /** The emulator scenario (set up in `before`). */
    readonly s: Scenario;
    /** The pool of the prefix (set up in `before`). */
    readonly pool: TestPool;
    /** Every line the provider logged since `before`, as "level: line". */
    readonly logged: string[];
    /** Fails when `clear` matches the printed summary, the state file or a provider log line. */
    assertNoClearValue(summary: RunSummary, what: string): void;
}

/** Registers the suite's before/after hooks; `clear` matches any secret's clear value. */
export function secretWatch(prefix: string, clear: RegExp): SecretWatch {
    let s: Scenario | undefined;
    let pool: TestPool | undefined;
    const logged: string[] = [];
    let restoreLog: (() => void) | undefined;
    before(() => {
        // The scenario removes every object of the prefix first: the pool comes after it.
        s = scenario(prefix);
        pool = setUpPool(prefix);
        restoreLog = setLogSink((level, line) => logged.push(`${level}: ${line}`));
    });
    after(async () => {
        restoreLog?.();
        await s?.cleanup();
        await pool?.cleanup();
    });
    const ready = <T>(value: T | undefined, what: string): T => {
        if (value === undefined) throw new Error(`secretWatch: the ${what} is set up in before()`);
        return value;
    };
    return {
        get s() {
            return ready(s, "scenario");
        },
        get pool() {
            return ready(pool, "pool");
        },
        logged,
        assertNoClearValue(summary, what) {
            assert.doesNotMatch(formatSummary(summary, "lab/pltest"), clear, `${what}: printed summary`);
            assert.doesNotMatch(readFileSync(ready(s, "scenario").stateFile, "utf8"), clear, `${what}: state file`);
            assert.doesNotMatch(logged.join("\n"), clear, `${what}: provider log lines`);
        },
    };
}
