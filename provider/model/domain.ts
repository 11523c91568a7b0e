/**
 * The Domain model: what users type for a virtual machine, validated and turned into the exact
 * values the XML layer writes. `DomainArgs` is the friendly input, `Domain` the exact output. The
 * fields are in domain-fields-schema.ts, the checks that span several of them in domain-checks.ts.
 */
import type { z } from "zod";
import { validate } from "./common";
import { withDomainChecks } from "./domain-checks";
import { domainFieldsSchema } from "./domain-fields-schema";

/** The domain schema: the fields plus the checks that span several of them. */
export const domainSchema = withDomainChecks(domainFieldsSchema);

/** What users write (sizes in MiB or with units, shortcuts allowed). */
export type DomainArgs = z.input<typeof domainSchema>;
/** The exact model (sizes in bytes, canonical cpusets) that the XML layer reads and writes. */
export type Domain = z.output<typeof domainSchema>;

/** Validates resource arguments: the exact model, or every failure as `{ property, reason }` with its full path. */
export function validateDomain(input: unknown) {
    return validate(domainSchema, input);
}
