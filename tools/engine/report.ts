/** Renders a run summary as a table like `pulumi up` prints, with secrets replaced by "[secret]". */
import type { RunSummary, StepOp } from "./types";
import { redact } from "./values";

const SYMBOL: Record<StepOp, string> = {
    create: "+",
    same: " ",
    update: "~",
    replace: "+-",
    delete: "-",
    read: ">",
    refresh: "~",
};

/** "urn:pulumi:stack::project::a$b:c:Type::name" → type "b:c:Type" (the last of the parent chain), name. */
function splitUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const name = parts.slice(3).join("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    return { type, name };
}

export function formatSummary(summary: RunSummary, stackLabel: string): string {
    const preview = summary.operation === "preview";
    const title = {
        up: "Updating",
        preview: "Previewing update",
        refresh: "Refreshing",
        destroy: "Destroying",
    }[summary.operation];
    const rows = summary.steps.map((s) => ({
        sym: SYMBOL[s.op],
        ...splitUrn(s.urn),
        op: s.op,
        detail: s.detail ?? "",
    }));
    const w = (k: "type" | "name" | "op") => Math.max(k.length, ...rows.map((r) => r[k].length));
    const [tw, nw, ow] = [w("type"), w("name"), w("op")];
    const lines = [`${title} (${stackLabel})`, ""];
    lines.push(`     ${"Type".padEnd(tw)}  ${"Name".padEnd(nw)}  ${"Op".padEnd(ow)}  Detail`);
    for (const r of rows) {
        lines.push(
            ` ${r.sym.padEnd(3)} ${r.type.padEnd(tw)}  ${r.name.padEnd(nw)}  ${r.op.padEnd(ow)}  ${r.detail}`.trimEnd(),
        );
    }
    const outputs = Object.entries(redact(summary.outputs) as Record<string, unknown>);
    if (outputs.length) {
        lines.push("", "Outputs:");
        for (const [k, v] of outputs) lines.push(`    ${k}: ${JSON.stringify(v)}`);
    }
    const c = summary.counts;
    const verb = (past: string) => (preview ? `to ${past.replace(/d$/, "")}` : past);
    const counts: string[] = [];
    if (c.create) counts.push(`    + ${c.create} ${preview ? "to create" : "created"}`);
    if (c.update) counts.push(`    ~ ${c.update} ${verb("updated")}`);
    if (c.replace) counts.push(`    +- ${c.replace} ${verb("replaced")}`);
    if (c.delete) counts.push(`    - ${c.delete} ${verb("deleted")}`);
    if (c.read) counts.push(`    > ${c.read} read`);
    if (c.refresh) counts.push(`    ~ ${c.refresh} refreshed`);
    if (c.same) counts.push(`    ${c.same} unchanged`);
    lines.push("", "Resources:", ...(counts.length ? counts : ["    no changes"]));
    lines.push("", `Duration: ${(summary.durationMs / 1000).toFixed(1)}s`);
    return lines.join("\n");
}
