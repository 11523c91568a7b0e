/**
 * The DomainSnapshot resource's arguments: which domain, what kind of snapshot (internal inside
 * the qcow2 images, or external overlays), its description, and `revertTrigger`, whose change
 * reverts the domain to the snapshot. Cross-field rules live in `snapshotArgFailures`.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { domainSnapshotResourceSchema, type SnapshotKind } from "../../model/snapshot";
import { HIDDEN_INPUT_KEYS, parseInputs, resourceFields } from "../shared/check";
import type { Properties } from "../shared/handler";

/** The argument schema: the resource's fields plus `uri`, `adopt`, `namePrefix`. */
export const domainSnapshotArgsSchema = z.strictObject({
    ...domainSnapshotResourceSchema.shape,
    ...resourceFields,
});

/** DomainSnapshot arguments as parsed. */
export type DomainSnapshotArgs = z.output<typeof domainSnapshotArgsSchema>;
/** DomainSnapshot arguments as users write them. */
export type DomainSnapshotArgsInput = z.input<typeof domainSnapshotArgsSchema>;

/** Inputs that belong to the resource, not to the snapshot libvirt keeps. */
export const DOMAIN_SNAPSHOT_RESOURCE_FIELDS = ["uri", "adopt", ...HIDDEN_INPUT_KEYS] as const;

/** The kind, with the default applied. */
export function kindOf(args: Pick<DomainSnapshotArgs, "kind">): SnapshotKind {
    return args.kind ?? "internal";
}

/**
 * Rules over several fields, each with the field, the value and the fix. Internal snapshots
 * always follow the guest's state (memory with a running guest, none with a shut-off one), and
 * libvirt quiesces only disk-only snapshots.
 */
export function snapshotArgFailures(args: DomainSnapshotArgs): dynamic.CheckFailure[] {
    const failures: dynamic.CheckFailure[] = [];
    const kind = kindOf(args);
    const fail = (property: string, reason: string) => failures.push({ property, reason });
    if (kind === "internal") {
        if (args.memory !== undefined) {
            fail(
                "memory",
                'an internal snapshot holds the memory of a running guest and none of a shut-off one; remove memory, or set kind: "external" to choose',
            );
        }
        if (args.memoryFile !== undefined) {
            fail("memoryFile", 'a memory file belongs to an external snapshot; set kind: "external" and memory: true');
        }
        args.disks?.forEach((disk, index) => {
            if (disk.overlay !== undefined) {
                fail(
                    `disks[${index}].overlay`,
                    `an internal snapshot lives inside the disk's qcow2 image and makes no overlay (got ${JSON.stringify(disk.overlay)}); set kind: "external", or remove overlay`,
                );
            }
        });
    } else if (args.memoryFile !== undefined && args.memory !== true) {
        fail("memoryFile", "a memory file is written only when memory: true; set memory: true, or remove memoryFile");
    }
    if (args.quiesce === true && (kind !== "external" || args.memory === true)) {
        fail(
            "quiesce",
            'libvirt freezes file systems only for a disk-only snapshot; set kind: "external" without memory, or remove quiesce',
        );
    }
    const seen = new Set<string>();
    args.disks?.forEach((disk, index) => {
        if (seen.has(disk.target)) fail(`disks[${index}].target`, `the disk ${disk.target} is listed twice`);
        seen.add(disk.target);
        if (disk.exclude === true && disk.overlay !== undefined) {
            fail(`disks[${index}].overlay`, `the disk ${disk.target} is excluded, so it gets no overlay; remove one`);
        }
    });
    return failures;
}

/** Parses checked inputs or old outputs (computed keys are dropped). */
export function parseDomainSnapshotArgs(props: Properties): DomainSnapshotArgs {
    return parseInputs("DomainSnapshot", domainSnapshotArgsSchema, props);
}

/** The resource id: `<domain>/<snapshot>` (neither name may hold a '/'). */
export function idOf(domain: string, name: string): string {
    return `${domain}/${name}`;
}

export function parseId(id: string): { domain: string; name: string } {
    const slash = id.indexOf("/");
    if (slash <= 0 || slash === id.length - 1) {
        throw new Error(
            `DomainSnapshot: '${id}' is not a snapshot id; expected <domain>/<snapshot>, e.g. vm1/before-upgrade`,
        );
    }
    return { domain: id.slice(0, slash), name: id.slice(slash + 1) };
}

export function label(domain: string, name: string): string {
    return `${name}' of domain '${domain}`;
}
