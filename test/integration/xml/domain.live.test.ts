/**
 * Domains against the real libvirtd: every model of the table in domain-live-cases.ts is written
 * with our writer (validated against domain.rng), defined with VIR_DOMAIN_DEFINE_VALIDATE and read
 * back as inactive XML through our client and through `virsh dumpxml --inactive`; the reader, given
 * the declared model, must return exactly that model (zero drift); merging the model into libvirt's
 * document and defining the result must change nothing. The cases that can run here
 * (type qemu, the tiny guest's kernel) are started as well and their live XML must read back the
 * same. Guests sit on an isolated network, a local bridge and one end of a veth pair: no traffic leaves.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Domain, domainSchema } from "../../../provider/model/domain";
import { domainFieldsSchema } from "../../../provider/model/domain-fields-schema";
import { domainCpuFeatureSchema, domainCpuSchema, domainVcpuSchema } from "../../../provider/model/domain-cpu";
import {
    domainChannelSchema,
    domainConsoleSchema,
    domainSerialSchema,
} from "../../../provider/model/domain-devices-char";
import { diskBuses, diskDriverSchema, domainDiskSchema } from "../../../provider/model/domain-devices-disk";
import {
    domainGraphicsSchema,
    domainInputSchema,
    soundModels,
    videoModels,
} from "../../../provider/model/domain-devices-display";
import { interfaceDriverSchema, interfaceModels } from "../../../provider/model/domain-devices-interface";
import {
    domainFilesystemSchema,
    domainMemballoonSchema,
    domainRngSchema,
    domainTpmSchema,
    domainWatchdogSchema,
} from "../../../provider/model/domain-devices-misc";
import { domainMemoryBackingSchema, domainNumatuneMemorySchema } from "../../../provider/model/domain-memory";
import {
    bootDevices,
    domainClockSchema,
    domainOsSchema,
    domainTimerSchema,
    onCrashSchema,
    onPoweroffSchema,
    onRebootSchema,
} from "../../../provider/model/domain-os";
import { connect, type LibvirtClient, type RemoteNonnullDomain } from "../../../provider/rpc";
import { VirDomainDefineFlags, VirDomainUndefineFlagsValues, VirDomainXMLFlags } from "../../../provider/rpc/generated";
import { domainFromXml, domainToXml, mergeDomain } from "../../../provider/xml/domain";
import { loadTestHost } from "../../helpers/test-host";
import { listNames, removeTestObjects, virsh } from "../../helpers/virsh";
import { relaxngFailures } from "../../unit/xml/domain-relaxng";
import {
    DOMLIVE_PREFIX,
    HOST_BRIDGE,
    HOST_DUMMY,
    HOST_DUMMY_PEER,
    LIVE_NETWORK,
    LIVE_NETWORK_BRIDGE,
    LIVE_NETWORK_XML,
    type LiveCase,
    liveCases,
} from "./domain-live-cases";

const host = loadTestHost();
/** Images, logs and shares of this run; root-owned guests can read it. */
const DIR = `/var/lib/libvirt/images/${DOMLIVE_PREFIX}files`;
const POOL = `${DOMLIVE_PREFIX}pool`;
const POOL_DIR = `/var/lib/libvirt/images/${DOMLIVE_PREFIX}pool`;

const cases = liveCases({ dir: DIR, kernel: host.guestKernel, initrd: host.guestInitrd });

const UNDEFINE_ALL =
    VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_NVRAM |
    VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_TPM |
    VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
    VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
const INACTIVE = VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE | VirDomainXMLFlags.VIR_DOMAIN_XML_SECURE;
const LIVE = VirDomainXMLFlags.VIR_DOMAIN_XML_SECURE;

function ip(args: string[], check = true): void {
    try {
        execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
    } catch (error) {
        if (check) throw new Error(`ip ${args.join(" ")}: ${(error as { stderr?: Buffer }).stderr ?? error}`);
    }
}

function removeHostLinks(): void {
    ip(["link", "del", HOST_BRIDGE], false);
    ip(["link", "del", HOST_DUMMY], false);
}

function cleanUp(): void {
    removeTestObjects(DOMLIVE_PREFIX);
    removeHostLinks();
    rmSync(DIR, { recursive: true, force: true });
    rmSync(POOL_DIR, { recursive: true, force: true });
}

/** The model of a case: the base, the case's fields, and for started cases the tiny guest's kernel. */
function modelOf(index: number, c: LiveCase): Domain {
    const name = `${DOMLIVE_PREFIX}${String(index).padStart(3, "0")}`;
    const os = c.start
        ? {
              kernel: host.guestKernel,
              initrd: host.guestInitrd,
              cmdline: "console=ttyS0 panic=-1",
              ...c.fields.os,
          }
        : c.fields.os;
    return domainSchema.parse({
        name,
        type: "qemu",
        memory: 128,
        vcpu: 1,
        ...c.fields,
        ...(os ? { os } : {}),
    });
}

