/**
 * The fault suite (issue 16, item 6), under the real Pulumi engine: the process group running
 * `up` (the Automation API program, the CLI and its provider plugins) is killed with SIGKILL at a
 * moment when some objects exist in libvirt and the stack's state may not know them; then a plain
 * `up` must converge (every object once, no "already exists") and `destroy` must leave nothing,
 * both checked with virsh. libvirtd itself is killed with SIGKILL at three moments of an `up` and
 * started again at once (as the setup script starts it); the interrupted `up` may fail, and again a
 * plain `up` must converge and `destroy` leave nothing. Also two `up`s of one stack at once: the
 * second must be refused at once and the first must converge. A table of the faults tried, converged and objects leaked is
 * printed (DEVELOPERS.md keeps the latest).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { killLibvirtd, loadTestHost, startLibvirtd } from "../helpers/test-host";
import { listNames, virshMaybe } from "../helpers/virsh";
import { FAULT_OBJECTS, FAULT_PREFIX, faultProgram } from "./fault-program";
import {
    awaitMoment,
    describe,
    killTree,
    type Moment,
    NO_OBJECTS,
    objects,
    running,
    startUp,
    total,
    type UpChild,
} from "./fault-tools";
import type { UpResult } from "@pulumi/pulumi/automation";
import { type CliRun, type CliScenario, cliScenario } from "./harness";

/** The guest: the stack's last create (it needs the network, the reservation and its disk). */
const GUEST = `${FAULT_PREFIX}-vm`;

/** A moment to SIGKILL the up at; `inFlight`: the create the kill lands in, which the checkpoint must name pending. */
interface KillMoment extends Moment {
    inFlight?: string;
}

/**
 * When the up is SIGKILLed. Its guest's create waits for the guest's DHCP lease (seconds after the
 * define), so at each of these moments the guest's create has not finished and the up is still
 * running: the kill lands mid-up however slowly virsh answers the poll that sees the moment.
 */
const MOMENTS: KillMoment[] = [
    { name: "network defined", reached: (o) => o.networks > 0 },
    { name: "volumes made", reached: (o) => o.volumes >= 2 },
    { name: "guest defined", reached: (o) => o.domains > 0, inFlight: GUEST },
];

/**
 * When libvirtd is killed: as soon as virsh shows the first object of a kind, so the calls that
 * made it (and its siblings') are most likely still in flight: the XML read after a volume create,
 * the start after a network define, the start after the guest's define.
 */
const LIBVIRTD_MOMENTS: Moment[] = [
    { name: "a volume is created", reached: (o) => o.volumes >= 1 },
    { name: "the network is defined", reached: (o) => o.networks > 0 },
    { name: "the guest is defined", reached: (o) => o.domains > 0 },
];

interface Row {
    fault: string;
    atKill: string;
    converged: boolean;
    leaked: number;
    note: string;
    /** Set once destroy left nothing: otherwise the test's cleanup destroys and counts what is left. */
    clean?: boolean;
}

const rows: Row[] = [];

/** A new row of the table, for the fault named; the test fills it in as it goes. */
function newRow(fault: string): Row {
    const row: Row = { fault, atKill: "", converged: false, leaked: 0, note: "" };
    rows.push(row);
    return row;
}

/** How long the two-ups test's first up keeps running after declaring everything. */
const HOLD_MS = 60_000;
/** How long an `up` that lost libvirtd under it may take to end on its own. */
const INTERRUPTED_UP_BOUND_MS = 240_000;

/**
 * The `up` after the kill. The killed CLI leaves its lock file behind, and the CLI refuses every
 * operation until `pulumi cancel` removes it (its own message says so): that is done once, noted;
 * `staleLock` says whether it was needed.
 */
async function recoveringUp(s: CliScenario, row: Row): Promise<{ run: CliRun<UpResult>; staleLock: boolean }> {
    try {
        return { run: await s.up(faultProgram()), staleLock: false };
    } catch (error) {
        if (!/currently locked/.test(String(error))) throw error;
        row.note += "stale lock removed with `pulumi cancel`; ";
        await (await s.stack()).cancel();
        return { run: await s.up(faultProgram()), staleLock: true };
    }
}

/**
 * What a SIGKILLed up must have left for its row to test a recovery at all: an up that had ended
 * before the kill (or had made its last object) leaves none of it, and the row would pass without
 * testing anything.
 */
