/**
 * What to ask libvirt for: the `<domainsnapshot>` document and the create flags, from the
 * arguments and the domain as it is now. Pure, so every rule is unit-tested; the rules that need
 * the domain (a guest agent for quiesce, a running guest for memory) refuse here, before libvirt
 * is asked, with the field, the value and the fix.
 */
import { dirname } from "node:path";
import type { DomainSnapshotDocument, SnapshotDisk } from "../../model/snapshot";
import { VirDomainSnapshotCreateFlags } from "../../rpc/generated";
import { type DomainSnapshotArgs, kindOf } from "./args";
import { type DomainFacts, GUEST_AGENT_CHANNEL } from "../../xml/domain-facts";

export interface SnapshotPlan {
    document: DomainSnapshotDocument;
    flags: number;
}

/** A declaration the domain cannot satisfy; the message says which field and what to do. */
export class SnapshotPlanError extends Error {
    constructor(
        readonly property: string,
        message: string,
    ) {
        super(message);
        this.name = "SnapshotPlanError";
    }
}

function diskEntries(args: DomainSnapshotArgs, facts: DomainFacts, external: boolean): SnapshotDisk[] {
    const entries: SnapshotDisk[] = [];
    for (const disk of args.disks ?? []) {
        if (!facts.disks.some((d) => d.target === disk.target)) {
            const targets = facts.disks.map((d) => d.target).join(", ") || "none";
            throw new SnapshotPlanError(
                "disks",
                `the domain '${args.domain}' has no disk ${disk.target} (its disks: ${targets}); list only its disks`,
            );
        }
        const known = facts.disks.find((d) => d.target === disk.target)!;
        if (disk.exclude === true && !external && !known.readOnly) {
            throw new SnapshotPlanError(
                `disks`,
                `an internal snapshot covers every writable disk (libvirt refuses to leave ${disk.target} out; it leaves read-only ones out itself); set kind: "external" to leave ${disk.target} out, or remove exclude`,
            );
        }
        if (disk.exclude === true) entries.push({ name: disk.target, snapshot: "no" });
        else if (external && disk.overlay !== undefined) {
            entries.push({ name: disk.target, snapshot: "external", type: "file", source: disk.overlay });
        }
    }
    return entries;
}

/** The default memory file: `<domain>-<snapshot>.mem` beside the first included disk's image. */
function defaultMemoryFile(args: DomainSnapshotArgs, name: string, facts: DomainFacts): string {
    const excluded = new Set((args.disks ?? []).filter((d) => d.exclude === true).map((d) => d.target));
    const disk = facts.disks.find(
        (d) => d.device === "disk" && !excluded.has(d.target) && d.source?.startsWith("/") === true,
    );
    if (disk === undefined) {
        throw new SnapshotPlanError(
            "memoryFile",
            `the domain '${args.domain}' has no disk image whose folder could hold the memory state; set memoryFile`,
        );
    }
    return `${dirname(disk.source!)}/${args.domain}-${name}.mem`;
}

/**
 * The snapshot to create. `running` is whether the guest runs now: an internal snapshot then holds
 * its memory; memory and quiesce need it.
 */
export function planSnapshot(
    args: DomainSnapshotArgs,
    name: string,
    facts: DomainFacts,
    running: boolean,
): SnapshotPlan {
    const external = kindOf(args) === "external";
    const F = VirDomainSnapshotCreateFlags;
    if (args.quiesce === true) {
        if (!running) {
            throw new SnapshotPlanError(
                "quiesce",
                `quiesce needs a running guest whose agent freezes its file systems, and the domain '${args.domain}' is not running; start it, or remove quiesce`,
            );
        }
        if (!facts.agentConnected) {
            const why = facts.agentChannel
                ? `its ${GUEST_AGENT_CHANNEL} channel is not connected (no agent answers in the guest)`
                : `it has no ${GUEST_AGENT_CHANNEL} channel`;
            throw new SnapshotPlanError(
                "quiesce",
                `quiesce needs the QEMU guest agent, and the domain '${args.domain}' has none: ${why}; add the channel and run qemu-guest-agent in the guest, or remove quiesce`,
            );
        }
    }
    if (args.memory === true && !running) {
        throw new SnapshotPlanError(
            "memory",
            `memory: true saves a running guest's memory, and the domain '${args.domain}' is not running; start it, or remove memory`,
        );
    }
    const document: DomainSnapshotDocument = { name };
    if (args.description !== undefined) document.description = args.description;
    let flags = 0;
    if (external) {
        if (args.memory === true) {
            document.memory = { snapshot: "external", file: args.memoryFile ?? defaultMemoryFile(args, name, facts) };
        } else {
            document.memory = { snapshot: "no" };
            flags |= F.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
        }
        // All disks or none: a failure on one disk must not leave the others on new overlays.
        flags |= F.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC;
    }
    const disks = diskEntries(args, facts, external);
    if (disks.length > 0) document.disks = disks;
    if (args.quiesce === true) flags |= F.VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE;
    return { document, flags };
}
