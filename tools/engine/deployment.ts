/**
 * The engine's step generator for one `up` or `preview`: each registration from the program becomes check,
 * then (with old state) diff and a same/update/replace step, or a create; `get` becomes a read. Unregistered
 * resources are deleted afterwards by finish(). Rules follow pulumi/pulumi `step_generator.go` as recorded in
 * pulumi-dynamic.md §1.2, §1.8, §1.9 and §3b; guesses are marked "guess".
 */
import { type EmulatedHost, type HostDiff, ResourceInitError } from "./host";
import { dependencyOrder, removeDependentsFirst, Semaphore } from "./order";
import type { MonitorHandler } from "./recording-monitor";
import { DeleteProtectedError, deleteResource } from "./resource-steps";
import type { PendingOperation, Registration, StateFile, StateResource, Step, StepOp } from "./types";
import {
    annotateSecrets,
    applyIgnoreChanges,
    changedKeys,
    downgradeResourceRefs,
    markSecretKeys,
    type PropertyMap,
    redact,
    UNKNOWN,
    unwrapMap,
} from "./values";

const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";

export class Deployment implements MonitorHandler {
    readonly steps: Step[] = [];
    readonly registrations: Registration[] = [];
    readonly errors: Error[] = [];
    /** The new snapshot, in completion order (which is dependency order). */
    private readonly news: StateResource[] = [];
    /** Old resources by URN. */
    private readonly olds = new Map<string, StateResource>();
    /** Old resources a step has replaced, deleted or condemned; the others survive into the new state. */
    private readonly consumed = new Set<StateResource>();
    private readonly registered = new Set<string>();
    /** Old halves of create-before-delete replacements, deleted in finish(). */
    private readonly condemned: StateResource[] = [];
    /** Dependents deleted ahead of a delete-before-replace; their re-creation is their replacement. */
    private readonly replacedDependents = new Set<string>();
    private readonly semaphore: Semaphore;
    /** Provider calls in flight that change libvirt, by URN (written into every checkpoint). */
    private readonly pending = new Map<string, PendingOperation>();
    /** Resources deleted so far in finish(). */
    private readonly deleted = new Set<StateResource>();

    constructor(
        private readonly host: EmulatedHost,
        private readonly prior: StateFile,
        private readonly preview: boolean,
        parallel: number,
        /**
         * Writes the state as it stands after every step (and before every create), as the engine writes
         * its checkpoints; resolves once it is on disk. Given the snapshot to take when the write starts.
         */
        private readonly checkpoint: (snapshot: () => StateFile) => Promise<void> = async () => undefined,
    ) {
        for (const r of prior.resources) if (!r.pendingDelete) this.olds.set(r.urn, r);
        this.semaphore = new Semaphore(parallel);
    }

    /**
     * A failed step fails the run, but the program is answered with an empty state rather than an error: the SDK
     * turns a rejected registration into promise rejections nobody handles, which would crash the test process
     * (the real language host reports them and exits). After a failure no further steps start, as in the engine.
     */
    async register(reg: Registration): Promise<{ id: string; state: PropertyMap }> {
        this.registrations.push(reg);
        this.registered.add(reg.urn);
        if (this.errors.length) return { id: "", state: {} };
        try {
            return await this.semaphore.run(() => this.step(reg));
        } catch (e) {
            this.errors.push(e as Error);
            return { id: "", state: {} };
        }
    }

    async read(reg: Registration): Promise<{ state: PropertyMap }> {
        this.registrations.push(reg);
        this.registered.add(reg.urn);
        if (this.errors.length) return { state: {} };
        try {
            return await this.semaphore.run(() => this.readStep(reg));
        } catch (e) {
            this.errors.push(e as Error);
            return { state: {} };
        }
    }

    registerOutputs(urn: string, outputs: PropertyMap): void {
        const res = this.news.find((r) => r.urn === urn);
        if (res) res.outputs = outputs;
    }