/** The fields that live outside the XML (set through the API). */
function withoutApiFields(model: Domain): Domain {
    const { autostart: _autostart, running: _running, ...rest } = model;
    return rest;
}

function assertNoDrift(xml: string, model: Domain, what: string): void {
    assert.deepEqual(domainFromXml(xml, { like: model }), withoutApiFields(model), `${what}:\n${xml}`);
}

/** Every enum of the Domain model, by its path in the model (list indices left out). */
function modelledEnums(): Record<string, readonly string[]> {
    const options = (schema: { unwrap?: () => unknown; options?: readonly string[] }): readonly string[] =>
        schema.options ?? (schema.unwrap!() as { options: readonly string[] }).options;
    const fields = domainFieldsSchema.shape;
    const cpu = domainCpuSchema.shape;
    const memory = domainMemoryBackingSchema.shape;
    const clock = domainClockSchema.shape;
    const timer = domainTimerSchema.shape;
    const disk = domainDiskSchema.shape;
    const driver = diskDriverSchema.shape;
    return {
        type: options(fields.type.unwrap()),
        "vcpu.placement": options(domainVcpuSchema.shape.placement),
        "cpu.mode": options(cpu.mode),
        "cpu.fallback": options(cpu.fallback),
        "cpu.match": options(cpu.match),
        "cpu.check": options(cpu.check),
        "cpu.features.policy": options(domainCpuFeatureSchema.shape.policy),
        "numatune.memory.mode": options(domainNumatuneMemorySchema.shape.mode),
        "numatune.memory.placement": options(domainNumatuneMemorySchema.shape.placement),
        "memoryBacking.source": options(memory.source),
        "memoryBacking.access": options(memory.access),
        "memoryBacking.allocation": options(memory.allocation),
        "features.hyperv.mode": ["custom", "passthrough"],
        "clock.offset": options(clock.offset),
        "clock.basis": options(clock.basis),
        "clock.timers.name": options(timer.name),
        "clock.timers.tickpolicy": options(timer.tickpolicy),
        "clock.timers.track": options(timer.track),
        "os.firmware": options(domainOsSchema.shape.firmware),
        "os.boot": bootDevices,
        onPoweroff: onPoweroffSchema.options,
        onReboot: onRebootSchema.options,
        onCrash: onCrashSchema.options,
        "devices.disks.device": options(disk.device.unwrap()),
        "devices.disks.target.bus": diskBuses,
        "devices.disks.driver.type": options(driver.type),
        "devices.disks.driver.cache": options(driver.cache),
        "devices.disks.driver.io": options(driver.io),
        "devices.disks.driver.discard": options(driver.discard),
        "devices.interfaces.source.mode": ["vepa", "bridge", "private", "passthrough"],
        "devices.interfaces.model": interfaceModels,
        "devices.interfaces.driver.name": options(interfaceDriverSchema.shape.name),
        "devices.graphics.type": options(domainGraphicsSchema.shape.type),
        "devices.videos.model": videoModels,
        "devices.sounds.model": soundModels,
        "devices.inputs.type": options(domainInputSchema.shape.type),
        "devices.inputs.bus": options(domainInputSchema.shape.bus),
        "devices.serials.type": options(domainSerialSchema.shape.type),
        "devices.consoles.type": options(domainConsoleSchema.shape.type),
        "devices.consoles.targetType": options(domainConsoleSchema.shape.targetType),
        "devices.channels.type": options(domainChannelSchema.shape.type.unwrap()),
        "devices.memballoon.model": options(domainMemballoonSchema.shape.model),
        "devices.rngs.model": options(domainRngSchema.shape.model.unwrap()),
        "devices.rngs.backend": options(domainRngSchema.shape.backend.unwrap()),
        "devices.filesystems.driver": options(domainFilesystemSchema.shape.driver.unwrap()),
        "devices.filesystems.accessmode": options(domainFilesystemSchema.shape.accessmode),
        "devices.watchdogs.model": options(domainWatchdogSchema.shape.model),
        "devices.watchdogs.action": options(domainWatchdogSchema.shape.action),
        "devices.tpms.model": options(domainTpmSchema.shape.model),
        "devices.tpms.version": options(domainTpmSchema.shape.version),
    };
}

const written = new Map<string, string>();
const counts = { defined: 0, started: 0, refused: 0 };

before(() => {
    cleanUp();
    mkdirSync(DIR, { recursive: true });
    mkdirSync(POOL_DIR, { recursive: true });
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", join(DIR, "boot.qcow2"), "32M"]);
    writeFileSync(join(DIR, "x.iso"), Buffer.alloc(0));
    ip(["link", "add", HOST_BRIDGE, "type", "bridge"]);
    ip(["link", "set", HOST_BRIDGE, "up"]);
    ip(["link", "add", HOST_DUMMY, "type", "veth", "peer", "name", HOST_DUMMY_PEER]);
    ip(["link", "set", HOST_DUMMY, "up"]);
});

