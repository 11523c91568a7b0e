/**
 * The fault suite (issue 16, item 6), under the real Pulumi engine: the process group running
 * `up` (the Automation API program, the CLI and its provider plugins) is killed with SIGKILL at a
 * moment when some objects exist in libvirt and the stack's state may not know them; then a plain
 * `up` must converge (every object once, no "already exists") and `destroy` must leave nothing,
 * both checked with virsh. Also two `up`s of one stack at once: the second must be refused at once
 * and the first must converge. A table of the faults tried, converged and objects leaked is
 * printed (DEVELOPERS.md keeps the latest).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../helpers/test-host";
import { listNames, virshMaybe } from "../helpers/virsh";
import { FAULT_OBJECTS, FAULT_PREFIX, faultProgram } from "./fault-program";
import { type CliScenario, cliScenario } from "./harness";

interface Objects {
    domains: number;
    networks: number;
    pools: number;
    volumes: number;
}

/** What libvirt holds of the fault stack, counted with virsh. */
function objects(): Objects {
    const pools = listNames("pool", FAULT_PREFIX);
    // One line per volume (the helper runs virsh quiet: no header; virsh 9.0's vol-list has no --name).
    const volumes = pools.flatMap((pool) =>
        (virshMaybe(["vol-list", pool]) ?? "").split("\n").filter((line) => line.trim() !== ""),
    );
    return {
        domains: listNames("domain", FAULT_PREFIX).length,
        networks: listNames("network", FAULT_PREFIX).length,
        pools: pools.length,
        volumes: volumes.length,
    };
}

function total(o: Objects): number {
    return o.domains + o.networks + o.pools + o.volumes;
}

interface Moment {
    name: string;
    reached(o: Objects): boolean;
}

const MOMENTS: Moment[] = [
    { name: "network defined", reached: (o) => o.networks > 0 },
    { name: "volumes made", reached: (o) => o.volumes >= 2 },
    { name: "guest defined", reached: (o) => o.domains > 0 },
];

interface Row {
    fault: string;
    atKill: string;
    converged: boolean;
    leaked: number;
    note: string;
}

const rows: Row[] = [];
const POLL_MS = 50;
const REACH_BOUND_MS = 120_000;

/** Starts `up` in a child process. */
/** How long the two-ups test's first up keeps running after declaring everything. */
const HOLD_MS = 60_000;

function startUp(dir: string, holdMs = 0): ChildProcess {
    const script = join(PROJECT_ROOT, "dist", "test", "cli", "fault-up-child.js");
    return spawn(process.execPath, [script, dir], {
        stdio: "ignore",
        env: { ...process.env, PLTEST_FAULT_HOLD_MS: String(holdMs) },
    });
}

/**
 * The `up` after the kill. The killed CLI leaves its lock file behind, and the CLI refuses every
 * operation until `pulumi cancel` removes it (its own message says so): that is done once, noted.
 */
async function recoveringUp(s: CliScenario, row: Row) {
    try {
        return await s.up(faultProgram());
    } catch (error) {
        if (!/currently locked/.test(String(error))) throw error;
        row.note = "stale lock removed with `pulumi cancel`; ";
        await (await s.stack()).cancel();
        return s.up(faultProgram());
    }
}

/** Every process below `root`, from /proc (the CLI starts its provider plugins in their own process groups). */
function descendants(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        let stat: string;
        try {
            stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        } catch {
            continue; // ended meanwhile
        }
        // The command may hold spaces and parentheses: the fields after the last ')' are fixed.
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    }
    const found: number[] = [];
    const queue = [root];
    while (queue.length > 0) {
        for (const child of children.get(queue.shift()!) ?? []) {
            found.push(child);
            queue.push(child);
        }
    }
    return found;
}

/** SIGKILL to the child and everything it started (the program, the CLI, its plugins), at once. */
function killTree(child: ChildProcess): void {
    const pids = [child.pid!, ...descendants(child.pid!)];
    for (const pid of pids) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // It ended already.
        }
    }
}

