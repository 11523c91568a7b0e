/**
 * CloudInit against the real libvirtd, calling the handler as the engine does (check, diff,
 * create, read, delete): the seed volume holds exactly the built image (virsh vol-download), blkid
 * reads it as iso9660 labelled cidata, a second run changes nothing, new content is a new volume
 * under a new name and the old one goes, refresh notices a deleted or altered volume, bad input
 * and a missing pool fail in check with nothing created, and delete is idempotent.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { cloudInitHandler } from "../../../provider/resources/cloud-init/handler";
import { buildSeed } from "../../../provider/resources/cloud-init/seed";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { virsh } from "../../helpers/virsh";
import { setUpPool, sha256, type TestPool, uri, volumeNames } from "./volume-helpers";

const PREFIX = "pltest-ci-";
let pool: TestPool;
const logged: string[] = [];
let restoreLog: () => void;

before(() => {
    pool = setUpPool(PREFIX);
    restoreLog = setLogSink((level, line) => logged.push(`${level}: ${line}`));
});
after(async () => {
    restoreLog?.();
    await pool?.cleanup();
});

function declared(userData: unknown, extra: Properties = {}): Properties {
    return {
        uri,
        namePrefix: "seed",
        name: `${PREFIX}seed`,
        pool: pool.name,
        userData,
        metaData: { "local-hostname": "ci-host" },
        networkConfig: { version: 2, ethernets: { lan: { match: { name: "en*" }, dhcp4: true } } },
        ...extra,
    };
}

/** The pool's CloudInit volumes, per virsh. */
function seedVolumes(): string[] {
    return volumeNames(pool.name)
        .filter((name) => name.startsWith(PREFIX))
        .sort();
}

/** check + create, as the engine does for a new resource. */
async function up(inputs: Properties): Promise<{ id: string; outs: Properties; checked: Properties }> {
    const checked = await cloudInitHandler.check({}, inputs);
    assert.deepEqual(checked.failures ?? [], [], "check failed");
    const result = await cloudInitHandler.create(checked.inputs as Properties);
    return { id: result.id, outs: result.outs as Properties, checked: checked.inputs as Properties };
}

/** The volume's bytes as `virsh vol-download` writes them. */
function downloaded(name: string): Buffer {
    const file = join(pool.dir, "..", `${PREFIX}download.iso`);
    try {
        virsh(["vol-download", name, file, "--pool", pool.name]);
        return readFileSync(file);
    } finally {
        rmSync(file, { force: true });
    }
}

test("create uploads the built image: same bytes (vol-download), LABEL=cidata (blkid), outputs name, path, key, sha256, instanceId, size", async () => {
    const inputs = declared({ runcmd: [["true"]] });
    const seed = buildSeed(inputs as never);
    const { id, outs } = await up(inputs);
    assert.match(String(outs.name), new RegExp(`^${PREFIX}seed-[0-9a-f]{8}\\.iso$`));
    assert.equal(outs.name, seed.volumeName);
    assert.equal(outs.sha256, seed.sha256);
    assert.equal(outs.instanceId, seed.instanceId);
    assert.equal(outs.size, seed.image.length);
    assert.equal(outs.pool, pool.name);
    assert.equal(outs.path, join(pool.dir, seed.volumeName));
    assert.equal(outs.key, outs.path);
    assert.equal(id, outs.key);
    assert.deepEqual(seedVolumes(), [seed.volumeName]);

    const bytes = downloaded(seed.volumeName);
    assert.equal(bytes.length, seed.image.length);
    assert.equal(sha256(bytes), seed.sha256, "the volume holds exactly the built image");
    const file = join(pool.dir, "..", `${PREFIX}blkid.iso`);
    writeFileSync(file, bytes);
    try {
        const blkid = execFileSync("blkid", ["-o", "export", "-p", file], { encoding: "utf8" });
        assert.match(blkid, /^LABEL=cidata$/m);
        assert.match(blkid, /^TYPE=iso9660$/m);
    } finally {
        rmSync(file, { force: true });
    }
    assert.match(
        virsh(["vol-dumpxml", seed.volumeName, pool.name]),
        new RegExp(`<capacity unit='bytes'>${seed.image.length}</capacity>`),
    );

    // The second run: the same declaration is no change, and refresh finds the volume as it was.
    const again = await cloudInitHandler.check(inputs, inputs);
    assert.deepEqual(await cloudInitHandler.diff(id, outs, again.inputs as Properties), { changes: false });
    const read = await cloudInitHandler.read(id, outs);
    assert.equal(read.id, id);
    assert.deepEqual(read.props, outs);

    await cloudInitHandler.delete(id, outs);
    assert.deepEqual(seedVolumes(), []);
    await cloudInitHandler.delete(id, outs); // already gone: nothing to do, no error
});

test("identical content gives a byte-identical image, whatever the run", async () => {
    const inputs = declared({ write_files: [{ path: "/etc/x", content: "y" }] });
    const first = await up(inputs);
    const bytes = downloaded(String(first.outs.name));
    await cloudInitHandler.delete(first.id, first.outs);
    const second = await up(inputs);
    assert.equal(second.outs.name, first.outs.name);
    assert.ok(downloaded(String(second.outs.name)).equals(bytes));
    await cloudInitHandler.delete(second.id, second.outs);
});

