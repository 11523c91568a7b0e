/**
 * What the fault suite (faults.test.ts) counts and kills: the fault stack's libvirt objects seen
 * with virsh, the child process running `up`, and the process tree under it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../helpers/test-host";
import { virsh } from "../helpers/virsh";
import { FAULT_PREFIX } from "./fault-program";

export interface Objects {
    domains: number;
    networks: number;
    pools: number;
    volumes: number;
}

export const NO_OBJECTS: Objects = { domains: 0, networks: 0, pools: 0, volumes: 0 };

/** Separates the answers of the commands one virsh process runs (`echo` prints it without a newline). */
const MARK = "@@pltest-mark@@";
/** The fault stack's pools seen so far: their volumes are listed in the same virsh process. */
let knownPools: string[] = [];

function names(text: string | undefined): string[] {
    return (text ?? "")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith(FAULT_PREFIX));
}

/**
 * What libvirt holds of the fault stack, counted with virsh (which throws when it cannot ask: a
 * count of zero is never a failed listing): one virsh process (about 20 ms) runs
 * all the listings, so a moment is seen soon after it comes. A pool seen for the first time has its
 * volumes listed by a second process.
 */
export function objects(): Objects {
    // virsh's exit status is its last command's: each listing ends with an echo, which cannot fail,
    // so a pool gone meanwhile (its vol-list fails) does not lose the other answers.
    const volumeCommands = (pools: string[]) => pools.flatMap((pool) => [`echo ${MARK}`, `vol-list ${pool}`, "echo"]);
    const listing = [
        "list --all --name",
        `echo ${MARK}`,
        "net-list --all --name",
        `echo ${MARK}`,
        "pool-list --all --name",
        "echo",
        ...volumeCommands(knownPools),
    ].join("; ");
    const [domains, networks, pools, ...volumeLists] = virsh([listing]).split(MARK);
    const poolNames = names(pools);
    const unlisted = poolNames.filter((pool) => !knownPools.includes(pool));
    if (unlisted.length > 0) {
        const more = virsh([volumeCommands(unlisted).join("; ")])
            .split(MARK)
            .slice(1);
        volumeLists.push(...more);
    }
    knownPools = poolNames;
    const volumes = volumeLists.flatMap((list) => list.split("\n").filter((line) => line.trim() !== ""));
    return {
        domains: names(domains).length,
        networks: names(networks).length,
        pools: poolNames.length,
        volumes: volumes.length,
    };
}

export function total(o: Objects): number {
    return o.domains + o.networks + o.pools + o.volumes;
}

export function describe(o: Objects): string {
    return `${o.networks} net, ${o.pools} pool, ${o.volumes} vol, ${o.domains} dom`;
}

/** A moment of an `up`, recognised by what libvirt holds. */
export interface Moment {
    name: string;
    reached(o: Objects): boolean;
}

const POLL_MS = 50;
/** How long a moment may take to come. */
const REACH_BOUND_MS = 120_000;

/** A running `up` in a child process (fault-up-child.ts), with what it printed to stderr. */
export interface UpChild {
    process: ChildProcess;
    /** The exit code, once it exits (null when killed by a signal). */
    exited: Promise<number | null>;
    stderr(): string;
    /** The engine's diagnostics so far, one per line (fault-up-child.ts prints them). */
    diagnostics(): string[];
}

/**
 * Starts `up` of the fault stack in the scenario folder `dir`. `holdMs` keeps its program running
 * that much longer; `waitForLease` makes the guest's create wait for its DHCP lease (seconds after
 * its define), so the up is still in its last create whenever a moment comes.
 */
export function startUp(dir: string, options: { holdMs?: number; waitForLease?: boolean } = {}): UpChild {
    const script = join(PROJECT_ROOT, "dist", "test", "cli", "fault-up-child.js");
    return watch(
        spawn(process.execPath, [script, dir], {
            stdio: ["ignore", "pipe", "pipe"],
            env: {
                ...process.env,
                PLTEST_FAULT_HOLD_MS: String(options.holdMs ?? 0),
                PLTEST_FAULT_WAIT_FOR_LEASE: options.waitForLease ? "1" : "0",
            },
        }),
    );
}

/** Follows a child process started with stdout and stderr piped: its exit and what it printed. */
export function watch(child: ChildProcess): UpChild {
    const chunks: string[] = [];
    const out: string[] = [];
    child.stderr!.setEncoding("utf8").on("data", (s: string) => chunks.push(s));
    child.stdout!.setEncoding("utf8").on("data", (s: string) => out.push(s));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return {
        process: child,
        exited,
        stderr: () => chunks.join(""),
        diagnostics: () =>
            out
                .join("")
                .split("\n")
                .filter((line) => line !== ""),
    };
}

/** True while the child has not exited. */
export function running(child: UpChild | undefined): child is UpChild {
    return child !== undefined && child.process.exitCode === null && child.process.signalCode === null;
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
export function killTree(child: UpChild): void {
    const pids = [child.process.pid!, ...descendants(child.process.pid!)];
    for (const pid of pids) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // It ended already.
        }
    }
}

/**
 * Polls libvirt until the moment is reached (`reached`), or the child ended or the bound passed
 * first; `seen` is what virsh showed at that poll.
 */
export async function awaitMoment(child: UpChild, moment: Moment): Promise<{ reached: boolean; seen: Objects }> {
    const deadline = Date.now() + REACH_BOUND_MS;
    for (;;) {
        const seen = objects();
        if (moment.reached(seen)) return { reached: true, seen };
        if (!running(child) || Date.now() > deadline) return { reached: false, seen };
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
}
