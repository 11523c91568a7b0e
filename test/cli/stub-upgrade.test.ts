/**
 * An upgrade that changes the serialized `__provider` stub, under the real engine. A stack is made
 * with the stub texts an earlier build of pulumi-libvirt wrote (`earlier-stubs/`: the texts of
 * commit 3420585, before the runtime loader learnt its fallback folders; the program puts them in
 * place of the current ones with a transformation, as that build's classes did), then the current
 * SDK runs on it. What a user sees: a preview and an `up` with no step but `same` (check and diff
 * run on the new text, and every diff ignores `__provider`); the state's inputs take the new text
 * while its outputs keep the earlier one until an update rewrites them; refresh and destroy run on
 * the outputs' earlier text, whose `require("pulumi-libvirt/provider")` reaches the installed
 * runtime. So a stub text may change between releases without a step for existing resources, as
 * long as the runtime's export names stay.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { Domain, StoragePool, Volume } from "pulumi-libvirt";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import { listNames } from "../helpers/virsh";
import { cliScenario, onlySame } from "./harness";

const PREFIX = "pltest-cli-stubup";
const POOL = `${PREFIX}-pool`;
const POOL_DIR = `/var/lib/libvirt/${POOL}`;
const KINDS = ["StoragePool", "Volume", "Domain"] as const;
type Kind = (typeof KINDS)[number];

function stubText(folder: string, kind: Kind): string {
    return readFileSync(join(PROJECT_ROOT, "test", folder, `${kind}.txt`), "utf8");
}
const earlier = (kind: Kind) => stubText(join("cli", "earlier-stubs"), kind);
/** What the current SDK writes (test/unit/sdk/stub-snapshot.test.ts keeps it equal to the classes' stubs). */
const current = (kind: Kind) => stubText(join("unit", "sdk", "stub-snapshots"), kind);

/** The stack: one pool, one volume and a defined domain on it; with `earlierStubs`, as the earlier build registered them. */
function program(earlierStubs: boolean) {
    const options = (kind: Kind): pulumi.CustomResourceOptions =>
        earlierStubs
            ? { transformations: [(a) => ({ props: { ...a.props, __provider: earlier(kind) }, opts: a.opts })] }
            : {};
    return async () => {
        const host = loadTestHost();
        const pool = new StoragePool(
            "pool",
            { name: POOL, type: "dir", target: { path: POOL_DIR } },
            options("StoragePool"),
        );
        const vol = new Volume(
            "vol",
            { pool: pool.name, name: `${PREFIX}-vol.qcow2`, capacity: 8, target: { format: "qcow2" } },
            options("Volume"),
        );
        new Domain(
            "vm",
            {
                name: `${PREFIX}-vm`,
                type: "qemu",
                memory: 64,
                vcpu: 1,
                running: false,
                os: { kernel: host.guestKernel, initrd: host.guestInitrd },
                devices: {
                    disks: [{ source: { pool: pool.name, volume: vol.name }, target: { dev: "vda", bus: "virtio" } }],
                },
            },
            options("Domain"),
        );
    };
}

interface StateResource {
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

describe("a changed __provider stub at the next up, refresh and destroy", { concurrency: 1 }, () => {
    const s = cliScenario(PREFIX);
    after(() => {
        s.cleanup();
        rmSync(POOL_DIR, { recursive: true, force: true });
    });

    /** Each kind's stub texts in the state: [inputs, outputs]. */
    const stubsInState = async (): Promise<Record<Kind, [unknown, unknown]>> => {
        const deployment = (await (await s.stack()).exportStack()).deployment as { resources?: StateResource[] };
        const found: Partial<Record<Kind, [unknown, unknown]>> = {};
        for (const r of deployment.resources ?? []) {
            const kind = KINDS.find((k) => r.type === `pulumi-nodejs:dynamic/libvirt:${k}`);
            if (kind) found[kind] = [r.inputs?.__provider, r.outputs?.__provider];
        }
        assert.deepEqual(Object.keys(found).sort(), [...KINDS].sort(), "every resource is in the state");
        return found as Record<Kind, [unknown, unknown]>;
    };

    test("the earlier build makes the stack; its stub texts differ from the current ones", async () => {
        for (const kind of KINDS) assert.notEqual(earlier(kind), current(kind), `${kind}: nothing to upgrade`);
        const up = await s.up(program(true));
        assert.equal(up.result.summary.result, "succeeded");
        assert.deepEqual(up.steps.changes.sort(), ["create pool", "create vm", "create vol"]);
        const stubs = await stubsInState();
        for (const kind of KINDS) assert.deepEqual(stubs[kind], [earlier(kind), earlier(kind)], kind);
    });

    test("after the upgrade, a preview expects no changes", async () => {
        const preview = await s.preview(program(false), { expectNoChanges: true });
        assert.deepEqual(preview.steps.changes, []);
        assert.ok(onlySame(preview.result.changeSummary), JSON.stringify(preview.result.changeSummary));
    });

    test("the next up shows no step; the inputs take the new stub, the outputs keep the earlier one", async () => {
        const up = await s.up(program(false));
        assert.equal(up.result.summary.result, "succeeded");
        assert.deepEqual(up.steps.changes, []);
        assert.deepEqual(up.steps.all.sort(), ["same pool", "same vm", "same vol"]);
        assert.ok(onlySame(up.result.summary.resourceChanges), JSON.stringify(up.result.summary.resourceChanges));
        const stubs = await stubsInState();
        for (const kind of KINDS) assert.deepEqual(stubs[kind], [current(kind), earlier(kind)], kind);
    });

    test("a refresh reads through the earlier stub of the outputs and finds nothing changed", async () => {
        const refresh = await s.refresh({ expectNoChanges: true });
        assert.equal(refresh.result.summary.result, "succeeded");
        assert.deepEqual(refresh.steps.changes, []);
        const stubs = await stubsInState();
        for (const kind of KINDS)
            assert.equal(stubs[kind][1], earlier(kind), `${kind}: a read keeps the outputs' stub`);
    });

    test("destroy deletes through the earlier stub of the outputs", async () => {
        const destroy = await s.destroy();
        assert.equal(destroy.result.summary.result, "succeeded");
        assert.deepEqual(destroy.steps.changes.sort(), ["delete pool", "delete vm", "delete vol"]);
        assert.deepEqual(listNames("domain", PREFIX), []);
        assert.deepEqual(listNames("pool", PREFIX), []);
    });
});
