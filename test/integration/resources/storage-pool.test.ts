/**
 * The StoragePool handler against the real libvirtd, called directly as the provider host would:
 * check → create → read → diff → update → delete, adoption, refused deletes, rollback of a failed
 * create, and drift found by read. virsh checks every result independently.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { storagePoolHandler as handler } from "../../../provider/resources/storage-pool/handler";
import { configureRuntime } from "../../../provider/resources/shared/connection";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { defaultPool } from "../../../provider/rpc";
import { loadTestHost } from "../../helpers/test-host";
import { listNames, removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";

const PREFIX = "pltest-spool-";
const host = loadTestHost();
const workDir = mkdtempSync(join(tmpdir(), PREFIX));
/** Stands in for the serialized stub the host adds to every request. */
const PROVIDER = "stub-text";

let logLines: string[] = [];
let restoreLog: () => void = () => {};

before(() => {
    removeTestObjects(PREFIX);
    configureRuntime({ uri: host.unixUri });
});
beforeEach(() => {
    logLines = [];
    restoreLog();
    restoreLog = setLogSink((_level, line) => logLines.push(line));
});
after(async () => {
    restoreLog();
    removeTestObjects(PREFIX);
    rmSync(workDir, { recursive: true, force: true });
    await defaultPool.closeAll();
});

/** `virsh pool-info` as a map: State, Autostart, UUID... */
function poolInfo(name: string): Record<string, string> {
    const info: Record<string, string> = {};
    for (const line of virsh(["pool-info", name]).split("\n")) {
        const match = /^([^:]+):\s*(.*)$/.exec(line.trim());
        if (match) info[match[1]!] = match[2]!;
    }
    return info;
}

function poolExists(name: string): boolean {
    return listNames("pool", PREFIX).includes(name);
}

async function checked(olds: Properties, news: Properties): Promise<Properties> {
    const result = await handler.check(olds, { ...news, __provider: PROVIDER });
    assert.equal(result.failures, undefined, JSON.stringify(result.failures));
    return { ...result.inputs, __provider: PROVIDER };
}

test("check: autonames from the logical name and refuses bad input before anything exists", async () => {
    const good = await handler.check({}, { namePrefix: `${PREFIX}chk`, target: { path: join(workDir, "chk") } });
    assert.match(String(good.inputs?.name), new RegExp(`^${PREFIX}chk-[0-9a-f]{7}$`));
    const bad = await handler.check({}, { namePrefix: `${PREFIX}chk`, type: "tmpfs", autostart: "yes" });
    const properties = bad.failures?.map((f) => f.property).sort();
    assert.deepEqual(properties, ["autostart", "type"]);
    const noPath = await handler.check({}, { namePrefix: `${PREFIX}chk` });
    assert.equal(noPath.failures?.[0]?.property, "target.path");
    assert.match(noPath.failures![0]!.reason, /set target\.path/);
    assert.deepEqual(listNames("pool", `${PREFIX}chk`), []);
});

test("lifecycle: create builds, starts and autostarts; read, diff, update, delete", async () => {
    const path = join(workDir, "life");
    const inputs = await checked({}, { namePrefix: `${PREFIX}life`, target: { path } });
    const name = String(inputs.name);

    const created = await handler.create(inputs);
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    let info = poolInfo(name);
    assert.equal(info.State, "running");
    assert.equal(info.Autostart, "yes");
    assert.equal(info.UUID, created.id);
    assert.ok(existsSync(path), "the build created the directory");
    const outs = created.outs!;
    assert.equal(outs.__provider, PROVIDER, "outputs keep __provider");
    assert.equal(outs.uri, host.unixUri);
    assert.equal(outs.active, true);
    assert.equal(outs.built, true);
    assert.equal(typeof outs.capacityBytes, "number");

    // Read matches what was declared: no diff.
    const refreshed = await handler.read(created.id, outs);
    assert.equal(refreshed.id, created.id);
    assert.deepEqual((refreshed.props!.target as Properties).path, path);
    assert.deepEqual(await handler.diff(created.id, refreshed.props!, inputs), { changes: false });

    // autostart applies live.
    const noAutostart = await checked(inputs, { ...inputs, autostart: false });
    assert.equal(noAutostart.name, name, "the automatic name is kept across updates");
    const liveDiff = await handler.diff(created.id, refreshed.props!, noAutostart);
    assert.deepEqual(liveDiff, { changes: true });
    assert.match(logLines.join("\n"), /live\s+autostart: true -> false/);
    const updated = await handler.update(created.id, refreshed.props!, noAutostart);
    info = poolInfo(name);
    assert.equal(info.Autostart, "no");
    assert.equal(info.State, "running");
    assert.equal(updated.outs!.autostart, false);

    // A new target path replaces; with an automatic name the replacement is created first.
    const moved = await checked(noAutostart, { ...noAutostart, target: { path: join(workDir, "life2") } });
    assert.deepEqual(await handler.diff(created.id, updated.outs!, moved), { changes: true, replaces: ["target"] });

    await handler.delete(created.id, updated.outs!);
    assert.equal(poolExists(name), false);
    assert.equal(existsSync(path), false, "the directory this pool built is removed with it");
    // Deleting again is a no-op, and read reports the pool gone.
    await handler.delete(created.id, updated.outs!);
    assert.deepEqual(await handler.read(created.id, updated.outs!), { id: "" });
});

