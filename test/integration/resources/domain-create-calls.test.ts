/**
 * The calls of a Domain create against the real libvirtd, counted by the client's call counter:
 * a new domain whose interfaces all have a declared MAC (or that has none) is not read back after
 * its define (its MACs are the declared ones, in the declared order), while one with an interface
 * whose MAC libvirt generates still reads its definition and reports the generated MAC. What the
 * outputs say is cross-checked with `virsh domiflist`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { clientFor } from "../../../provider/resources/shared/connection";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { defaultPool } from "../../../provider/rpc";
import { counted } from "../../helpers/count-calls";
import { createTransientNetwork, removeTestObjects, virsh } from "../../helpers/virsh";
import { handler } from "./domain-helpers";

const PREFIX = "pltest-domcalls-";
const NETWORK = `${PREFIX}net`;
const scratch = mkdtempSync(join(tmpdir(), PREFIX));
let restoreLog: () => void = () => {};

before(async () => {
    removeTestObjects(PREFIX);
    restoreLog = setLogSink(() => {});
    createTransientNetwork(scratch, { name: NETWORK, bridge: "pltdcc0", subnet: "10.253.182" });
    await clientFor(); // the connection is open before counting
});

after(async () => {
    restoreLog();
    removeTestObjects(PREFIX);
    rmSync(scratch, { recursive: true, force: true });
    await defaultPool.closeAll();
});

/** check, then the create counted (check's own reads, the host's capabilities, are not counted). */
async function countedCreate(news: Properties) {
    const checked = await handler.check({}, news);
    assert.deepEqual(checked.failures ?? [], [], JSON.stringify(checked.failures));
    const { result, calls } = await counted(() => handler.create(checked.inputs as Properties));
    return { outs: result.outs as Properties, calls };
}

/** The MACs of a domain's definition as virsh lists them (quiet: no header), in its order. */
function virshMacs(name: string): string[] {
    return virsh(["domiflist", name, "--inactive"])
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => line.trim().split(/\s+/).at(-1)!);
}

const base = { type: "qemu", memory: 64, running: false };

describe("a Domain create reads the definition back only for MACs libvirt generates", { timeout: 60_000 }, () => {
    test("no interfaces: define and state, no read of the definition", async () => {
        const { outs, calls } = await countedCreate({ ...base, namePrefix: `${PREFIX}none` });
        assert.deepEqual(calls, { DOMAIN_DEFINE_XML_FLAGS: 1, DOMAIN_GET_STATE: 1 });
        assert.deepEqual(outs.macAddresses, []);
        assert.deepEqual(outs.ipAddresses, []);
        assert.equal(outs.state, "shutoff");
        assert.deepEqual(virshMacs(outs.name as string), []);
        assert.match(virsh(["domstate", outs.name as string]), /shut off/);
    });

    test("every interface with its MAC: define and state; the MACs are the declared ones, canonical, in order", async () => {
        const { outs, calls } = await countedCreate({
            ...base,
            namePrefix: `${PREFIX}all`,
            devices: {
                interfaces: [
                    // Written in capitals with dashes: libvirt and the output both say it in lower case with colons.
                    { source: { network: NETWORK }, mac: "52-54-00-C4-11-02" },
                    { source: { network: NETWORK }, mac: "52:54:00:c4:11:01" },
                ],
            },
        });
        assert.deepEqual(calls, { DOMAIN_DEFINE_XML_FLAGS: 1, DOMAIN_GET_STATE: 1 });
        assert.deepEqual(outs.macAddresses, ["52:54:00:c4:11:02", "52:54:00:c4:11:01"]);
        assert.deepEqual(virshMacs(outs.name as string), outs.macAddresses);
        assert.deepEqual(outs.ipAddresses, [[], []]);
    });

    test("an interface without a MAC: its definition is read, and the MAC libvirt generated is reported", async () => {
        const { outs, calls } = await countedCreate({
            ...base,
            namePrefix: `${PREFIX}gen`,
            devices: {
                interfaces: [
                    { source: { network: NETWORK }, mac: "52:54:00:c4:11:03" },
                    { source: { network: NETWORK } },
                ],
            },
        });
        assert.deepEqual(calls, { DOMAIN_DEFINE_XML_FLAGS: 1, DOMAIN_GET_STATE: 1, DOMAIN_GET_XML_DESC: 1 });
        const macs = outs.macAddresses as string[];
        assert.equal(macs.length, 2);
        assert.equal(macs[0], "52:54:00:c4:11:03");
        assert.match(macs[1]!, /^52:54:00(:[0-9a-f]{2}){3}$/, "libvirt generates a MAC under QEMU's prefix");
        assert.deepEqual(virshMacs(outs.name as string), macs);
    });
});