    private takeOld(reg: Registration): StateResource | undefined {
        for (const urn of [reg.urn, ...reg.options.aliases]) {
            const old = this.olds.get(urn);
            if (old && !this.consumed.has(old)) {
                this.registered.add(urn);
                return old;
            }
        }
        return undefined;
    }

    private record(urn: string, op: StepOp, detail?: string): void {
        this.steps.push(detail ? { urn, op, detail } : { urn, op });
    }

    private newState(reg: Registration, fields: Partial<StateResource>): StateResource {
        return {
            urn: reg.urn,
            type: reg.type,
            custom: reg.custom,
            parent: reg.parent,
            dependencies: reg.dependencies,
            propertyDependencies: reg.propertyDependencies,
            inputs: {},
            outputs: {},
            options: reg.options,
            ...fields,
        };
    }

    private async step(reg: Registration): Promise<{ id: string; state: PropertyMap }> {
        const old = this.takeOld(reg);
        if (!reg.custom) {
            // Components have no provider: their state is what registerOutputs reports.
            if (old) this.consumed.add(old);
            this.news.push(this.newState(reg, { inputs: reg.inputs, outputs: old?.outputs ?? {} }));
            this.record(reg.urn, old ? "same" : "create", "component");
            return { id: "", state: {} };
        }
        if (!reg.type.startsWith(DYNAMIC_PREFIX))
            throw new Error(`${reg.urn}: the engine emulator only runs dynamic resources, not ${reg.type}`);
        if (reg.id) {
            // ImportStep calls Read with neither inputs nor state, so no __provider reaches the host (§1.7).
            throw new Error(
                `${reg.urn}: import: code must be a string, not undefined (dynamic providers cannot import)`,
            );
        }
        // A failed step leaves the old resource in the state unless the step consumed it.
        return this.stepCustom(reg, old);
    }

    private async stepCustom(reg: Registration, old?: StateResource): Promise<{ id: string; state: PropertyMap }> {
        const goal = downgradeResourceRefs(reg.inputs) as PropertyMap;
        const ignored = old ? applyIgnoreChanges(goal, old.inputs, reg.options.ignoreChanges) : goal;
        const checked = await this.check(reg, old?.inputs ?? {}, ignored);
        if (!old && this.replacedDependents.has(reg.urn))
            return this.create(reg, checked, "replace", "a dependency was replaced delete-before-replace");
        if (!old) return this.create(reg, checked, "create");

        const diff = await this.diff(reg, old, checked);
        if (diff.changes === "some" && diff.replaceKeys.length) return this.replace(reg, old, goal, diff);
        if (diff.changes === "some" || old.initErrors?.length) return this.update(reg, old, checked, diff);
        const outputs = markSecretKeys(old.outputs, reg.options.additionalSecretOutputs);
        // A same step stores the new inputs but keeps the old outputs, old __provider included.
        this.consumed.add(old);
        this.news.push(this.newState(reg, { id: old.id, inputs: checked, outputs }));
        this.record(reg.urn, "same");
        return { id: old.id ?? "", state: outputs };
    }

    private async check(reg: Registration, olds: PropertyMap, news: PropertyMap): Promise<PropertyMap> {
        const { inputs, failures } = await this.host.check(unwrapMap(olds), unwrapMap(news));
        if (failures.length) {
            const lines = failures.map((f) =>
                f.property
                    ? `${reg.type} resource '${reg.name}': property ${f.property} value ${JSON.stringify(redact(news[f.property]))} has a problem: ${f.reason}`
                    : `${reg.type} resource '${reg.name}' has a problem: ${f.reason}`,
            );
            throw new Error(
                `${lines.join("\n")}\nOne or more resource validation errors occurred; refusing to proceed`,
            );
        }
        return annotateSecrets(inputs, news);
    }