test("a definition change redefines and restarts a dir pool; its volumes stay", async () => {
    const path = join(workDir, "perm");
    const inputs = await checked({}, { namePrefix: `${PREFIX}perm`, target: { path } });
    const name = String(inputs.name);
    const { id, outs } = await handler.create(inputs);
    try {
        virsh(["vol-create-as", name, "keep.raw", "1M"]);
        const restricted = await checked(inputs, { ...inputs, target: { path, permissions: { mode: "750" } } });
        const diff = await handler.diff(id, outs!, restricted);
        assert.deepEqual(diff, { changes: true });
        assert.match(logLines.join("\n"), /restart\s+target\.permissions\.mode: \(unset\) -> "0750"/);
        const updated = await handler.update(id, outs!, restricted);
        assert.match(virsh(["pool-dumpxml", name, "--inactive"]), /<mode>0750<\/mode>/);
        assert.equal((statSync(path).mode & 0o777).toString(8), "750", "the directory itself got the mode");
        assert.equal(poolInfo(name).State, "running");
        assert.equal(poolInfo(name).UUID, id, "the same pool, not a new one");
        assert.match(virsh(["vol-list", name]), /keep\.raw/);
        assert.deepEqual(await handler.diff(id, updated.outs!, restricted), { changes: false });
        virsh(["vol-delete", "keep.raw", "--pool", name]);
        await handler.delete(id, updated.outs!);
    } finally {
        removeTestObjects(name);
    }
});

test("an explicit name makes replacement delete first", async () => {
    const name = `${PREFIX}explicit`;
    const inputs = await checked({}, { namePrefix: "logical", name, target: { path: join(workDir, "explicit") } });
    assert.equal(inputs.name, name);
    const moved = { ...inputs, target: { path: join(workDir, "explicit2") } };
    assert.deepEqual(await handler.diff("id", { ...inputs, uri: host.unixUri }, moved), {
        changes: true,
        replaces: ["target"],
        deleteBeforeReplace: true,
    });
});

test("read finds drift: autostart, a stopped pool, and a pool removed outside Pulumi", async () => {
    const inputs = await checked({}, { namePrefix: `${PREFIX}drift`, target: { path: join(workDir, "drift") } });
    const name = String(inputs.name);
    const { id, outs } = await handler.create(inputs);
    try {
        virsh(["pool-autostart", name, "--disable"]);
        virsh(["pool-destroy", name]);
        const read = await handler.read(id, outs!);
        assert.equal(read.props!.autostart, false);
        assert.equal(read.props!.active, false);
        const diff = await handler.diff(id, read.props!, inputs);
        assert.equal(diff.changes, true);
        assert.equal(diff.replaces, undefined);
        // The update brings it back as declared.
        const updated = await handler.update(id, read.props!, inputs);
        const info = poolInfo(name);
        assert.equal(info.State, "running");
        assert.equal(info.Autostart, "yes");
        assert.equal(updated.outs!.active, true);

        virsh(["pool-destroy", name]);
        virsh(["pool-undefine", name]);
        assert.deepEqual(await handler.read(id, updated.outs!), { id: "" });
        // An update without that refresh makes nothing and names the way back.
        await assert.rejects(
            handler.update(id, updated.outs!, inputs),
            new RegExp(
                `StoragePool '${name}' no longer exists on .+ \\(removed outside Pulumi\\); run a refresh, then up again to recreate it`,
            ),
        );
        assert.equal(poolExists(name), false);
    } finally {
        removeTestObjects(name);
    }
});

