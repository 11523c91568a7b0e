/**
 * Boots the test host's tiny guest (direct kernel boot, `type: "qemu"`, 128 MiB, no balloon) on an
 * isolated pltest network whose DHCP server has a reservation for the guest's MAC, and checks that
 * `waitForIp` (lease source) makes the reserved address the Domain's `ipAddresses` output. The
 * guest only talks DHCP to the local bridge.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import type { Properties } from "../../../provider/resources/shared/handler";
import { loadTestHost } from "../../helpers/test-host";
import { listNames, removeTestObjects, virsh } from "../../helpers/virsh";
import { createChecked, handler } from "./domain-helpers";

const PREFIX = "pltest-domboot-";
const NETWORK = `${PREFIX}net`;
const MAC = "52:54:00:fd:72:01";
const RESERVED = "10.253.72.42";
const host = loadTestHost();
const scratch = mkdtempSync(join(tmpdir(), PREFIX));
const consoleLog = join(scratch, "console.log");

before(() => {
    for (const file of [host.guestKernel, host.guestInitrd]) {
        assert.ok(existsSync(file), `the tiny guest is missing (${file}): run scripts/setup-test-host.sh`);
    }
    removeTestObjects(PREFIX);
    const xml = join(scratch, "net.xml");
    writeFileSync(
        xml,
        `<network><name>${NETWORK}</name><bridge name='pltdb0'/>` +
            `<ip address='10.253.72.1' prefix='24'><dhcp><range start='10.253.72.100' end='10.253.72.200'/>` +
            `<host mac='${MAC}' ip='${RESERVED}'/></dhcp></ip></network>`,
    );
    virsh(["net-create", xml]);
});
after(async () => {
    removeTestObjects(PREFIX);
    rmSync(scratch, { recursive: true, force: true });
    await defaultPool.closeAll();
});

describe("a booting guest gets its reserved address as the ipAddresses output", { timeout: 120_000 }, () => {
    test("create with waitForIp (lease) yields exactly the reserved address; read keeps it; delete removes it", async () => {
        const { id, outs } = await createChecked({
            namePrefix: `${PREFIX}tiny`,
            type: "qemu",
            memory: 128,
            os: { kernel: host.guestKernel, initrd: host.guestInitrd, cmdline: "console=ttyS0" },
            devices: {
                interfaces: [{ source: { network: NETWORK }, mac: MAC, model: "virtio" }],
                serials: [{ type: "file", path: consoleLog }],
                memballoon: { model: "none" },
            },
            waitForIp: { source: "lease", timeoutSeconds: 90 },
            shutdownTimeoutSeconds: 0,
        });
        const name = outs.name as string;
        assert.deepEqual(outs.macAddresses, [MAC]);
        assert.deepEqual(outs.ipAddresses, [[RESERVED]], `console: ${readFileSync(consoleLog, "utf8").slice(-500)}`);
        assert.match(virsh(["domifaddr", name, "--source", "lease"]), new RegExp(RESERVED.replaceAll(".", "\\.")));

        const read = await handler.read(id, outs);
        assert.deepEqual((read.props as Properties).ipAddresses, [[RESERVED]]);

        await handler.delete(id, outs);
        assert.deepEqual(listNames("domain", PREFIX), []);
    });
});