interface KillProof {
    moment: KillMoment;
    /** What the kill found: the child exited by SIGKILL, with this exit code and signal. */
    exit: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * Asserts the kill landed mid-up, from the checkpoint the killed CLI left (before the recovering
 * up): the guest, the up's last create, is not among its resources, and the create the moment lands
 * in (if any) is pending. Returns the pending creates, for the row.
 */
async function assertKilledMidUp(s: CliScenario, proof: KillProof): Promise<string[]> {
    const { moment, exit } = proof;
    assert.equal(
        exit.signal,
        "SIGKILL",
        `the up exited with code ${exit.code} before the SIGKILL at "${moment.name}" landed: no recovery was tested`,
    );
    const { resources, pending } = await checkpoint(s);
    assert.ok(
        !resources.includes(GUEST),
        `the killed up had finished the guest's create before the SIGKILL at "${moment.name}": the kill landed after the up's last step, so no recovery was tested`,
    );
    if (moment.inFlight !== undefined) {
        assert.ok(
            pending.includes(moment.inFlight),
            `the SIGKILL at "${moment.name}" should land in ${moment.inFlight}'s create, but the checkpoint names [${pending.join(", ")}] pending`,
        );
    }
    return pending;
}

/**
 * After the fault: a plain `up` must leave every object once (duplicates count as leaked: no
 * destroy removes them) with the guest running, and `destroy` must leave nothing; both with virsh.
 * After a SIGKILL (`killed`), the kill must have landed mid-up: the CLI's lock left behind and the
 * guest still to create.
 */
async function convergeAndDestroy(s: CliScenario, row: Row, killed?: KillProof): Promise<void> {
    const pendingBefore = killed ? await assertKilledMidUp(s, killed) : (await checkpoint(s)).pending;
    const { run: recovered, staleLock } = await recoveringUp(s, row);
    if (killed) {
        assert.ok(
            staleLock,
            `the SIGKILLed CLI left no lock: its up had ended before the SIGKILL at "${killed.moment.name}" landed, so no recovery was tested`,
        );
        assert.ok(
            recovered.steps.changes.includes(`create ${GUEST}`),
            `the recovering up creates the guest the killed up had not finished; its steps: [${recovered.steps.changes.join(", ")}]`,
        );
    }
    const takenOver = recovered.diagnostics.filter((d) => /interrupted create/.test(d)).length;
    row.note += `${recovered.steps.changes.length} step(s) in the recovering up, ${takenOver} object(s) taken over`;
    if (pendingBefore.length > 0) {
        // The engine carries pending creates into every later checkpoint, even once the up made
        // them: only a refresh that clears them removes them (docs/lifecycle.md).
        const kept = (await checkpoint(s)).pending;
        await (await s.stack()).refresh({ clearPendingCreates: true, color: "never" });
        assert.deepEqual((await checkpoint(s)).pending, [], "the refresh cleared the pending creates");
        row.note += `; ${pendingBefore.length} pending create(s) in the checkpoint (${pendingBefore.join(", ")}), ${kept.length} still there after the up, cleared by \`pulumi refresh --clear-pending-creates\``;
    } else {
        row.note += "; no pending create in the checkpoint";
    }
    const found = objects();
    row.leaked = Math.max(0, total(found) - total(FAULT_OBJECTS));
    assert.deepEqual(found, { ...FAULT_OBJECTS }, "every object once after the recovering up");
    const [vm] = listNames("domain", FAULT_PREFIX);
    assert.equal(virshMaybe(["domstate", vm!])?.trim(), "running", "the guest runs as declared");
    row.converged = true;

    await s.destroy();
    const left = objects();
    row.leaked += total(left);
    assert.deepEqual(left, NO_OBJECTS, "destroy leaves nothing");
    row.clean = true;
}

/**
 * The stack's checkpoint, by the URNs' names: its resources, and the creates it records as pending
 * (in flight when its CLI died).
 */
async function checkpoint(s: CliScenario): Promise<{ resources: string[]; pending: string[] }> {
    const exported = await (await s.stack()).exportStack();
    const deployment = exported.deployment as {
        resources?: { urn: string }[];
        pending_operations?: { type: string; resource: { urn: string } }[];
    };
    const name = (urn: string) => urn.split("::").pop()!;
    return {
        resources: (deployment.resources ?? []).map((r) => name(r.urn)),
        pending: (deployment.pending_operations ?? [])
            .filter((op) => op.type === "creating")
            .map((op) => name(op.resource.urn)),
    };
}

/** What a user would be left with after a failed test: destroy what the state knows, count the rest. */
async function destroyAfterFailure(s: CliScenario, row: Row): Promise<void> {
    await s.destroy().catch(() => undefined);
    row.leaked = Math.max(row.leaked, total(objects()));
}

/**
 * Starts the setup script's libvirtd again (a no-op when it runs). A libvirtd the script did not
 * start is never killed (killLibvirtd refuses, saying so), so there is nothing to bring back.
 */
function libvirtdBack(): void {
    if (loadTestHost().libvirtdManaged) startLibvirtd();
}

/** Waits for a promise at most `ms`; undefined when it did not settle in time. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
        return await Promise.race([promise, bound]);
    } finally {
        clearTimeout(timer);
    }
}

/** The error lines of the interrupted up's output (the CLI's, inside the Automation API's error), for the diagnostics. */
function errorLines(stderr: string): string {
    const lines = stderr
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /error:/i.test(l) && !/^CommandError/.test(l));
    return [...new Set(lines)].map((l) => l.slice(0, 300)).join(" | ");
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
        const row = newRow(`SIGKILL of up once ${moment.name}`);
        let child: UpChild | undefined;
        try {
            await s.stack();
            // Only the killed up waits for the lease (to be still running at each moment); the
            // recovering up's plain program differs in nothing the checkpoint holds, since the
            // guest is never in it after a kill that landed (assertKilledMidUp).
            child = startUp(s.dir, { waitForLease: true });
            const { reached, seen } = await awaitMoment(child, moment);
            const endedBefore = !running(child);
            killTree(child);
            row.atKill = describe(seen);
            const code = await child.exited;
            const exit = { code, signal: child.process.signalCode };
            assert.ok(
                !endedBefore,
                `the up had ended (exit code ${code}) before the SIGKILL at "${moment.name}" (${describe(seen)}): nothing was killed, so no recovery was tested`,
            );
            assert.ok(reached, `the up ended before the moment "${moment.name}" (${describe(seen)})`);
            row.note = `exited by ${exit.signal}; `;
            await convergeAndDestroy(s, row, { moment, exit });
            t.diagnostic(`${moment.name}: killed with ${row.atKill}; converged; ${row.note}`);
        } finally {
            // A test that failed or timed out before the kill leaves no `up` running behind it.
            if (running(child)) killTree(child);
            if (!row.clean) await destroyAfterFailure(s, row);
            s.cleanup();
        }
    });
}