test("delete refuses a pool that still holds volumes, naming them, and removes nothing", async () => {
    const path = join(workDir, "busy");
    const inputs = await checked({}, { namePrefix: `${PREFIX}busy`, target: { path } });
    const name = String(inputs.name);
    const { id, outs } = await handler.create(inputs);
    try {
        virsh(["vol-create-as", name, "disk-a.qcow2", "1M", "--format", "qcow2"]);
        virsh(["vol-create-as", name, "disk-b.raw", "1M"]);
        await assert.rejects(
            handler.delete(id, outs!),
            new RegExp(`StoragePool '${name}' still holds 2 volume\\(s\\): disk-a\\.qcow2, disk-b\\.raw`),
        );
        assert.equal(poolInfo(name).State, "running", "the pool was left as it was");
        assert.ok(existsSync(join(path, "disk-a.qcow2")));

        virsh(["vol-delete", "disk-a.qcow2", "--pool", name]);
        virsh(["vol-delete", "disk-b.raw", "--pool", name]);
        await handler.delete(id, outs!);
        assert.equal(poolExists(name), false);
    } finally {
        removeTestObjects(name);
    }
});

test("adopt: takes over an existing pool, updates it to the declaration, and refuses without adopt", async () => {
    const name = `${PREFIX}adopt`;
    const path = join(workDir, "adopt");
    mkdirSync(path);
    virsh(["pool-define-as", name, "dir", "--target", path]);
    virsh(["pool-start", name]);
    const uuid = poolInfo(name).UUID;
    try {
        // Over TCP this time: the uri input picks the daemon connection.
        const inputs = await checked({}, { namePrefix: "adopted", name, target: { path }, uri: host.tcpUri });
        await assert.rejects(
            handler.create(inputs),
            new RegExp(
                `StoragePool '${name}' already exists on ${host.tcpUri.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, and this resource did not define it .*; set adopt: true`,
            ),
        );

        const created = await handler.create({ ...inputs, adopt: true });
        assert.equal(created.id, uuid, "the existing pool is taken over, not recreated");
        assert.equal(poolInfo(name).Autostart, "yes", "updated to the declaration (autostart defaults to true)");
        assert.equal(created.outs!.built, false);
        assert.equal(created.outs!.uri, host.tcpUri);
        assert.match(logLines.join("\n"), /adopting the existing pool.*\n.*autostart: false -> true/);

        // Deleting an adopted pool never removes its directory: this resource did not create it.
        await handler.delete(created.id, created.outs!);
        assert.equal(poolExists(name), false);
        assert.ok(existsSync(path));
    } finally {
        removeTestObjects(name);
    }
});

test("adopt refuses a pool whose replace-class fields differ, leaving it untouched", async () => {
    const name = `${PREFIX}adoptdiff`;
    const path = join(workDir, "adoptdiff");
    mkdirSync(path);
    virsh(["pool-define-as", name, "dir", "--target", path]);
    try {
        const before = virsh(["pool-dumpxml", name]);
        const inputs = await checked({}, { name, target: { path: join(workDir, "elsewhere") }, adopt: true });
        await assert.rejects(handler.create(inputs), /cannot adopt the existing pool: target\.path \(is ".*adoptdiff"/);
        assert.equal(virsh(["pool-dumpxml", name]), before);
        assert.equal(poolInfo(name).State, "inactive");
    } finally {
        removeTestObjects(name);
    }
});

test("a create that fails after define leaves nothing behind", async () => {
    // A regular file where the pool's parent directory should be: the build cannot create it.
    const blocker = join(workDir, "blocker");
    writeFileSync(blocker, "not a directory");
    const inputs = await checked({}, { namePrefix: `${PREFIX}fail`, target: { path: join(blocker, "pool") } });
    const name = String(inputs.name);
    await assert.rejects(
        handler.create(inputs),
        new RegExp(`StoragePool '${name}': start failed: .+ \\[VIR_ERR_SYSTEM_ERROR\\]`),
    );
    assert.equal(poolExists(name), false, "the defined pool was undefined again");
    assert.equal(virshMaybe(["pool-info", name]), undefined);
});

test("get: read by name with no state finds an existing pool", async () => {
    const name = `${PREFIX}get`;
    const path = join(workDir, "get");
    mkdirSync(path);
    virsh(["pool-define-as", name, "dir", "--target", path]);
    try {
        const read = await handler.read(name, { __provider: PROVIDER });
        assert.equal(read.id, name);
        assert.equal(read.props!.name, name);
        assert.equal(read.props!.uuid, poolInfo(name).UUID);
        assert.equal((read.props!.target as Properties).path, path);
        assert.equal(read.props!.__provider, PROVIDER);
        assert.deepEqual(await handler.read(`${PREFIX}missing`, {}), { id: "" });
    } finally {
        removeTestObjects(name);
    }
});
