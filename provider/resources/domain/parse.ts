/**
 * The one parse of a Domain's declared properties (checked inputs, or the inputs echoed in old
 * outputs): `domainArgsSchema` through the shared `parseInputs`, as `check` and every other kind
 * parse, after the computed outputs are dropped and the console passwords put back (outputs.ts).
 * The result is split into the exact domain model and the resource-level settings.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { Domain } from "../../model/domain";
import { InputError, parseInputs } from "../shared/check";
import type { Properties } from "../shared/handler";
import { type DomainResourceFields, domainArgsSchema, resourceFieldKeys } from "./args";
import { declaredPart } from "./outputs";

export type Parsed =
    | { ok: true; model: Domain; resource: DomainResourceFields }
    | { ok: false; failures: dynamic.CheckFailure[] };

function isResourceField(key: string): boolean {
    return (resourceFieldKeys as readonly string[]).includes(key);
}

/** Splits properties into the model's fields and the resource-level ones. */
export function splitFields(props: Properties): { modelInput: Properties; resourceInput: Properties } {
    const modelInput: Properties = {};
    const resourceInput: Properties = {};
    for (const [key, value] of Object.entries(declaredPart(props))) {
        if (isResourceField(key)) resourceInput[key] = value;
        else modelInput[key] = value;
    }
    return { modelInput, resourceInput };
}

/**
 * Parses declared properties; throws `InputError` naming every failure with its full path (for
 * the methods after check). `what` names the method in the message.
 */
export function parseOrThrow(props: Properties, what: string): { model: Domain; resource: DomainResourceFields } {
    const args: Properties = parseInputs(`Domain ${what}`, domainArgsSchema, declaredPart(props));
    const model: Properties = {};
    const resource: Properties = {};
    for (const [key, value] of Object.entries(args)) {
        if (isResourceField(key)) resource[key] = value;
        else model[key] = value;
    }
    return { model: model as Domain, resource: resource as DomainResourceFields };
}

/** Like parseOrThrow, but the failures are returned (state written by another version may not parse). */
export function parseDeclared(props: Properties): Parsed {
    try {
        return { ok: true, ...parseOrThrow(props, "parse") };
    } catch (error) {
        if (error instanceof InputError) return { ok: false, failures: [...error.failures] };
        throw error;
    }
}
