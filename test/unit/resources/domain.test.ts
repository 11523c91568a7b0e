/**
 * Domain handler pieces that need no libvirt: check (autonaming, failures, preview unknowns),
 * diff classes and delete-before-replace, secret handling in outputs and messages, the friendly
 * form of read models, the undefine flags per daemon version, and link-local filtering.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateDomain } from "../../../provider/model/domain";
import { isLinkLocal } from "../../../provider/resources/domain/addresses";
import { checkDomain } from "../../../provider/resources/domain/check";
import { comparable } from "../../../provider/resources/domain/comparable";
import { domainHandler } from "../../../provider/resources/domain/handler";
import { domainOutputs, joinPasswords, modelToInputs } from "../../../provider/resources/domain/outputs";
import { undefineFlags } from "../../../provider/resources/domain/undefine";
import { UNKNOWN_VALUE } from "../../../provider/resources/shared/handler";
import { VirDomainUndefineFlagsValues as F } from "../../../provider/rpc/generated";
import { logLinesOf } from "../../helpers/log-lines";

const base = { namePrefix: "vm", type: "qemu", memory: 128 };
const computed = {
    uuid: "9a1e9c2e-7f42-4f2b-8a47-3b8f0e2f5d11",
    macAddresses: [],
    ipAddresses: [],
    state: "running",
    pendingRestart: false,
    pendingChanges: [],
};

// The handler's check also asks the host (integration/resources/domain-checks); here only the inputs' own rules.
test("check autonames from namePrefix, keeps the name across updates and reports bad fields", async () => {
    const first = checkDomain({}, base);
    assert.equal(first.failures, undefined);
    const name = first.inputs!.name as string;
    assert.match(name, /^vm-[0-9a-f]{7}$/);
    const second = checkDomain(first.inputs!, { ...base, memory: 256 });
    assert.equal(second.inputs!.name, name);
    const bad = checkDomain({}, { ...base, memory: -1, waitForIp: { source: "dns" } });
    const properties = bad.failures!.map((f) => f.property).sort();
    assert.deepEqual(properties, ["memory", "waitForIp.source"]);
});

test("check tolerates Pulumi's unknown value during preview", async () => {
    const result = await domainHandler.check(
        {},
        { ...base, devices: { interfaces: [{ source: { network: UNKNOWN_VALUE } }] } },
    );
    assert.equal(result.failures, undefined);
});

test("diff: live, restart and replace classes; an explicit name replaces delete-first", async () => {
    const olds = { ...base, name: "vm-0123abc", vcpu: { maximum: 2, current: 1 }, ...computed };
    const live = await domainHandler.diff("id", olds, {
        ...base,
        name: "vm-0123abc",
        vcpu: { maximum: 2, current: 2 },
    });
    assert.deepEqual(live, { changes: true });
    const same = await domainHandler.diff("id", olds, {
        ...base,
        name: "vm-0123abc",
        vcpu: { maximum: 2, current: 1 },
    });
    assert.deepEqual(same, { changes: false });
    const renamed = await domainHandler.diff("id", olds, { ...base, name: "other", vcpu: { maximum: 2, current: 1 } });
    assert.deepEqual(renamed, { changes: true, replaces: ["name"] });
    const explicit = { ...olds, name: "fixed" };
    const retyped = await domainHandler.diff("id", explicit, {
        ...base,
        name: "fixed",
        type: "kvm",
        vcpu: { maximum: 2, current: 1 },
    });
    assert.deepEqual(retyped, { changes: true, replaces: ["type"], deleteBeforeReplace: true });
    // Nothing listens on port 1 (no connection stays open): daemons that cannot be compared count as two.
    const moved = await domainHandler.diff(
        "id",
        { ...olds, uri: "qemu+tcp://127.0.0.1:1/system" },
        {
            ...base,
            name: "vm-0123abc",
            vcpu: { maximum: 2, current: 1 },
            uri: "qemu+tcp://127.0.0.1:1/session",
        },
    );
    assert.deepEqual(moved.replaces, ["uri"]);
});

test("console passwords go to a separate secret output and are never printed by diff", async () => {
    const inputs = {
        ...base,
        name: "vm-0123abc",
        devices: { graphics: [{ type: "vnc", password: "s3cret" }] },
        __provider: "p",
    };
    const outs = domainOutputs(inputs, computed);
    assert.deepEqual(outs.devices, { graphics: [{ type: "vnc" }] });
    assert.deepEqual(outs.graphicsPasswords, ["s3cret"]);
    assert.equal(outs.__provider, "p");
    assert.deepEqual((joinPasswords(outs).devices as { graphics: unknown[] }).graphics, [
        { type: "vnc", password: "s3cret" },
    ]);
    let diff: unknown;
    const lines = await logLinesOf(async () => {
        diff = await domainHandler.diff("id", outs, {
            ...inputs,
            devices: { graphics: [{ type: "vnc", password: "0ther" }] },
        });
    });
    assert.deepEqual(diff, { changes: true });
    const text = lines.join("\n");
    assert.match(text, /password/);
    assert.doesNotMatch(text, /s3cret|0ther/);
    assert.doesNotThrow(() => JSON.stringify(outs));
    assert.ok(!JSON.stringify(outs).includes("undefined"));
});

test("a read model becomes friendly inputs that parse back to the same model", () => {
    const parsed = validateDomain({
        name: "vm",
        type: "qemu",
        memory: "1536MiB",
        currentMemory: "1000KiB",
        maxMemory: { size: "4GiB", slots: 4 },
        memtune: { hardLimit: "2GiB", softLimit: "1000KiB" },
        memoryBacking: { hugepages: [{ size: "2MiB" }], locked: true },
        vcpu: { maximum: 4, current: 2 },
        cpu: { numa: { cells: [{ cpus: "0-3", memory: "1536MiB" }] } },
    });
    assert.ok(parsed.ok);
    const inputs = modelToInputs(parsed.value);
    assert.equal(inputs.memory, 1536);
    assert.deepEqual(inputs.memtune, { hardLimit: 2048, softLimit: "1000KiB" });
    assert.equal((inputs.cpu as { numa: { cells: Array<{ memory: unknown }> } }).numa.cells[0]!.memory, 1536);
    assert.equal(inputs.currentMemory, "1000KiB");
    const again = validateDomain(inputs);
    assert.ok(again.ok);
    assert.deepEqual(again.value, parsed.value);
});

test("power state and autostart are not compared with the definition", () => {
    const a = validateDomain({ name: "vm", memory: 64, vcpu: 2, autostart: true });
    const b = validateDomain({ name: "vm", memory: 64, vcpu: 2, running: false });
    assert.ok(a.ok && b.ok);
    assert.deepEqual(comparable(a.value), comparable(b.value));
});

test("undefine flags follow the daemon's version", () => {
    const all =
        F.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
        F.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
        F.VIR_DOMAIN_UNDEFINE_NVRAM |
        F.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
    assert.equal(undefineFlags(9_000_000), all);
    assert.equal(
        undefineFlags(1_002_008),
        F.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | F.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
    );
    assert.equal(undefineFlags(5_005_000), all & ~F.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA);
    assert.equal(undefineFlags(9_003), 0);
});

test("link-local addresses never count as the guest's address", () => {
    assert.equal(isLinkLocal("169.254.3.4"), true);
    assert.equal(isLinkLocal("fe80::5054:ff:fe12:3456"), true);
    assert.equal(isLinkLocal("10.253.72.42"), false);
    assert.equal(isLinkLocal("fd00::1"), false);
});
