/**
 * The engine emulator settled against the real engine: the same programs, in the same order, run
 * under both (the JsonFile fixture, which touches only files), and what each records is compared:
 * the steps, the stack outputs (with which of them are secret) and every resource's outputs in the
 * state. A difference is a bug in the emulator (or in the fixture provider), fixed with this test.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { EngineEmulator } from "../../tools/engine";
import { openCliStack } from "../../tools/lab/automation";
import { linkPackage } from "../../tools/lab/project";
import { JsonFile } from "../fixtures/engine/json-file";
import { type FixtureProject, makeFixtureProject } from "../fixtures/engine/project";
import { PROJECT_ROOT } from "../helpers/test-host";
import { PASSPHRASE, testCli } from "./harness";

/** Pulumi's secret signature: the key that marks a secret value in state and on the wire. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const TYPE = "pulumi-nodejs:dynamic/engine-fixture:JsonFile";

interface Decl {
    files: {
        name: string;
        content: unknown;
        immutable?: string;
        explicitName?: string;
        password?: string;
        /** Wrap the content in { inner: content, hidden: secret } */
        secretObject?: boolean;
    }[];
    /** A file whose content is the path of the first file (a dependency through an output). */
    dependent?: boolean;
}

function program(dir: string, d: Decl): PulumiFn {
    return async () => {
        const made = d.files.map(
            (f) =>
                new JsonFile(f.name, {
                    dir,
                    content: f.secretObject ? { inner: f.content, hidden: pulumi.secret("h") } : f.content,
                    ...(f.immutable !== undefined ? { immutable: f.immutable } : {}),
                    ...(f.explicitName !== undefined ? { name: f.explicitName } : {}),
                    ...(f.password !== undefined ? { password: pulumi.secret(f.password) } : {}),
                }),
        );
        const first = made[0];
        if (d.dependent && first) new JsonFile("dependent", { dir, content: first.path, immutable: first.name });
        return {
            names: made.map((f) => f.name),
            nested: { list: [pulumi.secret("in-a-list")], plain: 1 },
            password: made.find((_, i) => d.files[i]?.password)?.password,
        };
    };
}

/** Engine ops in the emulator's words: a replacement is one "replace" and one "delete" step. */
const ENGINE_OP: Record<string, string | undefined> = {
    "create-replacement": undefined,
    "delete-replaced": "delete",
    replace: "replace",
    "discard-replaced": "delete",
};

/**
 * Secrets (wrapped or encrypted) as "[secret]", the data folder as "<data>", autoname suffixes as
 * "<random>", the provider's text dropped.
 */
function normalise(v: unknown, dataDir: string): unknown {
    // Autonames end in seven random hex digits, different on each side.
    if (typeof v === "string")
        return v
            .split(dataDir)
            .join("<data>")
            .replace(/-[0-9a-f]{7}\b/g, "-<random>");
    if (Array.isArray(v)) return v.map((x) => normalise(x, dataDir));
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (SECRET_SIG_KEY in o) return "[secret]";
        return Object.fromEntries(
            Object.entries(o)
                .filter(([k]) => k !== "__provider")
                .map(([k, x]) => [k, normalise(x, dataDir)]),
        );
    }
    return v;
}

interface Record_ {
    steps: string[];
    outputs: unknown;
    state: Record<string, unknown>;
}

/**
 * The emulator names every refresh step "refresh" with a detail; the engine reports a refreshed
 * resource as "same", "update" (its outputs changed) or "delete" (gone).
 */
function refreshOp(op: string, detail: string | undefined): string {
    if (op !== "refresh") return op;
    if (detail === "unchanged") return "same";
    return detail?.startsWith("deleted") ? "delete" : "update";
}

/** What one side recorded after one act. */
type Side = {
    fixture: FixtureProject;
    act(kind: "up" | "refresh" | "destroy", d?: Decl): Promise<Record_>;
};

function emulatorSide(): Side {
    const fixture = makeFixtureProject();
    const engine = () =>
        new EngineEmulator({ stateFile: fixture.stateFile, project: "parity", stack: "dev", cwd: fixture.dir });
    const stateOf = () => {
        const state = JSON.parse(readFileSync(fixture.stateFile, "utf8")) as {
            resources: { urn: string; outputs: unknown }[];
        };
        return Object.fromEntries(
            state.resources
                .filter((r) => r.urn.includes(TYPE))
                .map((r) => [r.urn.split("::").pop(), normalise(r.outputs, fixture.dataDir)]),
        );
    };
    return {
        fixture,
        act: async (kind, d) => {
            const e = engine();
            const summary =
                kind === "up"
                    ? await e.up(program(fixture.dataDir, d!))
                    : kind === "refresh"
                      ? await e.refresh()
                      : await e.destroy();
            return {
                steps: summary.steps
                    .filter((s) => s.urn.includes(TYPE))
                    .map((s) => `${refreshOp(s.op, s.detail)} ${s.urn.split("::").pop()}`)
                    .filter((s) => !s.startsWith("same "))
                    .sort(),
                outputs: normalise(summary.outputs, fixture.dataDir),
                state: stateOf(),
            };
        },
    };
}

