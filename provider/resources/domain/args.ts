/**
 * The Domain resource's arguments: the model's fields in their friendly form (`DomainArgs` of the
 * model) plus what only the resource knows: where the host is, whether to take over an existing
 * domain, how restart-class changes are applied and how to wait for an address.
 */
import { z } from "zod";
import type { DomainArgs } from "../../model/domain";
import { withDomainChecks } from "../../model/domain-checks";
import { domainFieldsSchema } from "../../model/domain-fields-schema";
import { secretPathsOf } from "../../model/secret";
import { resourceFields } from "../shared/check";

/** How to wait for the guest's addresses after create and update. */
export const waitForIpSchema = z.strictObject({
    /**
     * Where addresses come from: `lease` (the libvirt network's DHCP leases), `agent` (the QEMU
     * guest agent inside the guest) or `arp` (the host's ARP table).
     */
    source: z.enum(["lease", "agent", "arp"]).default("lease"),
    /** How long to wait, in seconds, before failing with what was seen. */
    timeoutSeconds: z.number().positive("must be more than 0 seconds").max(3600, "at most an hour").default(300),
    /** Which interfaces (indexes into `devices.interfaces`) must have an address; all of them by default. */
    interfaces: z.array(z.number().int().nonnegative()).optional(),
});

/**
 * `true` means the defaults and `false` no wait; checked as the object otherwise, so that a mistake
 * is reported at its own path (`waitForIp.source`) rather than as "no union member matched".
 */
const waitForIpField = z.preprocess(
    (value) => (value === true ? {} : value === false ? undefined : value),
    waitForIpSchema.optional(),
) as unknown as z.ZodType<WaitForIpOutput | undefined, boolean | z.input<typeof waitForIpSchema> | undefined>;

type WaitForIpOutput = z.output<typeof waitForIpSchema>;

/** The resource-level fields, which are not part of the libvirt definition. */
export const domainResourceFieldsSchema = z.strictObject({
    /** `uri` (the host), `adopt` (take over an existing domain of this name) and the hidden `namePrefix`. */
    ...resourceFields,
    /**
     * What to do when a change needs the running guest restarted: `never` (default: the definition
     * is updated, `pendingRestart` becomes true and a warning names the fields), `graceful` (ACPI
     * shutdown, power off after `shutdownTimeoutSeconds`, start) or `force` (power off, start).
     */
    restartPolicy: z.enum(["never", "graceful", "force"]).default("never"),
    /** How long a graceful shutdown (restart or delete) may take before the guest is powered off. */
    shutdownTimeoutSeconds: z.number().nonnegative("cannot be negative").max(3600, "at most an hour").default(30),
    /** Wait for addresses: `true` for the defaults (DHCP lease, 300 s, every interface). */
    waitForIp: waitForIpField.optional(),
});

/**
 * Everything a Domain accepts, checked at once (the model's cross-field rules included), so that
 * `check` reports every problem before anything is created.
 */
export const domainArgsSchema = withDomainChecks(
    z.strictObject({ ...domainFieldsSchema.shape, ...domainResourceFieldsSchema.shape }),
);

export type DomainResourceFields = z.output<typeof domainResourceFieldsSchema>;
export type WaitForIp = z.output<typeof waitForIpSchema>;

/** Arguments that hold secrets (declared with `secret()` in the model): marked by the SDK, never printed. */
export const DOMAIN_SECRET_PATHS = secretPathsOf(domainArgsSchema);

/** The keys of the resource-level fields; every other input key belongs to the model. */
export const resourceFieldKeys = Object.keys(domainResourceFieldsSchema.shape) as Array<keyof DomainResourceFields>;

/** What users write for a Domain (before Pulumi's `Input` wrapping): the model plus the resource fields. */
export type DomainResourceArgs = Omit<DomainArgs, "name"> & {
    /** The domain's name; left out, it is the logical name plus `-` and seven hex characters. */
    name?: string;
} & z.input<typeof domainResourceFieldsSchema>;

/** The wait settings with defaults, or undefined when no wait was asked for. */
export function waitSettings(value: DomainResourceFields["waitForIp"]): WaitForIp | undefined {
    return value;
}
