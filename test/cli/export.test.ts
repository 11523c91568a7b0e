/**
 * A host as code, under the real Pulumi engine: with the lab up, `pulumi-libvirt export` prints a
 * program that declares its network, reservations, pool, volumes and domains with adopt: true and
 * wired by references; the program type-checks; its `up` in another stack adopts every object and
 * changes nothing in libvirt (every definition byte for byte but the domains' owner record, which
 * adoption moves to the adopting resource; the guests' QEMU processes), and a second preview plans
 * nothing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import ts from "typescript";
import { lab } from "../../examples/lab/lab";
import { main as exportMain } from "../../provider/export/main";
import { defaultPool } from "../../provider/rpc";
import { moduleProgram } from "../../tools/lab/automation";
import { loadTestHost, PROJECT_ROOT } from "../helpers/test-host";
import { listNames, virsh } from "../helpers/virsh";
import { cliScenario } from "./harness";

const PREFIX = "pltest-exp";
const SUBNET = "10.253.241";

/** Every definition libvirt holds for the lab, and the guests' QEMU pids. */
function snapshot(): Record<string, string> {
    const pool = `${PREFIX}-pool`;
    const out: Record<string, string> = {
        network: virsh(["net-dumpxml", "--inactive", `${PREFIX}-net`]),
        pool: virsh(["pool-dumpxml", "--inactive", pool]),
    };
    for (const d of listNames("domain", PREFIX)) {
        // The owner record names the resource that owns the domain: adoption moves it, by design.
        out[`domain ${d}`] = virsh(["dumpxml", "--inactive", d]).replace(/\s*<owner:owner [^>]*\/>/g, "");
        out[`pid ${d}`] = readFileSync(`/run/libvirt/qemu/${d}.pid`, "utf8").trim();
    }
    for (const line of virsh(["vol-list", pool]).split("\n").slice(2)) {
        const vol = line.trim().split(/\s+/)[0];
        if (vol) out[`volume ${vol}`] = virsh(["vol-dumpxml", vol, "--pool", pool]);
    }
    return out;
}

describe("a host exported as code", { concurrency: 1 }, () => {
    const original = cliScenario(PREFIX);
    const adopter = cliScenario(`${PREFIX}b`);
    after(async () => {
        // The adopting stack owns the objects now (their owner record says so): it destroys them,
        // and the original stack is forgotten.
        try {
            await adopter.destroy();
        } finally {
            adopter.cleanup();
            original.cleanup();
            // exportMain ran in this process: its connection (and keepalive timer) would keep the
            // file alive after its tests.
            await defaultPool.closeAll();
        }
    });

    test("the exported program adopts the lab and changes nothing", async (t) => {
        const host = loadTestHost();
        await original.up(async () =>
            lab({
                prefix: PREFIX,
                subnet: SUBNET,
                poolPath: `/var/lib/libvirt/${PREFIX}-pool`,
                kernel: host.guestKernel,
                initrd: host.guestInitrd,
                shutdownTimeoutSeconds: 3,
            }),
        );
        const before = snapshot();

        const file = join(adopter.dir, "index.ts");
        assert.equal(await exportMain(["export", "--name", `${PREFIX}-*`, "--out", file]), 0);
        const program = readFileSync(file, "utf8");
        t.diagnostic(`exported ${program.split("\n").length} lines`);
        for (const kind of ["Network", "StoragePool", "Volume", "Domain", "DhcpHost"]) {
            assert.match(program, new RegExp(`new ${kind}\\(`), `declares a ${kind}`);
        }
        assert.match(program, /pool: pltestExpPool\.name/, "volumes reference their pool");
        assert.match(program, /volume: pltestExpVm1Qcow2\.name/, "a domain's disk references its volume");
        assert.match(program, /network: pltestExpNet\.name/, "NICs and reservations reference the network");
        assert.ok(!program.includes("adopt: false"));

        // It type-checks as a user's program would (strict, node resolution, the installed package).
        const tsc = spawnSync(
            join(PROJECT_ROOT, "node_modules", ".bin", "tsc"),
            ["--noEmit", "--strict", "--module", "commonjs", "--moduleResolution", "node"].concat([
                "--ignoreDeprecations",
                "6.0",
                "--target",
                "es2022",
                "--skipLibCheck",
                file,
            ]),
            { cwd: adopter.dir, encoding: "utf8" },
        );
        assert.equal(tsc.status, 0, `the exported program does not type-check:\n${tsc.stdout}${tsc.stderr}`);
        const js = join(adopter.dir, "index.js");
        writeFileSync(
            js,
            ts.transpileModule(program, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText,
        );

        const up = await adopter.up(moduleProgram(js));
        assert.ok(
            up.steps.changes.every((s) => s.startsWith("create ")),
            `adoption only: ${up.steps.changes.join(", ")}`,
        );
        assert.ok(up.steps.changes.length >= 9, `every object adopted: ${up.steps.changes.length}`);
        assert.deepEqual(snapshot(), before, "libvirt holds exactly what it held before the adopting up");
        await adopter.preview(moduleProgram(js), { expectNoChanges: true });
    });
});
