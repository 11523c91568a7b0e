/** Ordering helpers: dependency order for the state file and a limit on concurrent steps. */
import type { StateResource } from "./types";

/** Everything a resource must outlive: its dependencies and its parent. */
export function dependsOnUrns(r: Pick<StateResource, "dependencies" | "parent" | "propertyDependencies">): string[] {
    const deps = new Set(r.dependencies);
    for (const urns of Object.values(r.propertyDependencies)) for (const u of urns) deps.add(u);
    if (r.parent) deps.add(r.parent);
    return [...deps];
}

/**
 * Sorts resources so each comes after what it depends on, keeping the given order otherwise (the engine keeps
 * its snapshot in dependency order and deletes by walking it backwards). Pending deletes sort with their URN.
 */
export function dependencyOrder(resources: StateResource[]): StateResource[] {
    const byUrn = new Map<string, StateResource[]>();
    for (const r of resources) byUrn.set(r.urn, [...(byUrn.get(r.urn) ?? []), r]);
    const done = new Set<StateResource>();
    const visiting = new Set<StateResource>();
    const out: StateResource[] = [];
    const visit = (r: StateResource) => {
        if (done.has(r) || visiting.has(r)) return;
        visiting.add(r);
        for (const dep of dependsOnUrns(r)) for (const d of byUrn.get(dep) ?? []) if (d !== r) visit(d);
        visiting.delete(r);
        done.add(r);
        out.push(r);
    };
    for (const r of resources) visit(r);
    return out;
}

/** A counting semaphore: the engine runs at most `--parallel` steps at once. */
export class Semaphore {
    private waiting: (() => void)[] = [];
    private active = 0;

    constructor(private readonly limit: number) {}

    async run<T>(fn: () => Promise<T>): Promise<T> {
        // A finishing step hands its slot straight to the next waiter, so the limit is never exceeded.
        if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
        else this.active++;
        try {
            return await fn();
        } finally {
            const next = this.waiting.shift();
            if (next) next();
            else this.active--;
        }
    }
}

/**
 * Runs `remove` for every resource, each once the resources that depend on it are removed, at most
 * `slots` at once (a number, or the semaphore the caller's other steps share): the deletes of the
 * engine's destroy and of the resources an `up` leaves behind, which run independent ones in
 * parallel (--parallel) rather than one after another. After a failure no further removal starts,
 * as the engine cancels its step executor, except after an error `continuesPast` accepts (the
 * engine's refusal to delete a protected resource): then the others go on, and only what the
 * failed one depends on (its dependencies, transitively) stays. The first error is thrown once the
 * removals already running have ended.
 *
 * The engine (pkg/resource/deploy, ScheduleDeletes) runs the deletes in rounds, each round the
 * resources none of the remaining ones depends on, a round starting once the previous one has
 * ended; here a delete starts as soon as its own dependents are gone. The order constraints are
 * the same; a delete may only start earlier.
 */
export async function removeDependentsFirst(
    resources: StateResource[],
    slots: number | Semaphore,
    remove: (r: StateResource) => Promise<void>,
    continuesPast: (error: unknown) => boolean = () => false,
): Promise<void> {
    const ordered = dependencyOrder(resources);
    const byUrn = new Map<string, StateResource[]>();
    for (const r of ordered) byUrn.set(r.urn, [...(byUrn.get(r.urn) ?? []), r]);
    const dependents = new Map<StateResource, StateResource[]>();
    for (const r of ordered)
        for (const dep of dependsOnUrns(r))
            for (const d of byUrn.get(dep) ?? []) if (d !== r) dependents.set(d, [...(dependents.get(d) ?? []), r]);
    const semaphore = typeof slots === "number" ? new Semaphore(slots) : slots;
    let stopped = false;
    const errors: unknown[] = [];
    /** Resolves to whether the resource was removed. */
    const removed = new Map<StateResource, Promise<boolean>>();
    // Dependents come first in this walk, so their removals exist when the resources they use are reached.
    for (const r of [...ordered].reverse()) {
        const after = (dependents.get(r) ?? []).map((d) => removed.get(d) ?? Promise.resolve(true));
        const mine = Promise.all(after).then(async (gone) => {
            // A dependent that is still there (its removal failed or never ran) keeps what it uses.
            if (!gone.every(Boolean)) return false;
            return semaphore.run(async () => {
                if (stopped) return false;
                try {
                    await remove(r);
                    return true;
                } catch (error) {
                    errors.push(error);
                    if (!continuesPast(error)) stopped = true;
                    return false;
                }
            });
        });
        removed.set(r, mine);
    }
    await Promise.all(removed.values());
    if (errors.length) throw errors[0];
}
