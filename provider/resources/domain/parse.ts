/**
 * Turns declared properties (checked inputs, or the inputs echoed in old outputs) into the exact
 * domain model and the resource-level settings. Each call parses friendly input exactly once.
 */
import type { Domain } from "../../model/domain";
import { validateDomain } from "../../model/domain";
import { validate } from "../../model/common";
import { type DomainResourceFields, domainResourceFieldsSchema, resourceFieldKeys } from "./args";
import { declaredPart } from "./outputs";
import { type Properties, UNKNOWN_VALUE } from "../shared/handler";

export interface Failure {
    property: string;
    reason: string;
}

export type Parsed = { ok: true; model: Domain; resource: DomainResourceFields } | { ok: false; failures: Failure[] };

/** Splits properties into the model's fields and the resource-level ones. */
export function splitFields(props: Properties): { modelInput: Properties; resourceInput: Properties } {
    const modelInput: Properties = {};
    const resourceInput: Properties = {};
    for (const [key, value] of Object.entries(declaredPart(props))) {
        if ((resourceFieldKeys as readonly string[]).includes(key)) resourceInput[key] = value;
        else modelInput[key] = value;
    }
    return { modelInput, resourceInput };
}

/** Parses declared properties; failures carry full property paths. */
export function parseDeclared(props: Properties): Parsed {
    const { modelInput, resourceInput } = splitFields(props);
    const model = validateDomain(modelInput);
    const resource = validate(domainResourceFieldsSchema, resourceInput);
    const failures = [...(model.ok ? [] : model.failures), ...(resource.ok ? [] : resource.failures)];
    if (!model.ok || !resource.ok) return { ok: false, failures };
    return { ok: true, model: model.value, resource: resource.value };
}

/** Like parseDeclared, but throws one error naming every failure (for methods after check). */
export function parseOrThrow(props: Properties, what: string): { model: Domain; resource: DomainResourceFields } {
    const parsed = parseDeclared(props);
    if (!parsed.ok) {
        const list = parsed.failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
        throw new Error(`Domain ${what}: invalid properties: ${list}`);
    }
    return parsed;
}

/** The top-level keys whose value holds Pulumi's preview placeholder for an unknown value. */
export function unknownKeys(props: Properties): string[] {
    const holds = (value: unknown): boolean => {
        if (value === UNKNOWN_VALUE) return true;
        if (Array.isArray(value)) return value.some(holds);
        if (value && typeof value === "object") return Object.values(value).some(holds);
        return false;
    };
    return Object.keys(props).filter((key) => holds(props[key]));
}
