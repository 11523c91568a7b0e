/**
 * DomainSnapshot decisions that need no daemon: check's failures (each naming the field, the value
 * and the fix), the plan sent to libvirt (document and flags) with its refusals, the domain facts
 * read from a domain's XML, and diff's classes.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { VirDomainSnapshotCreateFlags as F } from "../../../provider/rpc/generated";
import { type DomainSnapshotArgs, domainSnapshotArgsSchema } from "../../../provider/resources/domain-snapshot/args";
import { type DomainFacts, domainFacts } from "../../../provider/xml/domain-facts";
import { domainSnapshotHandler as handler } from "../../../provider/resources/domain-snapshot/handler";
import { planSnapshot, SnapshotPlanError } from "../../../provider/resources/domain-snapshot/plan";
import type { Properties } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";

let restore: () => void;
before(() => {
    restore = setLogSink(() => undefined);
});
after(() => restore());

async function failures(news: Properties): Promise<{ property: string; reason: string }[]> {
    const result = await handler.check({}, { namePrefix: "snap", domain: "vm1", ...news });
    return (result.failures ?? []) as { property: string; reason: string }[];
}

test("check autonames like every kind, keeps the name across updates, and asks for the domain", async () => {
    const first = await handler.check({}, { namePrefix: "nightly", domain: "vm1" });
    assert.deepEqual(first.failures ?? [], []);
    assert.match(first.inputs?.name as string, /^nightly-[0-9a-f]{7}$/);
    const again = await handler.check(first.inputs as Properties, { namePrefix: "nightly", domain: "vm1" });
    assert.equal(again.inputs?.name, first.inputs?.name);
    const missing = await handler.check({}, { namePrefix: "nightly" });
    assert.deepEqual(
        missing.failures?.map((f) => f.property),
        ["domain"],
    );
    assert.match(missing.failures?.[0]?.reason ?? "", /missing/);
});

test("check refuses combinations libvirt cannot take, naming the field, the value and the fix", async () => {
    const cases: Array<[Properties, string, RegExp]> = [
        [{ memory: true }, "memory", /internal snapshot holds the memory.*set kind: "external"/],
        [{ kind: "external", memoryFile: "/images/m" }, "memoryFile", /only when memory: true/],
        [{ memoryFile: "/images/m" }, "memoryFile", /belongs to an external snapshot/],
        [
            { disks: [{ target: "vda", overlay: "/images/o.qcow2" }] },
            "disks[0].overlay",
            /lives inside the disk's qcow2 image.*"\/images\/o\.qcow2".*set kind: "external"/,
        ],
        [{ quiesce: true }, "quiesce", /only for a disk-only snapshot.*or remove quiesce/],
        [{ kind: "external", memory: true, quiesce: true }, "quiesce", /disk-only/],
        [
            { kind: "external", disks: [{ target: "vda" }, { target: "vda", exclude: true }] },
            "disks[1].target",
            /vda is listed twice/,
        ],
        [
            { kind: "external", disks: [{ target: "vdb", exclude: true, overlay: "/images/o" }] },
            "disks[0].overlay",
            /excluded, so it gets no overlay/,
        ],
        [{ kind: "external", disks: [{ target: "vda", overlay: "images/o" }] }, "disks[0].overlay", /absolute/],
        [{ kind: "snapshot" }, "kind", /internal|external/],
        [{ revertTriger: 1 }, "revertTriger", /did you mean 'revertTrigger'/],
        [{ name: "a/b" }, "name", /contains '\/'/],
    ];
    for (const [news, property, reason] of cases) {
        const found = await failures(news);
        assert.equal(found.length, 1, `${JSON.stringify(news)}: ${JSON.stringify(found)}`);
        assert.equal(found[0]!.property, property, JSON.stringify(news));
        assert.match(found[0]!.reason, reason, JSON.stringify(news));
    }
    assert.deepEqual(
        await failures({ kind: "external", quiesce: true, disks: [{ target: "vdb", exclude: true }] }),
        [],
    );
    assert.deepEqual(await failures({ kind: "external", memory: true, memoryFile: "/images/m" }), []);
});

const DOMAIN_XML = `<domain type='qemu'><name>vm1</name><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/images/vm1.qcow2'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/images/seed.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0' state='connected'/></channel>
</devices></domain>`;

test("domain facts: disks with their images and formats, and whether a guest agent is connected", () => {
    const facts = domainFacts(DOMAIN_XML);
    assert.deepEqual(facts.disks, [
        { target: "vda", device: "disk", source: "/images/vm1.qcow2", format: "qcow2", readOnly: false },
        { target: "hdc", device: "cdrom", source: "/images/seed.iso", format: "raw", readOnly: true },
    ]);
    assert.equal(facts.agentChannel, true);
    assert.equal(facts.agentConnected, true);
    const disconnected = domainFacts(DOMAIN_XML.replace("state='connected'", "state='disconnected'"));
    assert.equal(disconnected.agentConnected, false);
    assert.equal(domainFacts("<domain><name>x</name></domain>").agentChannel, false);
});

function args(news: Properties): DomainSnapshotArgs {
    return domainSnapshotArgsSchema.parse({ domain: "vm1", ...news });
}

const FACTS: DomainFacts = domainFacts(DOMAIN_XML);
const NO_AGENT: DomainFacts = { ...FACTS, agentChannel: false, agentConnected: false };

test("the plan: what each kind asks libvirt for", () => {
    const internal = planSnapshot(args({ description: "d" }), "s1", FACTS, true);
    assert.deepEqual(internal, { document: { name: "s1", description: "d" }, flags: 0 });

    const leftOut = planSnapshot(args({ disks: [{ target: "hdc", exclude: true }] }), "s1", FACTS, false);
    assert.deepEqual(leftOut.document.disks, [{ name: "hdc", snapshot: "no" }], "a read-only disk may be left out");
    const externalLeftOut = planSnapshot(
        args({ kind: "external", disks: [{ target: "vda", exclude: true }] }),
        "s1",
        FACTS,
        true,
    );
    assert.deepEqual(externalLeftOut.document.disks, [{ name: "vda", snapshot: "no" }]);

    const diskOnly = planSnapshot(
        args({ kind: "external", disks: [{ target: "vda", overlay: "/images/vm1.s2" }] }),
        "s2",
        FACTS,
        true,
    );
    assert.deepEqual(diskOnly.document, {
        name: "s2",
        memory: { snapshot: "no" },
        disks: [{ name: "vda", snapshot: "external", type: "file", source: "/images/vm1.s2" }],
    });
    assert.equal(diskOnly.flags, F.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | F.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC);

    const withMemory = planSnapshot(args({ kind: "external", memory: true }), "s3", FACTS, true);
    assert.deepEqual(withMemory.document.memory, { snapshot: "external", file: "/images/vm1-s3.mem" });
    assert.equal(withMemory.flags, F.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC);
    const memoryFile = planSnapshot(
        args({ kind: "external", memory: true, memoryFile: "/big/vm1.mem" }),
        "s3",
        FACTS,
        true,
    );
    assert.equal(memoryFile.document.memory?.file, "/big/vm1.mem");

    const quiesced = planSnapshot(args({ kind: "external", quiesce: true }), "s4", FACTS, true);
    assert.equal(
        quiesced.flags,
        F.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY |
            F.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC |
            F.VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE,
    );
});

test("the plan refuses what the domain cannot give, before libvirt is asked", () => {
    const refused = (news: Properties, facts: DomainFacts, running: boolean, property: string, reason: RegExp) => {
        assert.throws(
            () => planSnapshot(args(news), "s", facts, running),
            (error: unknown) =>
                error instanceof SnapshotPlanError && error.property === property && reason.test(error.message),
            JSON.stringify(news),
        );
    };
    const quiesce = { kind: "external", quiesce: true };
    refused(quiesce, NO_AGENT, true, "quiesce", /has no org\.qemu\.guest_agent\.0 channel.*or remove quiesce/);
    refused(
        quiesce,
        { ...FACTS, agentConnected: false },
        true,
        "quiesce",
        /channel is not connected \(no agent answers in the guest\)/,
    );
    refused(quiesce, FACTS, false, "quiesce", /is not running; start it, or remove quiesce/);
    refused({ kind: "external", memory: true }, FACTS, false, "memory", /is not running; start it, or remove memory/);
    refused(
        { disks: [{ target: "vdz", exclude: true }] },
        FACTS,
        true,
        "disks",
        /has no disk vdz \(its disks: vda, hdc\)/,
    );
    refused(
        { disks: [{ target: "vda", exclude: true }] },
        FACTS,
        true,
        "disks",
        /internal snapshot covers every writable disk \(libvirt refuses to leave vda out.*set kind: "external"/,
    );
    refused(
        { kind: "external", memory: true },
        { ...FACTS, disks: [] },
        true,
        "memoryFile",
        /no disk image whose folder could hold the memory state; set memoryFile/,
    );
});

test("diff: the description and revertTrigger change in place, what the snapshot holds takes a new one", async () => {
    const olds: Properties = {
        domain: "vm1",
        name: "s1",
        namePrefix: "s",
        description: "a",
        revertTrigger: 1,
        uri: "qemu:///system",
        creationTime: "2026-12-07T05:16:47.000Z",
        state: "running",
    };
    const diff = (news: Properties) => handler.diff("vm1/s1", olds, { ...olds, ...news });
    assert.deepEqual(await diff({ description: "b" }), { changes: true });
    assert.deepEqual(await diff({ revertTrigger: 2 }), { changes: true });
    assert.deepEqual(await diff({ quiesce: true }), { changes: true });
    assert.deepEqual(await diff({ kind: "internal" }), { changes: false }, "the default spelled out is no change");
    assert.deepEqual(await diff({ memory: false }), { changes: false });
    const external = await diff({ kind: "external" });
    assert.deepEqual(external.replaces, ["kind"]);
    assert.equal(external.deleteBeforeReplace, true, "an explicit name is kept: the old snapshot goes first");
    assert.deepEqual((await diff({ domain: "vm2" })).replaces, ["domain"]);
    const autonamed = await handler.diff(
        "vm1/s-1234567",
        { ...olds, name: "s-1234567" },
        {
            ...olds,
            name: "s-1234567",
            disks: [{ target: "vdb", exclude: true }],
        },
    );
    assert.deepEqual(autonamed.replaces, ["disks"]);
    assert.equal(autonamed.deleteBeforeReplace, undefined, "an automatic name is fresh on replacement");
});