function engineSide(): Side {
    const fixture = makeFixtureProject();
    linkPackage(fixture.dir, PROJECT_ROOT);
    let stack: Promise<Stack> | undefined;
    const open = () => {
        stack ??= openCliStack({
            cli: testCli(),
            dir: fixture.dir,
            project: "parity",
            stack: "dev",
            program: join(PROJECT_ROOT, "dist", "examples", "minimal", "index.js"),
            stateRoot: join(fixture.dir, ".pulumi-state"),
            passphrase: PASSPHRASE,
        });
        return stack;
    };
    const stateOf = async () => {
        const exported = (await (await open()).exportStack()).deployment as {
            resources?: { urn: string; type: string; outputs?: unknown }[];
        };
        return Object.fromEntries(
            (exported.resources ?? [])
                .filter((r) => r.type === TYPE)
                .map((r) => [r.urn.split("::").pop(), normalise(r.outputs ?? {}, fixture.dataDir)]),
        );
    };
    return {
        fixture,
        act: async (kind, d) => {
            const s = await open();
            return engineAct(s, kind, d);
        },
    };

    async function engineAct(s: Stack, kind: "up" | "refresh" | "destroy", d?: Decl): Promise<Record_> {
        const steps: string[] = [];
        const onEvent = (e: import("@pulumi/pulumi/automation").EngineEvent) => {
            const m = e.resOutputsEvent?.metadata;
            if (!m || m.type !== TYPE) return;
            const op = m.op in ENGINE_OP ? ENGINE_OP[m.op] : m.op;
            if (op && op !== "same" && !(op === "refresh" && !m.diffs?.length))
                steps.push(`${op} ${m.urn.split("::").pop()}`);
        };
        if (kind === "up") await s.up({ program: program(fixture.dataDir, d!), onEvent });
        else if (kind === "refresh") await s.refresh({ onEvent });
        else await s.destroy({ onEvent });
        // From the state, not the Automation API's outputs(): that marks only top-level secrets and
        // returns nested ones in clear.
        const exported = (await s.exportStack()).deployment as { resources?: { type: string; outputs?: unknown }[] };
        const stackResource = (exported.resources ?? []).find((r) => r.type === "pulumi:pulumi:Stack");
        const outputs = normalise(stackResource?.outputs ?? {}, fixture.dataDir);
        return { steps: steps.sort(), outputs, state: await stateOf() };
    }
}

describe("the engine emulator records what the real engine records", { concurrency: 1 }, () => {
    const emulator = emulatorSide();
    const engine = engineSide();
    const both = async (what: string, kind: "up" | "refresh" | "destroy", d?: Decl) => {
        const [e, r] = [await emulator.act(kind, d), await engine.act(kind, d)];
        assert.deepEqual(e.steps, r.steps, `${what}: steps (emulator, engine)`);
        if (kind === "up") assert.deepEqual(e.outputs, r.outputs, `${what}: stack outputs`);
        assert.deepEqual(e.state, r.state, `${what}: state`);
    };
    const base: Decl = {
        files: [
            { name: "a", content: { x: 1 }, password: "pw-a" },
            { name: "b", content: [1, 2] },
        ],
    };

    test("create, same, update, replace in both orders, a dependent, delete, refresh and destroy", async () => {
        try {
            await both("create", "up", base);
            await both("same", "up", base);
            await both("update", "up", { files: [{ ...base.files[0]!, content: { x: 2 } }, base.files[1]!] });
            await both("replace (create first)", "up", {
                files: [{ ...base.files[0]!, content: { x: 2 }, immutable: "v2" }, base.files[1]!],
            });
            await both("replace an explicit name (delete first) with a dependent", "up", {
                files: [{ name: "a", content: { x: 2 }, immutable: "v3", explicitName: "fixed-a" }, base.files[1]!],
                dependent: true,
            });
            await both("replace an explicit name again: its existing dependent goes first", "up", {
                files: [{ name: "a", content: { x: 2 }, immutable: "v4", explicitName: "fixed-a" }, base.files[1]!],
                dependent: true,
            });
            await both("secrets inside an array and an object of an input", "up", {
                files: [
                    { name: "a", content: { x: 2 }, immutable: "v4", explicitName: "fixed-a" },
                    { name: "b", content: [1, pulumi.secret(2)], secretObject: true },
                ],
                dependent: true,
            });
            await both("delete", "up", {
                files: [{ name: "a", content: { x: 2 }, immutable: "v3", explicitName: "fixed-a" }],
                dependent: true,
            });
            // Out of band: the file of "a" changes under both stacks.
            for (const side of [emulator, engine]) {
                writeFileSync(join(side.fixture.dataDir, "fixed-a.json"), JSON.stringify({ content: { x: 99 } }));
            }
            await both("refresh after an out-of-band edit", "refresh");
            await both("destroy", "destroy");
        } finally {
            for (const side of [emulator, engine]) side.fixture.cleanup();
            rmSync(join(engine.fixture.dir, ".pulumi-state"), { recursive: true, force: true });
        }
    });
});
