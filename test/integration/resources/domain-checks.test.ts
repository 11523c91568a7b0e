/**
 * What the Domain's host rules out, found by check (so preview shows it) against the real
 * libvirtd's domain capabilities, cross-checked with `virsh domcapabilities`: the machine type's
 * vCPU ceiling and CPU models the hypervisor does not know. Create refuses them too, before the
 * define. Nothing is ever defined with a huge vCPU count: libvirtd 9.0 exits on `<vcpu>1000000000`.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { MAX_CPU } from "../../../provider/model/cpuset";
import { defaultPool } from "../../../provider/rpc";
import { UNKNOWN_VALUE } from "../../../provider/resources/shared/handler";
import type { Properties } from "../../../provider/resources/shared/handler";
import { loadTestHost } from "../../helpers/test-host";
import { listNames, removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";
import { handler } from "./domain-helpers";

const PREFIX = "pltest-domchk-";
const uri = loadTestHost().unixUri;

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    await defaultPool.closeAll();
});

function args(extra: Properties): Properties {
    return { uri, name: `${PREFIX}vm`, type: "qemu", memory: 64, running: false, ...extra };
}

/** `<vcpu max>` of the machine type, as virsh reports it. */
function virshMaxVcpus(machine: string): number {
    const xml = virsh(["domcapabilities", "--virttype", "qemu", "--machine", machine]);
    const match = /<vcpu max='(\d+)'\/>/.exec(xml);
    assert.ok(match, "virsh domcapabilities printed no <vcpu max>");
    return Number(match[1]);
}

test("a vCPU count above the machine type's ceiling fails at check, naming the ceiling and the machine", async () => {
    for (const machine of ["pc", "q35"]) {
        const max = virshMaxVcpus(machine);
        const over = await handler.check({}, args({ vcpu: max + 1, os: { machine } }));
        const failure = over.failures?.find((f) => f.property === "vcpu");
        assert.ok(failure, JSON.stringify(over.failures));
        assert.match(failure.reason, new RegExp(`${max + 1} vCPUs is more than the ${max} that machine type pc-`));
        assert.match(failure.reason, /domain capabilities/);
        const at = await handler.check({}, args({ vcpu: max, os: { machine } }));
        assert.deepEqual(at.failures ?? [], []);
    }
    const huge = await handler.check({}, args({ vcpu: 1e9 }));
    assert.match(huge.failures?.[0]?.reason ?? "", /1000000000 vCPUs is more than the \d+/);
});

test("a CPU model the hypervisor does not list fails at check; one it lists passes", async () => {
    const unknown = await handler.check({}, args({ cpu: { mode: "custom", model: "NoSuchModel" } }));
    const failure = unknown.failures?.find((f) => f.property === "cpu.model");
    assert.ok(failure, JSON.stringify(unknown.failures));
    assert.match(
        failure.reason,
        /'NoSuchModel' is unknown to machine type .* \(type qemu\) on qemu:\/\/\/system; choose one it lists as usable \(.*qemu64/,
    );
    assert.match(failure.reason, /host-model/);
    const domcaps = virsh(["domcapabilities", "--virttype", "qemu"]);
    assert.match(domcaps, /<model usable='yes'[^>]*>qemu64<\/model>/, "virsh lists qemu64 as usable");
    const known = await handler.check({}, args({ cpu: { mode: "custom", model: "qemu64" } }));
    assert.deepEqual(known.failures ?? [], []);
});

test("values unknown in preview are left to later; create refuses what the host rules out before defining", async () => {
    const preview = await handler.check({}, args({ vcpu: 100000, title: UNKNOWN_VALUE }));
    assert.deepEqual(preview.failures ?? [], [], "the host is asked only once every value is known");
    // create without check (as after a stale check): nothing is defined.
    await assert.rejects(
        handler.create(args({ vcpu: 1000 })),
        /the host refuses this declaration: vcpu: 1000 vCPUs is more than .* Nothing was created/,
    );
    await assert.rejects(
        handler.create(args({ cpu: { mode: "custom", model: "NoSuchModel" } })),
        /cpu\.model: the CPU model 'NoSuchModel' is unknown/,
    );
    assert.deepEqual(listNames("domain", PREFIX), []);
});

test("cpusets stop at the highest CPU number libvirt's bitmaps hold, as libvirtd itself does", async () => {
    // libvirtd first (virsh define, never started): the last number it takes, and the first it refuses.
    const defineWithCpuset = (cpuset: string) => {
        const file = `/tmp/${PREFIX}cpuset.xml`;
        writeFileSync(
            file,
            `<domain type='qemu'><name>${PREFIX}cpuset</name><memory unit='MiB'>64</memory><vcpu cpuset='${cpuset}'>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`,
        );
        try {
            return virshMaybe(["define", file]);
        } finally {
            rmSync(file, { force: true });
            virshMaybe(["undefine", `${PREFIX}cpuset`]);
        }
    };
    assert.notEqual(defineWithCpuset(String(MAX_CPU)), undefined, `libvirtd takes CPU ${MAX_CPU}`);
    assert.equal(defineWithCpuset(String(MAX_CPU + 1)), undefined, `libvirtd refuses CPU ${MAX_CPU + 1}`);
    // And check says so before anything is defined.
    assert.deepEqual(
        (await handler.check({}, args({ vcpu: { maximum: 1, cpuset: String(MAX_CPU) } }))).failures ?? [],
        [],
    );
    const refused = await handler.check({}, args({ vcpu: { maximum: 1, cpuset: `0-${MAX_CPU + 1}` } }));
    assert.match(
        refused.failures?.[0]?.reason ?? "",
        new RegExp(`CPU ${MAX_CPU + 1} in cpuset .* is above ${MAX_CPU}`),
    );
});
