/** Shapes shared by the engine emulator: recorded registrations, the state file and run summaries. */
import type { PropertyMap } from "./values";

/** The resource options the engine acts on, as read from the RegisterResourceRequest. */
export interface RecordedOptions {
    protect: boolean;
    retainOnDelete: boolean;
    /** undefined when the program did not set it, so the provider's answer decides. */
    deleteBeforeReplace?: boolean;
    replaceOnChanges: string[];
    ignoreChanges: string[];
    additionalSecretOutputs: string[];
    /** Old URNs this resource may have had (alias specs resolved to URNs). */
    aliases: string[];
}

/** One resource registration as the program sent it. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    /** Wire-form inputs: secrets wrapped, unknowns as the sentinel, including `__provider`. */
    inputs: PropertyMap;
    /** All direct dependencies (dependsOn plus those implied by inputs). */
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    options: RecordedOptions;
    /** Set for `get` (ReadResource). */
    id?: string;
}

/** One resource in the state. Values are in wire form: secrets wrapped (in the file, encrypted: see state-file.ts). */
export interface StateResource {
    urn: string;
    type: string;
    custom: boolean;
    id?: string;
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    inputs: PropertyMap;
    outputs: PropertyMap;
    options: RecordedOptions;
    /** Came from `get`: never deleted, only forgotten. */
    external?: boolean;
    /** A create that failed after the object existed (ErrorResourceInitFailed); the next `up` updates it. */
    initErrors?: string[];
    /** The old half of a create-before-delete replacement whose delete has not run yet. */
    pendingDelete?: boolean;
}

export interface StateFile {
    version: 1;
    project: string;
    stack: string;
    /** In dependency order: a resource comes after everything it depends on. */
    resources: StateResource[];
    /**
     * Operations started and not finished when the state was written (the engine's checkpoint
     * records the same): a run killed mid-create leaves the object's URN and inputs here, so the
     * next run can say that an object may exist that the state does not hold.
     */
    pendingOperations?: PendingOperation[];
}

export interface PendingOperation {
    urn: string;
    type: "creating" | "updating" | "deleting";
    inputs: PropertyMap;
}

export type StepOp = "create" | "same" | "update" | "replace" | "delete" | "read" | "refresh";

export interface Step {
    urn: string;
    op: StepOp;
    detail?: string;
}

export interface RunSummary {
    operation: "up" | "preview" | "refresh" | "destroy";
    steps: Step[];
    /** Stack outputs; secrets stay wrapped (see values.ts `isSecret`). */
    outputs: PropertyMap;
    registrations: Registration[];
    counts: Record<StepOp, number>;
    durationMs: number;
}
