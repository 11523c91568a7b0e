/**
 * A resource monitor for `setMocks` that records each registration with its resource options (which the plain
 * mocks API does not expose) and hands it to the engine emulator, answering with the emulator's real outputs.
 * It subclasses the SDK's MockMonitor so invokes, stack transforms and feature queries behave as under mocks.
 */
import type { PulumiSdk } from "./sdk";
import type { RecordedOptions, Registration } from "./types";
import type { PropertyMap } from "./values";

export interface MonitorHandler {
    /** Runs the engine's steps for a registration; answers the ID (empty for components) and wire-form state. */
    register(reg: Registration): Promise<{ id: string; state: PropertyMap }>;
    /** A `get`: reads the resource by ID. */
    read(reg: Registration): Promise<{ state: PropertyMap }>;
    /** A component's registerOutputs. */
    registerOutputs(urn: string, outputs: PropertyMap): void;
}

/** Builds the URN exactly as MockMonitor.newUrn does (parent type qualifies the child type). */
export function makeUrn(stack: string, project: string, type: string, name: string, parent?: string): string {
    let qualified = type;
    if (parent) qualified = `${parent.split("::")[2]!.split("$").pop()}$${type}`;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export function createRecordingMonitor(sdk: PulumiSdk, handler: MonitorHandler): unknown {
    const { MockMonitor } = sdk.mocks;
    const { structProto, resourceProto, settings } = sdk;
    const stack = () => settings.getStack();
    const project = () => settings.getProject();

    class RecordingMonitor extends MockMonitor {
        async registerResource(req: any, callback: (err: unknown, resp?: unknown) => void): Promise<void> {
            try {
                const reg = decodeRegister(req, stack(), project());
                const { id, state } = await handler.register(reg);
                this.resources.set(reg.urn, { urn: reg.urn, id: id || null, state });
                const resp = new resourceProto.RegisterResourceResponse();
                resp.setUrn(reg.urn);
                resp.setId(id);
                resp.setObject(structProto.Struct.fromJavaScript(state as any));
                callback(null, resp);
            } catch (err) {
                callback(err);
            }
        }

        async readResource(req: any, callback: (err: unknown, resp?: unknown) => void): Promise<void> {
            try {
                const reg = decodeRead(req, stack(), project());
                const { state } = await handler.read(reg);
                this.resources.set(reg.urn, { urn: reg.urn, id: reg.id, state });
                const resp = new resourceProto.ReadResourceResponse();
                resp.setUrn(reg.urn);
                resp.setProperties(structProto.Struct.fromJavaScript(state as any));
                callback(null, resp);
            } catch (err) {
                callback(err);
            }
        }

        registerResourceOutputs(req: any, callback: (err: unknown, resp?: unknown) => void): void {
            try {
                handler.registerOutputs(req.getUrn(), (req.getOutputs()?.toJavaScript() ?? {}) as PropertyMap);
            } catch (err) {
                callback(err);
                return;
            }
            super.registerResourceOutputs(req, callback);
        }
    }
    return new RecordingMonitor({
        newResource: () => {
            throw new Error("unused: the recording monitor answers registrations itself");
        },
        call: (args: { token: string }) => {
            throw new Error(`the engine emulator does not implement invokes (${args.token})`);
        },
    });
}

function decodeRegister(req: any, stack: string, project: string): Registration {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string | undefined = req.getParent() || undefined;
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v: any, k: string) => {
        propertyDependencies[k] = v.getUrnsList();
    });
    const options: RecordedOptions = {
        protect: req.hasProtect() ? req.getProtect() : false,
        retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : false,
        deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
        replaceOnChanges: req.getReplaceonchangesList(),
        ignoreChanges: req.getIgnorechangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        aliases: decodeAliases(req, stack, project, type, name, parent),
    };
    return {
        urn: makeUrn(stack, project, type, name, parent),
        type,
        name,
        custom: req.getCustom(),
        parent,
        inputs: (req.getObject()?.toJavaScript() ?? {}) as PropertyMap,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        options,
        id: req.getImportid() || undefined,
    };
}

function decodeRead(req: any, stack: string, project: string): Registration {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string | undefined = req.getParent() || undefined;
    return {
        urn: makeUrn(stack, project, type, name, parent),
        type,
        name,
        custom: true,
        parent,
        inputs: (req.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
        dependencies: req.getDependenciesList(),
        propertyDependencies: {},
        options: {
            protect: false,
            retainOnDelete: false,
            replaceOnChanges: [],
            ignoreChanges: [],
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            aliases: [],
        },
        id: req.getId(),
    };
}

/** Alias specs become the URNs the resource may have had; unset spec fields default to the resource's own. */
function decodeAliases(
    req: any,
    stack: string,
    project: string,
    type: string,
    name: string,
    parent: string | undefined,
): string[] {
    const urns: string[] = [...req.getAliasurnsList()];
    for (const alias of req.getAliasesList()) {
        if (alias.hasUrn()) {
            urns.push(alias.getUrn());
            continue;
        }
        const spec = alias.getSpec();
        const aliasParent = spec.getNoparent() ? undefined : spec.getParenturn() || parent;
        urns.push(
            makeUrn(
                spec.getStack() || stack,
                spec.getProject() || project,
                spec.getType() || type,
                spec.getName() || name,
                aliasParent,
            ),
        );
    }
    return urns;
}