    private async diff(
        reg: Registration,
        old: StateResource,
        checked: PropertyMap,
    ): Promise<HostDiff & { replaceKeys: string[]; changedKeys: string[] }> {
        const diff = await this.host.diff(old.id ?? "", unwrapMap(old.outputs), unwrapMap(checked));
        let keys: string[] = [];
        let changes = diff.changes;
        let engineDiff = false;
        if (changes === "unknown") {
            // DIFF_UNKNOWN: the engine diffs old inputs against new inputs itself (a `~__provider` counts too).
            keys = changedKeys(unwrapMap(old.inputs), unwrapMap(checked));
            changes = keys.length ? "some" : "none";
            engineDiff = true;
        }
        const replaceKeys = [...diff.replaces];
        // replaceOnChanges only sees the engine's own detailed diff, which exists only after DIFF_UNKNOWN (§1.8).
        if (engineDiff && changes === "some") {
            for (const path of reg.options.replaceOnChanges) {
                const top = path.split(/[.[]/)[0]!;
                for (const k of keys) if ((path === "*" || top === k) && !replaceKeys.includes(k)) replaceKeys.push(k);
            }
        }
        return { ...diff, changes, replaceKeys, changedKeys: keys };
    }

    private async create(
        reg: Registration,
        checked: PropertyMap,
        op: StepOp,
        detail?: string,
    ): Promise<{ id: string; state: PropertyMap }> {
        if (this.preview) {
            // supportsPreview=false: the engine answers the inputs as the state; the ID is unknown.
            this.record(reg.urn, op, detail);
            return { id: "", state: checked };
        }
        let result: { id: string; properties: PropertyMap };
        this.pending.set(reg.urn, { urn: reg.urn, type: "creating", inputs: checked });
        await this.checkpoint(() => this.snapshot());
        try {
            result = await this.host.create(unwrapMap(checked));
        } catch (e) {
            if (e instanceof ResourceInitError) this.recordInitFailure(reg, checked, e);
            throw new Error(`${reg.urn}: create failed: ${(e as Error).message}`);
        } finally {
            this.pending.delete(reg.urn);
        }
        if (!result.id) throw new Error(`${reg.urn}: plugin returned empty resource.ID from create`);
        const outputs = this.secretOutputs(reg, result.properties, checked);
        this.news.push(this.newState(reg, { id: result.id, inputs: checked, outputs }));
        this.record(reg.urn, op, detail);
        this.checkpointBehind(reg.urn);
        return { id: result.id, state: outputs };
    }

    /**
     * Asks for a checkpoint that records a finished create, without making the step wait for it.
     * Until that write lands the file names the create pending (the write before the create did),
     * which is what a run killed during the create leaves, and what the next run recovers from (the
     * provider's owner records); a dependent's own create waits for a write taken after this
     * resource was added, so the file never holds a dependent without what it depends on. Waiting
     * here held a step slot (the engine's `--parallel`) through two writes of the whole state for
     * every create. A failed write fails the run as a failed step does.
     */
    private checkpointBehind(urn: string): void {
        this.checkpoint(() => this.snapshot()).catch((e: unknown) => {
            this.errors.push(
                new Error(`${urn}: writing the checkpoint after its create failed: ${(e as Error).message}`),
            );
        });
    }

    /** The object exists but failed to initialise: keep it with its init errors so the next run updates it. */
    private recordInitFailure(reg: Registration, checked: PropertyMap, e: ResourceInitError): void {
        const outputs = this.secretOutputs(reg, e.properties, checked);
        this.news.push(
            this.newState(reg, {
                id: e.id,
                inputs: checked,
                outputs,
                initErrors: e.reasons.length ? e.reasons : [e.message],
            }),
        );
    }

    private secretOutputs(reg: Registration, outs: PropertyMap, checked: PropertyMap): PropertyMap {
        return markSecretKeys(annotateSecrets(outs, checked), reg.options.additionalSecretOutputs);
    }

    private async update(
        reg: Registration,
        old: StateResource,
        checked: PropertyMap,
        diff: { changedKeys: string[] },
    ): Promise<{ id: string; state: PropertyMap }> {
        const detail = diff.changedKeys.length
            ? `changed: ${diff.changedKeys.join(", ")}`
            : old.initErrors?.length
              ? "retrying a resource that failed to initialise"
              : undefined;
        const id = old.id ?? "";
        if (this.preview) {
            this.record(reg.urn, "update", detail);
            return { id, state: checked };
        }
        let properties: PropertyMap;
        try {
            ({ properties } = await this.host.update(id, unwrapMap(old.outputs), unwrapMap(checked)));
        } catch (e) {
            if (e instanceof ResourceInitError) {
                this.consumed.add(old);
                this.recordInitFailure(reg, checked, e);
            }
            throw new Error(`${reg.urn}: update failed: ${(e as Error).message}`);
        }
        const outputs = this.secretOutputs(reg, properties, checked);
        this.consumed.add(old);
        this.news.push(this.newState(reg, { id, inputs: checked, outputs }));
        this.record(reg.urn, "update", detail);
        return { id, state: outputs };
    }

    private async replace(
        reg: Registration,
        old: StateResource,
        goal: PropertyMap,
        diff: HostDiff & { replaceKeys: string[] },
    ): Promise<{ id: string; state: PropertyMap }> {
        // Unprotecting and replacing in one run is allowed: only the new goal's protect flag counts here.
        if (old.options.protect && reg.options.protect)
            throw new Error(`unable to replace resource "${reg.urn}" as it is currently marked for protection`);
        const replaced = { ...old, options: { ...old.options, protect: false } };
        // A replacement re-runs Check with no olds, so defaults and autonames are computed afresh.
        const checked = await this.check(reg, {}, goal);
        // An explicit deleteBeforeReplace option (true or false) overrides the provider's answer.
        const dbr = reg.options.deleteBeforeReplace ?? diff.deleteBeforeReplace;
        const keys = `replace keys: ${diff.replaceKeys.join(", ")}`;
        if (!dbr) {
            // The old object is condemned once a new one exists, even a half-initialised one.
            const condemn = () => {
                this.consumed.add(old);
                if (!this.preview) this.condemned.push({ ...replaced, pendingDelete: true });
            };
            try {
                const result = await this.create(reg, checked, "replace", `${keys}; create-before-delete`);
                condemn();
                return result;
            } catch (e) {
                if (this.news.some((r) => r.urn === reg.urn)) condemn();
                throw e;
            }
        }
        await this.deleteDependentReplacements(old);
        const detail = await deleteResource(this.host, replaced, this.preview);
        this.consumed.add(old);
        // The engine always reports this step (delete-replaced), whatever the provider did.
        this.record(old.urn, "delete", detail || "old half of a replacement, deleted first");
        return this.create(reg, checked, "replace", `${keys}; delete-before-replace`);
    }

    /**
     * Delete-before-replace must first delete the resources that would be replaced by the change: each live
     * dependent whose provider, asked to diff with the dependent properties unknown, answers a replacement
     * (calculateDependentReplacements). Guess: only property dependencies are considered, not plain dependsOn.
     */
    private async deleteDependentReplacements(root: StateResource): Promise<void> {
        const doomed: StateResource[] = [];
        const work = [root.urn];
        while (work.length) {
            const urn = work.shift()!;
            for (const dep of this.olds.values()) {
                if (!dep.custom || dep.external || doomed.includes(dep) || this.consumed.has(dep)) continue;
                const keys = Object.entries(dep.propertyDependencies)
                    .filter(([, urns]) => urns.includes(urn))
                    .map(([k]) => k);
                if (!keys.length) continue;
                const news = unwrapMap(dep.inputs);
                for (const k of keys) news[k] = UNKNOWN;
                const d = await this.host.diff(dep.id ?? "", unwrapMap(dep.outputs), news);
                if (d.changes !== "none" && d.replaces.length) {
                    doomed.push(dep);
                    work.push(dep.urn);
                }
            }
        }
        for (const dep of dependencyOrder(doomed).reverse()) {
            await deleteResource(this.host, dep, this.preview);
            this.consumed.add(dep);
            this.replacedDependents.add(dep.urn);
            this.record(dep.urn, "delete", `replaced because it depends on ${root.urn}`);
        }
    }

    private async readStep(reg: Registration): Promise<{ state: PropertyMap }> {
        const old = this.takeOld(reg);
        if (old) this.consumed.add(old);
        const inputs = unwrapMap(reg.inputs);
        // A `get` passes the inputs as both inputs and state; the host reads them when properties are empty.
        const result = await this.host.read(reg.id ?? "", inputs, inputs);
        if (!result.id) throw new Error(`${reg.urn}: resource '${reg.id}' does not exist`);
        const outputs = markSecretKeys(result.properties, reg.options.additionalSecretOutputs);
        this.news.push(
            this.newState(reg, {
                id: result.id,
                inputs: result.inputs ?? reg.inputs,
                outputs,
                external: true,
            }),
        );
        this.record(reg.urn, "read", old && !old.external ? "now read, no longer managed" : undefined);
        return { state: outputs };
    }

    /**
     * After the program: delete what it no longer registers and the old halves of replacements, as
     * GenerateDeletes and ScheduleDeletes do: each once what depends on it is deleted, independent
     * ones side by side within the step slots the registrations used (`parallel`), a checkpoint
     * after each. After a failed delete no other starts, except after a refusal to delete a
     * protected resource (the engine goes on then, keeping what that resource depends on). Skipped
     * after a failure. Answers the new state; in preview the deletes are only planned.
     */
    async finish(): Promise<StateFile> {
        const priorPending = this.prior.resources.filter((r) => r.pendingDelete);
        const deleted = new Set<StateResource>();
        if (!this.errors.length) {
            const unregistered = [...this.olds.values()].filter(
                (r) => !this.consumed.has(r) && !this.registered.has(r.urn),
            );
            const doomed = new Set<StateResource>([...priorPending, ...this.condemned, ...unregistered]);
            const ordered = dependencyOrder([...this.prior.resources, ...this.condemned]).filter((r) => doomed.has(r));
            const failed = (r: StateResource, what: string, e: unknown) => {
                this.errors.push(new Error(`${r.urn}: ${what}: ${(e as Error).message}`));
                return e;
            };
            await removeDependentsFirst(
                ordered,
                this.semaphore,
                async (r) => {
                    let detail: string;
                    try {
                        detail = await deleteResource(this.host, r, this.preview);
                    } catch (e) {
                        throw failed(r, "delete failed", e);
                    }
                    this.record(r.urn, "delete", detail || undefined);
                    deleted.add(r);
                    this.deleted.add(r);
                    if (this.preview) return;
                    try {
                        await this.checkpoint(() => this.snapshot());
                    } catch (e) {
                        throw failed(r, "writing the checkpoint after its delete failed", e);
                    }
                },
                (e) => e instanceof DeleteProtectedError,
            ).catch(() => {
                // Each failure is in this.errors already, with the resource it belongs to.
            });
        }
        const survivors = [...this.olds.values()].filter((r) => !this.consumed.has(r));
        const pending = [...priorPending, ...this.condemned];
        const resources = [...survivors, ...pending, ...this.news].filter((r) => !deleted.has(r));
        const { pendingOperations: _done, ...rest } = this.prior;
        return { ...rest, resources: dependencyOrder(resources) };
    }

    /**
     * The state as it stands now: what survives of the old one, the old halves still to delete,
     * what this run made, and the provider calls in flight. Written after every step (and before
     * every create), so a run killed between two libvirt calls leaves a state that says so.
     */
    snapshot(): StateFile {
        const survivors = [...this.olds.values()].filter((r) => !this.consumed.has(r));
        const priorPending = this.prior.resources.filter((r) => r.pendingDelete);
        const resources = [...survivors, ...priorPending, ...this.condemned, ...this.news].filter(
            (r) => !this.deleted.has(r),
        );
        const { pendingOperations: _old, ...rest } = this.prior;
        const inFlight = [...this.pending.values()];
        return {
            ...rest,
            resources: dependencyOrder(resources),
            ...(inFlight.length ? { pendingOperations: inFlight } : {}),
        };
    }
}