test("a content change replaces: a new volume under a new name, created first; the old one is then deleted", async () => {
    const before = await up(declared({ runcmd: [["echo", "one"]] }));
    const inputs = declared({ runcmd: [["echo", "two"]] });
    const checked = await cloudInitHandler.check(before.checked, inputs);
    const diff = await cloudInitHandler.diff(before.id, before.outs, checked.inputs as Properties);
    assert.deepEqual(diff, { changes: true, replaces: ["userData"] }, "create before delete: no deleteBeforeReplace");
    // The engine re-checks a replacement with no olds, creates it, then deletes the old one.
    const replacement = await up(inputs);
    assert.notEqual(replacement.outs.name, before.outs.name);
    assert.deepEqual(seedVolumes(), [before.outs.name, replacement.outs.name].sort(), "both exist in between");
    await cloudInitHandler.delete(before.id, before.outs);
    assert.deepEqual(seedVolumes(), [replacement.outs.name]);
    assert.notEqual(replacement.outs.instanceId, before.outs.instanceId, "the default instance-id follows the content");
    await cloudInitHandler.delete(replacement.id, replacement.outs);
});

test("refresh notices a volume deleted or altered outside Pulumi; the next diff replaces the altered one, deleting first", async () => {
    const { id, outs, checked } = await up(declared({ runcmd: [["true"]] }));
    const name = String(outs.name);
    // Altered: the same size, other bytes (vol-upload of a same-sized file of zeros).
    const zeros = join(pool.dir, "..", `${PREFIX}zeros`);
    writeFileSync(zeros, Buffer.alloc(Number(outs.size)));
    try {
        virsh(["vol-upload", name, zeros, "--pool", pool.name]);
    } finally {
        rmSync(zeros, { force: true });
    }
    const altered = await cloudInitHandler.read(id, outs);
    assert.equal(altered.id, id);
    assert.equal(altered.props?.sha256, sha256(Buffer.alloc(Number(outs.size))));
    const diff = await cloudInitHandler.diff(id, altered.props as Properties, checked);
    assert.deepEqual(diff, { changes: true, replaces: ["sha256"], deleteBeforeReplace: true });
    // Resized: not downloaded, reported as another volume.
    virsh(["vol-resize", name, String(Number(outs.size) + 4096), "--pool", pool.name]);
    const resized = await cloudInitHandler.read(id, outs);
    assert.match(String(resized.props?.sha256), /not the seed image/);
    assert.equal(resized.props?.size, Number(outs.size) + 4096);
    // Deleted: refresh reports it gone.
    virsh(["vol-delete", name, "--pool", pool.name]);
    assert.deepEqual(await cloudInitHandler.read(id, outs), { id: "" });
    await cloudInitHandler.delete(id, outs);
});

test("bad input fails in check, naming the field and the fix, and nothing is created", async () => {
    const cases: Array<[Properties, string, RegExp]> = [
        [declared("#cloud-config\nusers: [\n"), "userData", /not valid YAML/],
        [declared("#cloud-config\n- just\n- a list\n"), "userData", /must be a YAML mapping/],
        [
            declared({ users: [{ name: "lab", ssh_authorized_keys: ["ssh-rsa AAAA not-a-key"] }] }),
            "userData.users[0].ssh_authorized_keys[0]",
            /is not an SSH public key/,
        ],
        [declared({}, { metaData: { "local-hostname": "bad_name" } }), "metaData.local-hostname", /not a host name/],
        [declared({ hostname: "-x-" }), "userData.hostname", /not a host name/],
        [declared({}, { networkConfig: { ethernets: {} } }), "networkConfig.version", /version 1 or 2/],
    ];
    for (const [inputs, property, reason] of cases) {
        const result = await cloudInitHandler.check({}, inputs);
        const failure = result.failures?.find((f) => f.property === property);
        assert.ok(failure, `${property}: ${JSON.stringify(result.failures)}`);
        assert.match(failure.reason, reason);
    }
    assert.deepEqual(seedVolumes(), [], "check creates nothing");
});

test("a pool that does not exist fails in check with the fix and the existing pools; create refuses it too", async () => {
    const inputs = declared({}, { pool: `${PREFIX}missing` });
    const result = await cloudInitHandler.check({}, inputs);
    assert.equal(result.failures?.length, 1, JSON.stringify(result.failures));
    assert.equal(result.failures![0]!.property, "pool");
    assert.match(
        result.failures![0]!.reason,
        new RegExp(
            `storage pool '${PREFIX}missing' does not exist on ${uri.replace(/[/+:]/g, "\\$&")}: create it first .*'${pool.name}'`,
        ),
    );
    await assert.rejects(cloudInitHandler.create(inputs), /storage pool 'pltest-ci-missing' does not exist/);
    assert.equal(virsh(["pool-list", "--all", "--name"]).includes(`${PREFIX}missing`), false);
    assert.deepEqual(seedVolumes(), []);
});

test("an unknown cloud-config key is a warning naming the closest known key; the seed is still made", async () => {
    logged.length = 0;
    const { id, outs } = await up(declared({ runcmnd: [["true"]] }));
    assert.ok(
        logged.some((line) =>
            /^warning: CloudInit 'pltest-ci-seed': .*"runcmnd" \(did you mean "runcmd"\?\)/.test(line),
        ),
        logged.join("\n"),
    );
    await cloudInitHandler.delete(id, outs);
});
