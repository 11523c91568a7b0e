import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
    compareLevelOneNames,
    type IsoFile,
    IsoInputError,
    levelOneNames,
    writeIsoImage,
} from "../../../provider/cloudinit/iso9660";
import { imageFile, runTool, runXorriso } from "./iso-tools";

/** Bytes that differ from sector to sector, so a misplaced extent shows. */
function patterned(length: number, seed: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = (i * 31 + seed + (i >> 11)) & 0xff;
    return out;
}

const SEED_FILES: IsoFile[] = [
    { name: "user-data", data: Buffer.from("#cloud-config\nhostname: iso-test\n") },
    { name: "meta-data", data: Buffer.from("instance-id: iid-1\nlocal-hostname: iso-test\n") },
    { name: "network-config", data: patterned(1 << 20, 7) }, // 512 sectors
    { name: "vendor-data", data: Buffer.alloc(0) },
];

/** `name size` pairs of the files an `isoinfo -l` listing shows (after `.` and `..`). */
function isoinfoListing(listing: string): string[] {
    return listing
        .split("\n")
        .filter((line) => /^-/.test(line))
        .map((line) => {
            const fields = line.trim().split(/\s+/);
            return `${fields.at(-1)} ${fields[4]}`;
        })
        .sort();
}

const EXPECTED_LISTING = SEED_FILES.map((f) => `${f.name} ${f.data.length}`).sort();

test("isoinfo sees a cidata volume with Joliet and Rock Ridge, and the exact lower-case names through both", () => {
    const file = imageFile(writeIsoImage({ volumeId: "cidata", files: SEED_FILES }));
    try {
        const descriptors = runTool("isoinfo", ["-d", "-i", file.path]);
        assert.match(descriptors, /^Volume id: cidata$/m);
        assert.match(descriptors, /Joliet with UCS level 3 found/);
        assert.match(descriptors, /Rock Ridge signatures version 1 found/);
        assert.match(descriptors, /^Logical block size is: 2048$/m);
        const sectors = Number(/^Volume size is: (\d+)$/m.exec(descriptors)?.[1]);
        assert.equal(sectors * 2048, readFileSync(file.path).length, "the volume size covers the whole image");

        const rock = runTool("isoinfo", ["-R", "-l", "-i", file.path]);
        assert.deepEqual(isoinfoListing(rock), EXPECTED_LISTING);
        assert.match(rock, /^-r--r--r-- .* user-data\s*$/m, "Rock Ridge modes: files read-only for all");
        assert.deepEqual(isoinfoListing(runTool("isoinfo", ["-J", "-l", "-i", file.path])), EXPECTED_LISTING);
        // The plain ISO 9660 tree only has 8.3 names: what a reader without extensions would see.
        assert.deepEqual(
            isoinfoListing(runTool("isoinfo", ["-l", "-i", file.path])).map((l) => l.split(" ")[0]),
            ["META_DAT.;1", "NETWORK_.;1", "USER_DAT.;1", "VENDOR_D.;1"],
        );
        for (const f of SEED_FILES) {
            for (const tree of ["-R", "-J"]) {
                const content = execBuffer(["isoinfo", tree, "-i", file.path, "-x", `/${f.name}`]);
                assert.ok(content.equals(f.data), `isoinfo ${tree} -x /${f.name} gives the file's bytes`);
            }
        }
    } finally {
        file.cleanup();
    }
});

/** A reader's raw output (file content), after runTool has shown the reader is installed. */
function execBuffer(argv: string[]): Buffer {
    return execFileSync(argv[0]!, argv.slice(1), { maxBuffer: 64 << 20 });
}

test("xorriso finds and extracts every file byte for byte and reports no problem with the image", () => {
    const file = imageFile(writeIsoImage({ volumeId: "cidata", files: SEED_FILES }));
    try {
        const found = runXorriso(["-indev", file.path, "-find", "/", "-type", "f"]);
        assert.deepEqual(found.stdout.trim().split("\n").sort(), [
            "'/meta-data'",
            "'/network-config'",
            "'/user-data'",
            "'/vendor-data'",
        ]);
        assert.match(found.report, /Volume id\s*:\s*'cidata'/);
        const out = join(file.dir, "out");
        const extracted = runXorriso(["-indev", file.path, "-osirrox", "on", "-extract", "/", out]);
        for (const report of [found.report, extracted.report]) {
            assert.doesNotMatch(report, /WARNING|SORRY|FAILURE|FATAL|MISHAP/, report);
        }
        for (const f of SEED_FILES) {
            assert.ok(readFileSync(join(out, f.name)).equals(f.data), `${f.name} extracted intact`);
        }
    } finally {
        file.cleanup();
    }
});