after(() => cleanUp());

describe("domains in the real libvirtd: zero drift", () => {
    let client: LibvirtClient;

    before(async () => {
        client = await connect(host.unixUri);
        const { net } = await client.networkDefineXml({ xml: LIVE_NETWORK_XML });
        await client.networkCreate({ net });
        const { pool } = await client.storagePoolDefineXml({
            xml: `<pool type='dir'><name>${POOL}</name><target><path>${POOL_DIR}</path></target></pool>`,
            flags: 0,
        });
        await client.storagePoolCreate({ pool, flags: 0 });
        await client.storageVolCreateXml({
            pool,
            xml: `<volume><name>data.raw</name><capacity unit='MiB'>8</capacity><target><format type='raw'/></target></volume>`,
            flags: 0,
        });
    });

    after(async () => {
        await client?.close();
    });

    cases.forEach((c, index) => {
        test(c.label, async (t) => {
            const model = modelOf(index, c);
            const xml = domainToXml(model);
            written.set(`${index}: ${c.label}`, xml);
            if (model.type === "kvm" && !host.kvm) {
                t.skip("no usable /dev/kvm on this host: libvirt refuses type kvm");
                return;
            }
            const flags = VirDomainDefineFlags.VIR_DOMAIN_DEFINE_VALIDATE;
            if (c.refused) {
                const error = await client.domainDefineXmlFlags({ xml, flags }).then(
                    () => undefined,
                    (e: unknown) => e as Error,
                );
                assert.ok(error, `libvirt accepted a model this table says it refuses:\n${xml}`);
                assert.match(error.message, c.refused);
                t.diagnostic(`refused as expected: ${error.message}`);
                counts.refused++;
                return;
            }
            let dom: RemoteNonnullDomain | undefined;
            try {
                ({ dom } = await client.domainDefineXmlFlags({ xml, flags }));
                counts.defined++;
                const inactive = (await client.domainGetXmlDesc({ dom, flags: INACTIVE })).xml;
                assertNoDrift(inactive, model, "inactive XML through our client");
                assertNoDrift(
                    virsh(["dumpxml", "--inactive", "--security-info", model.name]),
                    model,
                    "virsh dumpxml --inactive",
                );
                // Merging the same model into libvirt's own document and defining that changes nothing.
                await client.domainDefineXmlFlags({ xml: mergeDomain(inactive, model, model), flags });
                const redefined = (await client.domainGetXmlDesc({ dom, flags: INACTIVE })).xml;
                assert.deepEqual(domainFromXml(redefined), domainFromXml(inactive), "the merge changed the domain");
                assertNoDrift(redefined, model, "inactive XML after defining the merge");
                if (c.start) {
                    await client.domainCreateWithFlags({ dom, flags: 0 });
                    counts.started++;
                    const live = (await client.domainGetXmlDesc({ dom, flags: LIVE })).xml;
                    assertNoDrift(live, model, "live XML through our client");
                    assertNoDrift(virsh(["dumpxml", "--security-info", model.name]), model, "virsh dumpxml (live)");
                    // The persistent configuration is unchanged by the start.
                    assertNoDrift(
                        (await client.domainGetXmlDesc({ dom, flags: INACTIVE })).xml,
                        model,
                        "inactive XML of the running domain",
                    );
                }
            } finally {
                if (dom) {
                    if (c.start) await client.domainDestroy({ dom }).catch(() => undefined);
                    await client.domainUndefineFlags({ dom, flags: UNDEFINE_ALL });
                }
            }
        });
    });

    test("every written document validates against domain.rng", (t) => {
        assert.equal(written.size, cases.length, "the cases ran first");
        assert.deepEqual(relaxngFailures(written), {});
        t.diagnostic(
            `live zero-drift table: ${cases.length} models; ${counts.defined} defined, ${counts.started} started, ${counts.refused} refused by libvirt as documented`,
        );
    });

    test("the table uses every enum value of the model", () => {
        const used = new Set<string>();
        const walk = (value: unknown, path: string): void => {
            if (Array.isArray(value)) for (const item of value) walk(item, path);
            else if (value !== null && typeof value === "object") {
                for (const [key, field] of Object.entries(value)) walk(field, path ? `${path}.${key}` : key);
            } else used.add(`${path}=${String(value)}`);
        };
        for (const [index, c] of cases.entries()) walk(modelOf(index, c), "");
        const missing = Object.entries(modelledEnums()).flatMap(([path, options]) =>
            options.filter((option) => !used.has(`${path}=${option}`)).map((option) => `${path}=${option}`),
        );
        assert.deepEqual(missing, []);
    });

    test("each case removed its domain (virsh agrees)", () => {
        assert.deepEqual(listNames("domain", DOMLIVE_PREFIX), []);
        assert.match(virsh(["net-info", LIVE_NETWORK]), new RegExp(`Bridge:\\s+${LIVE_NETWORK_BRIDGE}`));
    });
});
