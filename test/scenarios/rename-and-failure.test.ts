/**
 * Item 9: renaming replaces (the old object goes, the new one comes, in that order since the name
 * is explicit), and a create that fails leaves nothing behind in libvirt.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Domain, StoragePool, Volume } from "pulumi-libvirt";
import { virsh, virshMaybe } from "../helpers/virsh";
import { changes, failedUp, objectsOf, poolPath, type Scenario, scenario } from "./harness";

const PREFIX = "pltest-scn-ren";

let s: Scenario;
before(() => {
    s = scenario(PREFIX);
});
after(() => s.cleanup());

const volumesOf = (pool: string) =>
    virsh(["vol-list", pool])
        .split("\n")
        .map((l) => l.trim().split(/\s+/)[0])
        .filter((v) => v?.startsWith(PREFIX));

test("renaming a volume replaces it: the old name is gone, the new one exists", async () => {
    const program = (volumeName: string) => () => {
        const pool = new StoragePool("pool", {
            name: `${PREFIX}-pool`,
            type: "dir",
            target: { path: poolPath(PREFIX) },
        });
        new Volume("disk", { pool: pool.name, name: volumeName, capacity: 8, target: { format: "qcow2" } });
    };
    await s.engine().up(program(`${PREFIX}-old.qcow2`));
    assert.deepEqual(volumesOf(`${PREFIX}-pool`), [`${PREFIX}-old.qcow2`]);

    const renamed = await s.engine().up(program(`${PREFIX}-new.qcow2`));
    // The replacement: the new volume is created and the old one deleted (order per deleteBeforeReplace).
    assert.deepEqual(changes(renamed).sort(), ["delete disk", "replace disk"]);
    assert.deepEqual(volumesOf(`${PREFIX}-pool`), [`${PREFIX}-new.qcow2`]);

    await s.engine().destroy();
    assert.deepEqual(objectsOf(PREFIX), []);
});

test("a domain whose start fails is not left defined", async (t) => {
    const name = `${PREFIX}-broken`;
    const program = () => {
        new Domain("broken", {
            name,
            type: "qemu",
            memory: 64,
            // The kernel file does not exist: define succeeds, start fails.
            os: { kernel: `/var/lib/libvirt/${PREFIX}-missing/vmlinuz`, cmdline: "console=ttyS0" },
            running: true,
        });
    };
    const failure = await failedUp(s, program);
    t.diagnostic(failure.message);
    assert.match(failure.message, new RegExp(name));
    assert.equal(virshMaybe(["dominfo", name]), undefined, "the domain is not defined");
    assert.deepEqual(
        objectsOf(PREFIX).filter((o) => o === name),
        [],
    );
    assert.deepEqual(
        s.state().filter((r) => r.urn.endsWith("::broken")),
        [],
        "nothing of the failed create is in the state",
    );
});