test("blkid identifies the image as iso9660 labelled cidata", () => {
    const file = imageFile(writeIsoImage({ volumeId: "cidata", files: SEED_FILES }));
    try {
        const fields = runTool("blkid", ["-p", "-o", "export", file.path]);
        assert.match(fields, /^LABEL=cidata$/m);
        assert.match(fields, /^TYPE=iso9660$/m);
    } finally {
        file.cleanup();
    }
});

test("identical content gives byte-identical images whatever the file order; any change gives another image", () => {
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    const first = writeIsoImage({ volumeId: "cidata", files: SEED_FILES });
    const second = writeIsoImage({ volumeId: "cidata", files: [...SEED_FILES].reverse() });
    assert.equal(sha(first), sha(second));
    assert.equal(first.length % 2048, 0);
    const changedByte = SEED_FILES.map((f) =>
        f.name === "user-data" ? { ...f, data: Buffer.from("#cloud-config\nhostname: iso-tesT\n") } : f,
    );
    assert.notEqual(sha(writeIsoImage({ volumeId: "cidata", files: changedByte })), sha(first));
    assert.notEqual(sha(writeIsoImage({ volumeId: "CIDATA", files: SEED_FILES })), sha(first));
});

test("a root directory spanning several sectors is read back whole (records never cross a sector)", () => {
    // 60 long names: about 130 bytes per record in each tree, so both directories take 4+ sectors.
    const files = Array.from({ length: 60 }, (_, i) => ({
        name: `file-with-a-rather-long-name-number-${String(i).padStart(2, "0")}.yaml`,
        data: patterned(100 + i * 997, i),
    }));
    const file = imageFile(writeIsoImage({ volumeId: "many", files }));
    try {
        const expected = files.map((f) => `${f.name} ${f.data.length}`).sort();
        assert.deepEqual(isoinfoListing(runTool("isoinfo", ["-R", "-l", "-i", file.path])), expected);
        assert.deepEqual(isoinfoListing(runTool("isoinfo", ["-J", "-l", "-i", file.path])), expected);
        const out = join(file.dir, "out");
        runXorriso(["-indev", file.path, "-osirrox", "on", "-extract", "/", out]);
        for (const f of files) assert.ok(readFileSync(join(out, f.name)).equals(f.data), f.name);
    } finally {
        file.cleanup();
    }
});

test("level-1 names are unique 8.3 d-character names even when long names share a prefix", () => {
    assert.deepEqual(levelOneNames(["user-data", "user-data-2", "user-data-3", "a.b.yaml", "x"]), [
        "USER_DAT.;1",
        "USER_DA1.;1",
        "USER_DA2.;1",
        "A_B.YAM;1",
        "X.;1",
    ]);
});

test("the primary tree is in ECMA-119 order of its 8.3 names, which can differ from the real names' order", () => {
    // "a-b" < "a.b" as names, but their identifiers sort the other way: "A.B;1" before "A_B.;1".
    const files = [
        { name: "a-b", data: Buffer.from("dash") },
        { name: "a.b", data: Buffer.from("dot") },
    ];
    assert.deepEqual(levelOneNames(["a-b", "a.b"]), ["A_B.;1", "A.B;1"]);
    assert.ok(compareLevelOneNames("A.B;1", "A_B.;1") < 0);
    const file = imageFile(writeIsoImage({ volumeId: "order", files }));
    try {
        const plain = runTool("isoinfo", ["-l", "-i", file.path]);
        assert.ok(plain.indexOf("A.B;1") < plain.indexOf("A_B.;1"), plain);
        const out = join(file.dir, "out");
        runXorriso(["-indev", file.path, "-osirrox", "on", "-extract", "/", out]);
        for (const f of files) assert.ok(readFileSync(join(out, f.name)).equals(f.data), f.name);
    } finally {
        file.cleanup();
    }
});

test("names and labels the image cannot hold are refused, naming the value and what is allowed", () => {
    const data = Buffer.from("x");
    const cases: [string, () => unknown, RegExp][] = [
        [
            "slash",
            () => writeIsoImage({ volumeId: "cidata", files: [{ name: "a/b", data }] }),
            /"a\/b".*letters, digits/,
        ],
        ["dot-dot", () => writeIsoImage({ volumeId: "cidata", files: [{ name: "..", data }] }), /"\.\."/],
        [
            "twice",
            () =>
                writeIsoImage({
                    volumeId: "cidata",
                    files: [
                        { name: "a", data },
                        { name: "a", data },
                    ],
                }),
            /appears twice/,
        ],
        ["long", () => writeIsoImage({ volumeId: "cidata", files: [{ name: "n".repeat(65), data }] }), /1-64/],
        ["label", () => writeIsoImage({ volumeId: "my seed", files: [] }), /volumeId "my seed".*1-16/],
        ["label length", () => writeIsoImage({ volumeId: "x".repeat(17), files: [] }), /1-16/],
    ];
    for (const [what, write, message] of cases) {
        assert.throws(write, (e: unknown) => e instanceof IsoInputError && message.test(e.message), what);
    }
});
