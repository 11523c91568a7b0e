/**
 * The Domain handler's failure paths and takeovers against the real libvirtd: bad input is refused
 * by check before anything exists; a create whose start fails leaves nothing defined; an existing
 * name is refused with a hint, or adopted with `adopt: true` (same UUID, updated to the
 * declaration); a wait for an address that times out says what it saw and records the guest;
 * `Domain.get` (read by name with no state) returns inputs that check accepts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultPool } from "../../../provider/rpc";
import { PartialCreateError } from "../../../provider/resources/shared/errors";
import type { Properties } from "../../../provider/resources/shared/handler";
import { createTransientNetwork, listNames, removeTestObjects, virsh } from "../../helpers/virsh";
import { captureLog, createChecked, handler } from "./domain-helpers";

const PREFIX = "pltest-domfail-";
const NETWORK = `${PREFIX}net`;
const scratch = mkdtempSync(join(tmpdir(), PREFIX));

function base(suffix: string): Properties {
    return { namePrefix: `${PREFIX}${suffix}`, type: "qemu", memory: 64, shutdownTimeoutSeconds: 0 };
}

before(() => {
    removeTestObjects(PREFIX);
    // An isolated network without DHCP: a guest on it never gets an address.
    createTransientNetwork(scratch, { name: NETWORK, bridge: "pltdf0", subnet: "10.253.71" });
});
after(async () => {
    removeTestObjects(PREFIX);
    rmSync(scratch, { recursive: true, force: true });
    await defaultPool.closeAll();
});

describe("Domain failures and takeovers on the real libvirtd", { timeout: 120_000 }, () => {
    test("check refuses bad input field by field, before anything is created", async () => {
        const result = await handler.check(
            {},
            { ...base("bad"), memory: "lots", vcpu: { maximum: 1, current: 2 }, restartPolicy: "sometimes" },
        );
        const properties = (result.failures ?? []).map((f) => f.property);
        assert.ok(properties.includes("memory"), JSON.stringify(result.failures));
        assert.ok(properties.includes("restartPolicy"), JSON.stringify(result.failures));
        assert.ok(
            (result.failures ?? []).some((f) => f.property.startsWith("vcpu")),
            `current above maximum is refused: ${JSON.stringify(result.failures)}`,
        );
        const memory = result.failures!.find((f) => f.property === "memory")!;
        assert.match(memory.reason, /lots/);
        assert.deepEqual(listNames("domain", PREFIX), []);
    });

    test("a start that fails (missing disk file) undefines the domain and names it in the error", async () => {
        const missing = join(scratch, "no-such-disk.qcow2");
        const checked = await handler.check(
            {},
            {
                ...base("nodisk"),
                devices: { disks: [{ source: { file: missing }, target: { dev: "vda", bus: "virtio" } }] },
            },
        );
        assert.equal(checked.failures, undefined);
        const name = checked.inputs!.name as string;
        await assert.rejects(handler.create(checked.inputs!), (error: Error) => {
            assert.match(error.message, new RegExp(`Domain '${name}'`));
            assert.match(error.message, /start failed/);
            assert.match(error.message, /no-such-disk\.qcow2/, "libvirt's own message is kept");
            assert.match(error.message, /undefined again/);
            return true;
        });
        assert.deepEqual(listNames("domain", PREFIX), [], "nothing is left behind");
    });

    test("an existing name is refused with a hint to adopt; adopt takes it over and updates it", async () => {
        const name = `${PREFIX}adopt`;
        const xml = join(scratch, "adopt.xml");
        writeFileSync(
            xml,
            `<domain type='qemu'><name>${name}</name><title>made by hand</title><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`,
        );
        virsh(["define", xml]);
        const uuid = virsh(["domuuid", name]).trim();
        const declared = { ...base("adopt"), name, vcpu: 2, running: false };

        const checked = await handler.check({}, declared);
        await assert.rejects(handler.create(checked.inputs!), /adopt: true/);
        assert.equal(virsh(["domuuid", name]).trim(), uuid, "the existing domain is untouched");

        const { result, lines } = await captureLog(() => createChecked({ ...declared, adopt: true }));
        assert.equal(result.id, uuid, "the same domain, not a new one");
        assert.ok(
            lines.some((l) => l.includes("adopted") && l.includes("vcpu.maximum")),
            `differences are reported: ${lines.join(" | ")}`,
        );
        assert.match(virsh(["vcpucount", name, "--config", "--maximum"]), /2/);
        assert.match(
            virsh(["dumpxml", name, "--inactive"]),
            /<title>made by hand<\/title>/,
            "unmanaged parts are kept",
        );
        assert.equal(result.outs.state, "shutoff");
    });

    test("Domain.get: read by name without state returns inputs that check accepts", async () => {
        const name = `${PREFIX}adopt`;
        const read = await handler.read(name, {});
        assert.equal(read.id, virsh(["domuuid", name]).trim());
        const inputs = read.inputs as Properties;
        assert.equal(inputs.name, name);
        assert.equal(inputs.memory, 64);
        assert.equal(inputs.title, "made by hand");
        assert.equal(inputs.running, false);
        const checked = await handler.check({}, inputs);
        assert.equal(checked.failures, undefined, JSON.stringify(checked.failures));
        const diff = await handler.diff(read.id!, read.props as Properties, checked.inputs!);
        assert.equal(diff.changes, false, "what was read matches what libvirt holds");
    });

    test("Domain.get of a domain with a console password keeps the password out of the recorded inputs", async () => {
        const name = `${PREFIX}vncpw`;
        const xml = join(scratch, "vncpw.xml");
        writeFileSync(
            xml,
            `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os><devices><graphics type='vnc' autoport='yes' listen='127.0.0.1' passwd='pltestpw'/></devices></domain>`,
        );
        virsh(["define", xml]);
        const read = await handler.read(name, {});
        assert.ok(!JSON.stringify(read.inputs).includes("pltestpw"), "inputs from libvirt are not marked secret");
        assert.deepEqual((read.props as Properties).graphicsPasswords, ["pltestpw"], "the secret output has it");
        assert.ok(!JSON.stringify((read.props as Properties).devices).includes("pltestpw"));
    });

    test("waitForIp that times out fails with what it saw and records the running guest", async () => {
        const mac = "52:54:00:fd:71:01";
        const checked = await handler.check(
            {},
            {
                ...base("noip"),
                devices: { interfaces: [{ source: { network: NETWORK }, mac, model: "virtio" }] },
                waitForIp: { source: "lease", timeoutSeconds: 2 },
            },
        );
        const name = checked.inputs!.name as string;
        const started = Date.now();
        const error = await handler.create({ ...checked.inputs!, __provider: "stub" }).then(
            () => assert.fail("create should fail"),
            (e: unknown) => e,
        );
        const elapsed = Date.now() - started;
        assert.ok(error instanceof PartialCreateError, String(error));
        assert.match(error.message, new RegExp(`Domain '${name}'`));
        assert.match(error.message, new RegExp(`interface 0 \\(${mac}\\): no address`));
        assert.ok(elapsed >= 2000 && elapsed < 15_000, `waited the timeout, no more (${elapsed} ms)`);
        assert.equal(error.id, virsh(["domuuid", name]).trim());
        assert.equal(error.properties.__provider, "stub", "the engine can still load the provider");
        assert.deepEqual(error.properties.macAddresses, [mac]);
        assert.equal(virsh(["domstate", name]).trim(), "running", "the guest is kept for the next up");
        await handler.delete(error.id, error.properties);
        assert.deepEqual(listNames("domain", `${PREFIX}noip`), []);
    });

    test("waitForIp from the guest agent, with no agent in the guest, times out naming libvirt's reason", async () => {
        const mac = "52:54:00:fd:71:02";
        const checked = await handler.check(
            {},
            {
                ...base("agent"),
                devices: {
                    interfaces: [{ source: { network: NETWORK }, mac, model: "virtio" }],
                    // The guest agent's channel (the defaults): libvirt then asks the agent, which never answers.
                    channels: [{}],
                },
                waitForIp: { source: "agent", timeoutSeconds: 2 },
            },
        );
        assert.equal(checked.failures, undefined, JSON.stringify(checked.failures));
        const error = await handler.create({ ...checked.inputs!, __provider: "stub" }).then(
            () => assert.fail("create should fail"),
            (e: unknown) => e,
        );
        assert.ok(error instanceof PartialCreateError, String(error));
        assert.match(error.message, /no IP address from source 'agent' within 2 s/);
        assert.match(error.message, /last error: .*agent.*\(libvirt error \d+\)/i);
        await handler.delete(error.id, error.properties);
        assert.deepEqual(listNames("domain", `${PREFIX}agent`), []);
    });
});