for (const moment of LIBVIRTD_MOMENTS) {
    test(`kill -9 of libvirtd once ${moment.name} in an up, restarted at once: a plain up converges, destroy leaves nothing`, {
        timeout: 600_000,
    }, async (t) => {
        const s: CliScenario = cliScenario(FAULT_PREFIX);
        const row = newRow(`kill -9 of libvirtd once ${moment.name}`);
        let child: UpChild | undefined;
        try {
            await s.stack();
            child = startUp(s.dir);
            const { reached, seen } = await awaitMoment(child, moment);
            row.atKill = describe(seen);
            assert.ok(reached, `the up ended before the moment "${moment.name}" (${describe(seen)})`);
            const killedAt = Date.now();
            try {
                killLibvirtd();
            } finally {
                // Shared with every other test: back at once, whatever happened (the script waits until it answers).
                libvirtdBack();
            }
            const downSeconds = ((Date.now() - killedAt) / 1000).toFixed(1);
            const code = await within(child.exited, INTERRUPTED_UP_BOUND_MS);
            if (code === undefined) killTree(child);
            const outcome =
                code === 0 ? "succeeded" : code === undefined ? "was stopped (still running after 240 s)" : "failed";
            // The provider's lines for calls whose reply the kill took (shared/lost-reply.ts).
            const lost = child.diagnostics().filter((line) => /reply to .* was lost/.test(line));
            for (const line of lost) t.diagnostic(`${moment.name}: ${line}`);
            row.note = `libvirtd back after ${downSeconds} s; ${lost.length} lost repl(ies) checked; the interrupted up ${outcome}; `;
            t.diagnostic(
                `${moment.name}: the interrupted up ${outcome}${code ? `: ${errorLines(child.stderr())}` : ""}`,
            );
            await convergeAndDestroy(s, row);
            t.diagnostic(`${moment.name}: killed with ${row.atKill}; converged; ${row.note}`);
        } finally {
            if (running(child)) killTree(child);
            // Whatever failed above: never leave the shared libvirtd down (a no-op when it runs).
            libvirtdBack();
            if (!row.clean) await destroyAfterFailure(s, row);
            s.cleanup();
        }
    });
}

test("two ups of one stack at once: the second is refused at once (the CLI's lock), the first converges", {
    timeout: 600_000,
}, async (t) => {
    const s: CliScenario = cliScenario(FAULT_PREFIX);
    const row = newRow("a second up while one runs");
    let child: UpChild | undefined;
    try {
        await s.stack();
        // The first up's program holds it open for a minute, so its lock is held when the second
        // starts however fast libvirt makes the objects.
        child = startUp(s.dir, { holdMs: HOLD_MS });
        // Once the first up has made something, it holds the stack's lock.
        const { seen } = await awaitMoment(child, { name: "the network is defined", reached: (o) => o.networks > 0 });
        row.atKill = describe(seen);
        const started = Date.now();
        await assert.rejects(s.up(faultProgram()), /currently locked/);
        row.note = `the second refused after ${((Date.now() - started) / 1000).toFixed(1)} s; `;
        assert.equal(await child.exited, 0, "the first up succeeds");
        const found = objects();
        row.leaked = Math.max(0, total(found) - total(FAULT_OBJECTS));
        assert.deepEqual(found, { ...FAULT_OBJECTS });
        const again = await s.up(faultProgram());
        assert.deepEqual(again.steps.changes, [], "the state knows every object: a plain up changes nothing");
        row.converged = true;
        row.note += "a plain up after it changes nothing";
        await s.destroy();
        row.leaked += total(objects());
        assert.deepEqual(objects(), NO_OBJECTS, "destroy leaves nothing");
        row.clean = true;
        t.diagnostic(`${row.fault}: ${row.note}`);
    } finally {
        if (running(child)) killTree(child);
        s.cleanup();
    }
});

test("the fault table", (t) => {
    for (const line of table()) t.diagnostic(line);
    assert.equal(rows.length, MOMENTS.length + LIBVIRTD_MOMENTS.length + 1, "every fault was tried");
});
