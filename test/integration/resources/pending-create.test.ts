/**
 * A read with an empty ID finds the object a killed create left (a "pending create": the state
 * has the inputs, no ID), by the owner record the create wrote (issue 16: destroy removes pending
 * creates; the engine emulator's destroy asks this way). Against the real libvirtd, through the
 * runtime's exports (what the stubs call): a Network, a StoragePool, a Volume and a Domain are
 * created, found again from their checked inputs alone, not found from another resource's inputs,
 * and deleted with what the read answered; virsh checks each step.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as runtime from "../../../provider";
import { configureRuntime } from "../../../provider/resources/shared/connection";
import type { Properties, ResourceHandler } from "../../../provider/resources/shared/handler";
import { defaultPool } from "../../../provider/rpc";
import { loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";
import { checked } from "./network-helpers";

const PREFIX = "pltest-pending-";
const host = loadTestHost();
const workDir = mkdtempSync(join(tmpdir(), PREFIX));

before(() => {
    removeTestObjects(PREFIX);
    configureRuntime({ uri: host.unixUri });
});
after(async () => {
    removeTestObjects(PREFIX);
    rmSync(workDir, { recursive: true, force: true });
    await defaultPool.closeAll();
});

/**
 * Creates from `declaration`, then: a read with an empty ID and the checked inputs answers the
 * created object; the same with another logical name answers nothing. Answers what the read found.
 */
async function createdThenFound(
    handler: ResourceHandler,
    declaration: Properties,
): Promise<{ id: string; props: Properties }> {
    const inputs = await checked(handler, declaration);
    const created = await handler.create(inputs);
    const found = await handler.read("", inputs);
    assert.equal(found.id, created.id, "the read of an empty ID finds the object the create made");
    const stranger = await handler.read("", { ...inputs, namePrefix: `${String(inputs.namePrefix)}-other` });
    assert.equal(stranger.id, "", "another resource's inputs find nothing: the object is not its");
    return { id: found.id, props: found.props as Properties };
}

test("Network, StoragePool, Volume and Domain: a read with an empty ID finds the object a create made, by its owner record", {
    timeout: 120_000,
}, async () => {
    const network = await createdThenFound(runtime.network, {
        namePrefix: `${PREFIX}net`,
        name: `${PREFIX}net`,
        ips: [{ address: "10.253.171.1", prefix: 24 }],
    });
    const pool = await createdThenFound(runtime.storagePool, {
        namePrefix: `${PREFIX}pool`,
        name: `${PREFIX}pool`,
        type: "dir",
        target: { path: join(workDir, "pool") },
    });
    // An automatic name: a volume's only record.
    const volume = await createdThenFound(runtime.volume, {
        namePrefix: `${PREFIX}disk`,
        pool: `${PREFIX}pool`,
        capacity: "4MiB",
        target: { format: "qcow2" },
    });
    const domain = await createdThenFound(runtime.domain, {
        namePrefix: `${PREFIX}vm`,
        name: `${PREFIX}vm`,
        type: "qemu",
        memory: 64,
        running: false,
    });

    // An explicit volume name is no record: nothing is answered for it, even when it exists.
    const byHand = `${PREFIX}byhand`;
    virsh(["vol-create-as", `${PREFIX}pool`, byHand, "1M"]);
    const named = await checked(runtime.volume, {
        namePrefix: byHand,
        name: byHand,
        pool: `${PREFIX}pool`,
        capacity: "1MiB",
    });
    assert.equal((await runtime.volume.read("", named)).id, "", "a volume with an explicit name is never answered");
    virsh(["vol-delete", byHand, "--pool", `${PREFIX}pool`]);

    // What the emulator's destroy does with the answers: delete, dependents first.
    await runtime.domain.delete(domain.id, domain.props);
    await runtime.volume.delete(volume.id, volume.props);
    await runtime.storagePool.delete(pool.id, pool.props);
    await runtime.network.delete(network.id, network.props);
    assert.equal(virshMaybe(["dominfo", `${PREFIX}vm`]), undefined);
    assert.equal(virshMaybe(["pool-info", `${PREFIX}pool`]), undefined);
    assert.equal(virshMaybe(["net-info", `${PREFIX}net`]), undefined);

    // Gone: nothing is found any more.
    const gone = await checked(runtime.network, { namePrefix: `${PREFIX}net`, name: `${PREFIX}net`, ips: [] });
    assert.equal((await runtime.network.read("", gone)).id, "");
});
