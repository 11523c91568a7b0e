/**
 * Pulumi's mocks as the SDK unit tests use them: every new resource recorded as the SDK registered it,
 * and given back its inputs plus the computed outputs a test names; and, for the tests that look at
 * the wire, the engine's view of each registration (secrets still wrapped, additionalSecretOutputs).
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource as the mocks saw it register. */
export interface MockRegistration {
    type: string;
    name: string;
    id?: string;
    inputs: Record<string, unknown>;
}

export interface MockOptions {
    /** Outputs the mocked engine adds to the echoed inputs (a uuid, a key...). */
    computed?: Record<string, unknown>;
    /** The id a resource gets; by default the one a `get` names, else `<name>-id`. */
    idOf?: (args: pulumi.runtime.MockResourceArgs) => string;
    project?: string;
    stack?: string;
}

/** Installs the mocks; returns the list each registration is pushed to, in order. */
export async function mockPulumi(options: MockOptions = {}): Promise<MockRegistration[]> {
    const registered: MockRegistration[] = [];
    const idOf = options.idOf ?? ((args) => args.id ?? `${args.name}-id`);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, id: args.id, inputs: args.inputs });
                return { id: idOf(args), state: { ...args.inputs, ...options.computed } };
            },
            call: () => ({}),
        },
        options.project ?? "project",
        options.stack ?? "stack",
        false,
    );
    return registered;
}

/**
 * Hands every registration request to `record` in the form the engine receives it (the mocks' own
 * view lifts nested secrets to the top, so a test of where secrets sit must look here). Call after
 * `mockPulumi`.
 */
export function onWireRegistration(record: (request: any) => void): void {
    const monitor = require("@pulumi/pulumi/runtime/state").getStore().settings.monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request: any, callback: unknown) => {
        record(request);
        return register(request, callback);
    };
}

/** Pulumi's wire marker of a secret value. */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a wire value is a secret (wrapped in Pulumi's secret marker). */
export function isWireSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG] === SECRET;
}

/** The value an Output resolves to. */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}