/** Waits until the moment is reached (then kills the group) or the child ends on its own. */
async function killAt(child: ChildProcess, moment: Moment): Promise<{ killed: boolean; seen: Objects }> {
    let exited = false;
    child.once("exit", () => {
        exited = true;
    });
    const deadline = Date.now() + REACH_BOUND_MS;
    for (;;) {
        const seen = objects();
        if (moment.reached(seen)) {
            killTree(child);
            return { killed: true, seen };
        }
        if (exited || Date.now() > deadline) {
            killTree(child);
            return { killed: false, seen };
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
}

function describe(o: Objects): string {
    return `${o.networks} net, ${o.pools} pool, ${o.volumes} vol, ${o.domains} dom`;
}

function table(): string[] {
    const lines = ["| fault | objects at the fault | converged | leaked | note |", "|---|---|---|---|---|"];
    for (const r of rows) {
        lines.push(`| ${r.fault} | ${r.atKill} | ${r.converged ? "yes" : "NO"} | ${r.leaked} | ${r.note} |`);
    }
    const converged = rows.filter((r) => r.converged).length;
    const leaked = rows.reduce((sum, r) => sum + r.leaked, 0);
    lines.push(`faults tried ${rows.length}, converged ${converged}, objects leaked ${leaked}`);
    return lines;
}

for (const moment of MOMENTS) {
    test(`SIGKILL of the process running up once ${moment.name}: a plain up converges, destroy leaves nothing`, {
        timeout: 600_000,
    }, async (t) => {
        const s: CliScenario = cliScenario(FAULT_PREFIX);
        const row: Row = {
            fault: `SIGKILL of up once ${moment.name}`,
            atKill: "",
            converged: false,
            leaked: 0,
            note: "",
        };
        rows.push(row);
        let destroyed = false;
        let child: ChildProcess | undefined;
        try {
            await s.stack();
            child = startUp(s.dir);
            const { killed, seen } = await killAt(child, moment);
            row.atKill = describe(seen);
            assert.ok(killed, `the up ended before the moment "${moment.name}" (${describe(seen)})`);

            const recovered = await recoveringUp(s, row);
            const takenOver = recovered.diagnostics.filter((d) => /interrupted create/.test(d)).length;
            row.note += `${recovered.steps.changes.length} step(s) in the recovering up, ${takenOver} object(s) taken over`;
            const found = objects();
            // Duplicates (a second object for one resource) count as leaked: no destroy removes them.
            row.leaked = Math.max(0, total(found) - total(FAULT_OBJECTS));
            assert.deepEqual(found, { ...FAULT_OBJECTS }, "every object once after the recovering up");
            const [vm] = listNames("domain", FAULT_PREFIX);
            assert.equal(virshMaybe(["domstate", vm!])?.trim(), "running", "the guest runs as declared");
            row.converged = true;

            await s.destroy();
            destroyed = true;
            const left = objects();
            row.leaked += total(left);
            assert.deepEqual(left, { domains: 0, networks: 0, pools: 0, volumes: 0 }, "destroy leaves nothing");
            t.diagnostic(`${moment.name}: killed with ${row.atKill}; converged; ${row.note}`);
        } finally {
            // A test that failed or timed out before the kill leaves no `up` running behind it.
            if (child !== undefined && child.exitCode === null && child.signalCode === null) killTree(child);
            if (!destroyed) {
                // What a user would be left with: destroy what the state knows, count the rest.
                await s.destroy().catch(() => undefined);
                row.leaked = Math.max(row.leaked, total(objects()));
            }
            s.cleanup();
        }
    });
}

test("two ups of one stack at once: the second is refused at once (the CLI's lock), the first converges", {
    timeout: 600_000,
}, async (t) => {
    const s: CliScenario = cliScenario(FAULT_PREFIX);
    const row: Row = { fault: "a second up while one runs", atKill: "", converged: false, leaked: 0, note: "" };
    rows.push(row);
    let child: ChildProcess | undefined;
    try {
        await s.stack();
        // The first up's program holds it open for a minute, so its lock is held when the second
        // starts however fast libvirt makes the objects.
        child = startUp(s.dir, HOLD_MS);
        const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
        // Once the first up has made something, it holds the stack's lock.
        const deadline = Date.now() + REACH_BOUND_MS;
        while (objects().networks === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
        row.atKill = describe(objects());
        const started = Date.now();
        await assert.rejects(s.up(faultProgram()), /currently locked/);
        row.note = `the second refused after ${((Date.now() - started) / 1000).toFixed(1)} s; `;
        assert.equal(await exited, 0, "the first up succeeds");
        const found = objects();
        row.leaked = Math.max(0, total(found) - total(FAULT_OBJECTS));
        assert.deepEqual(found, { ...FAULT_OBJECTS });
        const again = await s.up(faultProgram());
        assert.deepEqual(again.steps.changes, [], "the state knows every object: a plain up changes nothing");
        row.converged = true;
        row.note += "a plain up after it changes nothing";
        await s.destroy();
        row.leaked += total(objects());
        assert.deepEqual(objects(), { domains: 0, networks: 0, pools: 0, volumes: 0 }, "destroy leaves nothing");
        t.diagnostic(`${row.fault}: ${row.note}`);
    } finally {
        if (child !== undefined && child.exitCode === null && child.signalCode === null) killTree(child);
        s.cleanup();
    }
});

test("the fault table", (t) => {
    for (const line of table()) t.diagnostic(line);
    assert.equal(rows.length, MOMENTS.length + 1, "every fault was tried");
});
