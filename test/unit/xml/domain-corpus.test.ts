/**
 * libvirt's own domain test documents (the ones libvirtd 9.0 accepted): each is read into the
 * model without throwing; merging that model back into the document changes nothing (every
 * unmodelled part is kept); writing the model alone and reading it again gives the same model;
 * and every document written from a model validates against domain.rng.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Domain } from "../../../provider/model/domain";
import { domainFromXml, domainToXml, mergeDomain, unmodelledParts } from "../../../provider/xml/domain";
import { parseTree } from "../../../provider/xml/tree";
import { acceptedCorpusPaths, CORPUS_ROOT, readCorpusFile } from "../../helpers/shared-paths";
import { relaxngFailures } from "./domain-relaxng";

const domainFolders =
    /^libvirt-tests\/tests\/(qemuxml2argvdata|qemuxml2xmloutdata|genericxml2xml\w*|domainschemadata)\//;
const paths = acceptedCorpusPaths().filter((path) => domainFolders.test(path));

const models = new Map<string, Domain>();
const written = new Map<string, string>();

test("the corpus lists the accepted domain documents", () => {
    // 272 at the time of writing; a much smaller number means the corpus moved.
    assert.ok(paths.length >= 250, `only ${paths.length} domain documents found`);
});

for (const path of paths) {
    test(`corpus: ${path.replace("libvirt-tests/tests/", "")}`, () => {
        const xml = readCorpusFile(path);
        const model = domainFromXml(xml);
        models.set(path, model);
        assert.equal(typeof model.name, "string");

        // Re-emitting onto the document keeps everything: the tree is unchanged.
        const merged = mergeDomain(xml, model);
        assert.deepEqual(parseTree(merged, "domain"), parseTree(xml, "domain"), "merge of its own model changed it");

        // The model alone, written and read again, is the same model.
        const fresh = domainToXml(model);
        written.set(path, fresh);
        assert.deepEqual(domainFromXml(fresh), model, "model → XML → model");
    });
}

test("every model written from the corpus validates against domain.rng", () => {
    assert.equal(written.size, paths.length, "every corpus document was read first");
    assert.deepEqual(relaxngFailures(written), {});
});

test("the corpus exercises the model widely", () => {
    // Counts of documents whose model holds each part: guards against a reader that silently
    // stops understanding something (which the tests above would not notice).
    const count = (pick: (m: Domain) => unknown) =>
        [...models.values()].filter((m) => {
            const value = pick(m);
            return Array.isArray(value) ? value.length > 0 : value !== undefined;
        }).length;
    const coverage = {
        disks: count((m) => m.devices.disks),
        interfaces: count((m) => m.devices.interfaces),
        graphics: count((m) => m.devices.graphics),
        videos: count((m) => m.devices.videos),
        memballoon: count((m) => m.devices.memballoon),
        cpu: count((m) => m.cpu),
        cputune: count((m) => m.cputune),
        numatune: count((m) => m.numatune),
        memoryBacking: count((m) => m.memoryBacking),
        features: count((m) => m.features),
        clock: count((m) => m.clock),
        channels: count((m) => m.devices.channels),
        serials: count((m) => m.devices.serials),
        rngs: count((m) => m.devices.rngs),
        watchdogs: count((m) => m.devices.watchdogs),
    };
    for (const [part, documents] of Object.entries(coverage)) {
        assert.ok(documents > 0, `no corpus document has ${part} in its model`);
    }
});

test("unmodelled parts are listed (and the merges above kept every one of them)", (t) => {
    let documents = 0;
    let parts = 0;
    for (const path of paths) {
        const listed = unmodelledParts(readCorpusFile(path));
        if (listed.length > 0) documents++;
        parts += listed.length;
    }
    t.diagnostic(`${paths.length} documents read, ${documents} with ${parts} unmodelled parts, all kept`);
    assert.ok(documents > 0);
});

/**
 * libvirt's xml2xml tests pair each input with the document libvirt prints after parsing it
 * (units, defaults, machine versions, implicit devices and controllers added). Reading that
 * output against the model of the input must show no drift: this is the offline form of the
 * zero-drift check.
 */
const inputsFolder = "libvirt-tests/tests/qemuxml2argvdata/";
const outputsFolder = "libvirt-tests/tests/qemuxml2xmloutdata/";
const normalisedPairs = paths
    .filter((path) => path.startsWith(inputsFolder))
    .flatMap((input) => {
        const name = input.slice(inputsFolder.length).replace(/\.xml$/, "");
        return [`${name}.xml`, `${name}.x86_64-latest.xml`, `${name}-inactive.xml`]
            .map((output) => `${outputsFolder}${output}`)
            .filter((output) => existsSync(join(CORPUS_ROOT, output)))
            .map((output) => [input, output] as const);
    });

test("libvirt's normalised outputs pair with their inputs", () => {
    assert.ok(normalisedPairs.length >= 70, `only ${normalisedPairs.length} pairs`);
});

for (const [input, output] of normalisedPairs) {
    test(`no drift: ${output.slice(outputsFolder.length)} read as ${input.slice(inputsFolder.length)}`, () => {
        const declared = domainFromXml(readCorpusFile(input));
        assert.deepEqual(domainFromXml(readCorpusFile(output), { like: declared }), declared);
    });
}

/**
 * Merging a changed model into each real document (more memory, a title, one more virtio disk, a
 * NIC's link taken down) gives a document that reads back as that model and still validates,
 * with all the unmodelled parts around it.
 */
const changedMerges = new Map<string, string>();

for (const path of paths) {
    test(`merge a change into: ${path.replace("libvirt-tests/tests/", "")}`, () => {
        const xml = readCorpusFile(path);
        const model = domainFromXml(xml);
        const disks = model.devices.disks ?? [];
        const free = ["vdx", "vdy", "vdz"].find((dev) => !disks.some((d) => d.target.dev === dev))!;
        const changed: Domain = structuredClone(model);
        changed.memory = model.memory * 2;
        changed.title = "merged by the corpus test";
        changed.devices.disks = [
            ...disks,
            {
                device: "disk",
                source: { file: "/var/lib/libvirt/images/extra.qcow2" },
                target: { dev: free, bus: "virtio" },
            },
        ];
        if (changed.devices.interfaces?.[0]) changed.devices.interfaces[0].linkUp = false;
        const merged = mergeDomain(xml, changed, model);
        changedMerges.set(path, merged);
        assert.deepEqual(domainFromXml(merged), changed);
        assert.equal(unmodelledParts(merged).length, unmodelledParts(xml).length, "unmodelled parts kept");
    });
}

test("every merged corpus document validates against domain.rng", () => {
    assert.equal(changedMerges.size, paths.length, "the merges ran first");
    assert.deepEqual(relaxngFailures(changedMerges), {});
});
