/**
 * libvirt's own test documents (../shared/corpus): every network, pool and volume that libvirtd 9.0
 * accepted must read without throwing, keep what the model does not cover, read back identically
 * after model → XML → model, and the XML we write must validate against libvirt's RelaxNG schemas.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyChanges } from "../../../provider/model/change-policy";
import { isElement, parseTree, type XElement } from "../../../provider/xml/tree";
import { networkFromXml, networkToXml } from "../../../provider/xml/network";
import { storagePoolFromXml, storagePoolToXml } from "../../../provider/xml/storage-pool";
import { volumeFromXml, volumeToXml } from "../../../provider/xml/volume";
import { acceptedCorpusPaths, readCorpusFile } from "../../helpers/shared-paths";
import { assertValidXml, type SCHEMA_FILES } from "./relaxng";

interface DocumentKind {
    schema: keyof typeof SCHEMA_FILES;
    folders: RegExp;
    read: (xml: string) => unknown;
    write: (model: never) => string;
    /** Element paths the reader drops on purpose (live facts), and the reason. */
    dropped: RegExp[];
    /** Attributes the reader rewrites into another spelling (netmask → prefix), keyed `path@name`. */
    rewritten: RegExp[];
}

const kinds: DocumentKind[] = [
    {
        schema: "network",
        folders: /\/networkxml2xml(in|out|updateout)\//,
        read: networkFromXml,
        write: networkToXml as (model: never) => string,
        dropped: [],
        rewritten: [/^network@connections$/, /\/ip@(netmask|family)$/],
    },
    {
        schema: "storagePool",
        folders: /\/storagepoolxml2xml(in|out)\//,
        read: storagePoolFromXml,
        write: storagePoolToXml as (model: never) => string,
        dropped: [/^pool\/source$/, /\/freeExtent(@|$)/],
        rewritten: [/\/permissions\/(owner|group)$/],
    },
    {
        schema: "volume",
        folders: /\/storagevolxml2xml(in|out)\//,
        read: (xml) => volumeFromXml(xml),
        write: volumeToXml as (model: never) => string,
        dropped: [/\/timestamps(\/|$)/, /^volume\/source$/],
        rewritten: [/\/permissions\/(owner|group)$/],
    },
];

/** Counts element paths and attribute names of a document, so a rewrite can be checked for losses. */
function inventory(element: XElement, path: string, counts: Map<string, number>): Map<string, number> {
    const here = path === "" ? element.name : `${path}/${element.name}`;
    counts.set(here, (counts.get(here) ?? 0) + 1);
    for (const name of Object.keys(element.attrs))
        counts.set(`${here}@${name}`, (counts.get(`${here}@${name}`) ?? 0) + 1);
    for (const child of element.children) if (isElement(child)) inventory(child, here, counts);
    return counts;
}

/** Asserts that every element and attribute of the original survives in the rewritten document. */
function assertNothingLost(original: string, rewritten: string, kind: DocumentKind): void {
    const before = inventory(parseTree(original), "", new Map());
    const after = inventory(parseTree(rewritten), "", new Map());
    for (const [key, count] of before) {
        if (kind.dropped.some((pattern) => pattern.test(key)) || kind.rewritten.some((pattern) => pattern.test(key)))
            continue;
        assert.ok(
            (after.get(key) ?? 0) >= count,
            `${key} appears ${count} times in the original, ${after.get(key) ?? 0} after rewriting`,
        );
    }
}

const accepted = acceptedCorpusPaths();

for (const kind of kinds) {
    const paths = accepted.filter((path) => kind.folders.test(path));

    test(`corpus ${kind.schema}: ${paths.length} accepted documents read, keep everything, round-trip and validate`, async (t) => {
        assert.ok(paths.length > 0, "no corpus documents found; is ../shared/corpus present?");
        let roundTripped = 0;
        for (const path of paths) {
            await t.test(path, () => {
                const original = readCorpusFile(path);
                const model = kind.read(original);
                const written = kind.write(model as never);
                assert.deepEqual(kind.read(written), model, "model → XML → model is not the identity");
                assertNothingLost(original, written, kind);
                assertValidXml(written, kind.schema, path);
                roundTripped++;
            });
        }
        t.diagnostic(`${kind.schema}: ${paths.length} read, ${roundTripped} round-tripped, 0 skipped`);
    });
}

test("corpus: every accepted document is either modelled here or belongs to another kind", () => {
    const others = accepted.filter(
        (path) => !kinds.some((kind) => kind.folders.test(path)) && !path.includes("/networkxml2xmlupdatein/"),
    );
    for (const path of others) assert.match(path, /\/(qemuxml2|genericxml2|domainschemadata|secretxml2)/, path);
});

/**
 * Pairs where libvirt's output differs from its input for a reason the model cannot hide, each
 * with the changed paths expected.
 */
const explainedRewrites: Record<string, { paths: string[]; why: string }> = {
    "storagepoolxml2xml/pool-logical-create.xml": {
        paths: ["target.path"],
        why: "libvirt replaces a logical pool's target path with /dev/<volume group>",
    },
};

const pairedKinds = [
    { kind: "network", folder: "networkxml2xml", read: networkFromXml },
    { kind: "storagePool", folder: "storagepoolxml2xml", read: storagePoolFromXml },
    { kind: "volume", folder: "storagevolxml2xml", read: (xml: string) => volumeFromXml(xml) },
] as const;

test("corpus: what libvirt rewrites (input → its output) is not a change", async (t) => {
    const acceptedSet = new Set(accepted);
    let pairs = 0;
    for (const { kind, folder, read } of pairedKinds) {
        for (const input of accepted.filter((path) => path.includes(`/${folder}in/`))) {
            const output = input.replace(`/${folder}in/`, `/${folder}out/`);
            if (!acceptedSet.has(output)) continue;
            pairs++;
            await t.test(input, () => {
                // Old: what libvirt stored. New: what the user wrote. Nothing should need applying.
                const changes = classifyChanges(kind, read(readCorpusFile(output)), read(readCorpusFile(input)));
                const key = `${folder}/${input.split("/").pop()}`;
                const expected = explainedRewrites[key]?.paths ?? [];
                assert.deepEqual(
                    changes.map((change) => change.path),
                    expected,
                    JSON.stringify(changes, null, 1),
                );
            });
        }
    }
    t.diagnostic(`${pairs} input/output pairs compared`);
});
