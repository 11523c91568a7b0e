/**
 * A writer of small ISO 9660 images holding files in the root directory, in pure TypeScript: what
 * a NoCloud seed needs. Every file appears under its exact name twice: through Rock Ridge in the
 * primary tree (what Linux reads first) and through Joliet (what other readers use); the primary
 * tree's own names are level-1 8.3 names that only exist to satisfy ECMA-119.
 *
 * Images are reproducible: the same label and files (in any order) give the same bytes, because
 * every date in the image is one fixed moment and the layout depends only on names and sizes.
 *
 * Layout, in 2048-byte sectors: 0-15 system area (zeros); 16 primary volume descriptor; 17 Joliet
 * supplementary volume descriptor; 18 terminator; 19-22 the path tables (primary L and M, Joliet
 * L and M); the primary root directory; the Joliet root directory; the files' data.
 */
import {
    encodeUcs2,
    type IsoDate,
    SECTOR_SIZE,
    sectorsFor,
    writeAscii,
    writeBoth16,
    writeBoth32,
    writeDescriptorDate,
    writeRecordDate,
    writeUcs2,
} from "./iso9660-fields";
import { fileSystemUse, rootParentSystemUse, rootSelfSystemUse } from "./iso9660-rock-ridge";

/** One file of the image's root directory. */
export interface IsoFile {
    /** The name readers see (Rock Ridge and Joliet): letters, digits, `.`, `_`, `-`; at most 64. */
    name: string;
    data: Uint8Array;
}

export interface IsoImage {
    /** The volume label (`blkid` LABEL): letters, digits, `_`, `-`; at most 16 characters. */
    volumeId: string;
    files: readonly IsoFile[];
}

/** The moment written into every date field: fixed so that identical content gives identical images. */
export const IMAGE_DATE: IsoDate = { year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 0 };

const FILE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const VOLUME_ID = /^[A-Za-z0-9_-]{1,16}$/;
const FIRST_DESCRIPTOR_SECTOR = 16;
const PATH_TABLE_SIZE = 10; // one record: the root
const FLAG_DIRECTORY = 0x02;

/** Thrown for input the image cannot represent; the message names the field, the value and the fix. */
export class IsoInputError extends Error {
    override name = "IsoInputError";
}

interface PlacedFile {
    name: string;
    isoName: string;
    data: Uint8Array;
    extent: number;
}

/** Writes the image; throws IsoInputError for a label or file name it cannot hold. */
export function writeIsoImage(image: IsoImage): Buffer {
    if (!VOLUME_ID.test(image.volumeId)) {
        throw new IsoInputError(
            `volumeId ${JSON.stringify(image.volumeId)} is not a volume label this writer supports: use 1-16 letters, digits, '_' or '-'`,
        );
    }
    const files = checkedFiles(image.files);
    const isoNames = levelOneNames(files.map((f) => f.name));

    const primaryRecords = primaryDirectoryRecords(files, isoNames);
    const jolietRecords = jolietDirectoryRecords(files);
    const primaryRootSector = FIRST_DESCRIPTOR_SECTOR + 7;
    const primaryRootSectors = directorySectors(primaryRecords.map((r) => r.length));
    const jolietRootSector = primaryRootSector + primaryRootSectors;
    const jolietRootSectors = directorySectors(jolietRecords.map((r) => r.length));

    // Files in name order, each starting on its own sector; an empty file takes no sector.
    let next = jolietRootSector + jolietRootSectors;
    const placed: PlacedFile[] = files.map((f, i) => {
        const extent = f.data.length === 0 ? 0 : next;
        next += sectorsFor(f.data.length);
        return { name: f.name, isoName: isoNames[i]!, data: f.data, extent };
    });
    const totalSectors = next;

    const out = Buffer.alloc(totalSectors * SECTOR_SIZE);
    const primaryRoot = { extent: primaryRootSector, size: primaryRootSectors * SECTOR_SIZE };
    const jolietRoot = { extent: jolietRootSector, size: jolietRootSectors * SECTOR_SIZE };
    const sector = (n: number) => n * SECTOR_SIZE;

    writeVolumeDescriptor(out, sector(16), {
        kind: "primary",
        volumeId: image.volumeId,
        totalSectors,
        root: primaryRoot,
        pathTables: [19, 20],
    });
    writeVolumeDescriptor(out, sector(17), {
        kind: "joliet",
        volumeId: image.volumeId,
        totalSectors,
        root: jolietRoot,
        pathTables: [21, 22],
    });
    writeTerminator(out, sector(18));
    writePathTables(out, sector(19), sector(20), primaryRootSector);
    writePathTables(out, sector(21), sector(22), jolietRootSector);
    writeDirectory(out, sector(primaryRootSector), primaryDirectoryRecords(placed, isoNames, primaryRoot));
    writeDirectory(out, sector(jolietRootSector), jolietDirectoryRecords(placed, jolietRoot));
    for (const f of placed) if (f.data.length > 0) out.set(f.data, sector(f.extent));
    return out;
}

function checkedFiles(files: readonly IsoFile[]): IsoFile[] {
    const seen = new Set<string>();
    for (const f of files) {
        if (!FILE_NAME.test(f.name) || f.name === "." || f.name === "..") {
            throw new IsoInputError(
                `file name ${JSON.stringify(f.name)} is not supported: use 1-64 letters, digits, '.', '_' or '-' (files live in the root directory)`,
            );
        }
        if (seen.has(f.name))
            throw new IsoInputError(`file name ${JSON.stringify(f.name)} appears twice: give each file its own name`);
        seen.add(f.name);
        if (f.data.length > 0xffffffff)
            throw new IsoInputError(`file ${f.name} is larger than 4 GiB, which ISO 9660 cannot record`);
    }
    // ECMA-119 wants records in identifier order; Joliet's UCS-2 order is the same as this one.
    return [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Unique level-1 identifiers (`NAME.EXT;1`, d-characters only) for the primary tree. */
export function levelOneNames(names: readonly string[]): string[] {
    const used = new Set<string>();
    return names.map((name) => {
        const dot = name.lastIndexOf(".");
        const clean = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
        const base = clean(dot > 0 ? name.slice(0, dot) : name).slice(0, 8);
        const ext = dot > 0 ? clean(name.slice(dot + 1)).slice(0, 3) : "";
        let candidate = `${base}.${ext}`;
        for (let n = 1; used.has(candidate); n++) {
            const suffix = String(n);
            candidate = `${base.slice(0, 8 - suffix.length)}${suffix}.${ext}`;
        }
        used.add(candidate);
        return `${candidate};1`;
    });
}

interface Extent {
    extent: number;
    size: number;
}

function directoryRecord(target: Extent, flags: number, identifier: Buffer, systemUse?: Buffer): Buffer {
    const idPad = identifier.length % 2 === 0 ? 1 : 0;
    const suLength = systemUse?.length ?? 0;
    let length = 33 + identifier.length + idPad + suLength;
    length += length % 2; // a record's length is even
    if (length > 255)
        throw new IsoInputError(`a directory record for ${identifier.toString("latin1")} would exceed 255 bytes`);
    const rec = Buffer.alloc(length);
    rec[0] = length;
    rec[1] = 0; // no extended attribute record
    writeBoth32(rec, 2, target.extent);
    writeBoth32(rec, 10, target.size);
    writeRecordDate(rec, 18, IMAGE_DATE);
    rec[25] = flags;
    rec[26] = 0; // not interleaved
    rec[27] = 0;
    writeBoth16(rec, 28, 1); // volume sequence number
    rec[32] = identifier.length;
    identifier.copy(rec, 33);
    systemUse?.copy(rec, 33 + identifier.length + idPad);
    return rec;
}

const SELF = Buffer.from([0]);
const PARENT = Buffer.from([1]);
const NO_EXTENT: Extent = { extent: 0, size: 0 };

function fileExtent(f: { data: Uint8Array; extent?: number }): Extent {
    return { extent: f.extent ?? 0, size: f.data.length };
}

function primaryDirectoryRecords(
    files: readonly (IsoFile & { extent?: number })[],
    isoNames: readonly string[],
    root: Extent = NO_EXTENT,
): Buffer[] {
    // This tree is ordered by its own 8.3 identifiers, which need not sort like the real names.
    const order = files.map((_, i) => i).sort((x, y) => compareLevelOneNames(isoNames[x]!, isoNames[y]!));
    return [
        directoryRecord(root, FLAG_DIRECTORY, SELF, rootSelfSystemUse()),
        directoryRecord(root, FLAG_DIRECTORY, PARENT, rootParentSystemUse()),
        ...order.map((i) =>
            directoryRecord(
                fileExtent(files[i]!),
                0,
                Buffer.from(isoNames[i]!, "latin1"),
                fileSystemUse(files[i]!.name),
            ),
        ),
    ];
}

/**
 * ECMA-119 9.3 order: by name, then by extension, each compared as if padded with spaces, which
 * sort below every d-character; so a plain comparison of the parts is the same order.
 */
export function compareLevelOneNames(a: string, b: string): number {
    const parts = (id: string) => id.replace(/;1$/, "").split(".") as [string, string];
    const [nameA, extA] = parts(a);
    const [nameB, extB] = parts(b);
    if (nameA !== nameB) return nameA < nameB ? -1 : 1;
    return extA === extB ? 0 : extA < extB ? -1 : 1;
}

function jolietDirectoryRecords(files: readonly (IsoFile & { extent?: number })[], root: Extent = NO_EXTENT): Buffer[] {
    return [
        directoryRecord(root, FLAG_DIRECTORY, SELF),
        directoryRecord(root, FLAG_DIRECTORY, PARENT),
        ...files.map((f) => directoryRecord(fileExtent(f), 0, encodeUcs2(f.name))),
    ];
}

/** Sectors a directory takes: records are packed in order and never cross a sector boundary. */
function directorySectors(recordLengths: readonly number[]): number {
    let sectors = 1;
    let used = 0;
    for (const length of recordLengths) {
        if (used + length > SECTOR_SIZE) {
            sectors++;
            used = 0;
        }
        used += length;
    }
    return sectors;
}

function writeDirectory(out: Buffer, offset: number, records: readonly Buffer[]): void {
    let sectorStart = offset;
    let used = 0;
    for (const rec of records) {
        if (used + rec.length > SECTOR_SIZE) {
            sectorStart += SECTOR_SIZE;
            used = 0;
        }
        rec.copy(out, sectorStart + used);
        used += rec.length;
    }
}

interface Descriptor {
    kind: "primary" | "joliet";
    volumeId: string;
    totalSectors: number;
    root: Extent;
    /** Sectors of the L (little-endian) and M (big-endian) path tables. */
    pathTables: [number, number];
}

/** A primary (type 1) or Joliet supplementary (type 2) volume descriptor (ECMA-119 8.4 and 8.5). */
function writeVolumeDescriptor(out: Buffer, offset: number, d: Descriptor): void {
    const joliet = d.kind === "joliet";
    const text = (at: number, length: number, value: string) =>
        joliet ? writeUcs2(out, offset + at, length, value) : writeAscii(out, offset + at, length, value);
    out[offset] = joliet ? 2 : 1;
    out.write("CD001", offset + 1, "latin1");
    out[offset + 6] = 1;
    text(8, 32, ""); // system identifier
    text(40, 32, d.volumeId);
    writeBoth32(out, offset + 80, d.totalSectors);
    if (joliet) out.write("%/E", offset + 88, "latin1"); // UCS-2 level 3
    writeBoth16(out, offset + 120, 1); // volume set size
    writeBoth16(out, offset + 124, 1); // volume sequence number
    writeBoth16(out, offset + 128, SECTOR_SIZE);
    writeBoth32(out, offset + 132, PATH_TABLE_SIZE);
    out.writeUInt32LE(d.pathTables[0], offset + 140);
    out.writeUInt32BE(d.pathTables[1], offset + 148);
    directoryRecord(d.root, FLAG_DIRECTORY, SELF).copy(out, offset + 156);
    text(190, 128, ""); // volume set identifier
    text(318, 128, ""); // publisher
    text(446, 128, ""); // data preparer
    text(574, 128, ""); // application
    text(702, 37, ""); // copyright file
    text(739, 37, ""); // abstract file
    text(776, 37, ""); // bibliographic file
    writeDescriptorDate(out, offset + 813, IMAGE_DATE); // creation
    writeDescriptorDate(out, offset + 830, IMAGE_DATE); // modification
    writeDescriptorDate(out, offset + 847, undefined); // expiration
    writeDescriptorDate(out, offset + 864, undefined); // effective
    out[offset + 881] = 1; // file structure version
}

function writeTerminator(out: Buffer, offset: number): void {
    out[offset] = 255;
    out.write("CD001", offset + 1, "latin1");
    out[offset + 6] = 1;
}

/** The L and M path tables of a tree whose only directory is the root. */
function writePathTables(out: Buffer, lOffset: number, mOffset: number, rootSector: number): void {
    for (const [offset, littleEndian] of [
        [lOffset, true],
        [mOffset, false],
    ] as const) {
        out[offset] = 1; // identifier length
        out[offset + 1] = 0;
        if (littleEndian) {
            out.writeUInt32LE(rootSector, offset + 2);
            out.writeUInt16LE(1, offset + 6);
        } else {
            out.writeUInt32BE(rootSector, offset + 2);
            out.writeUInt16BE(1, offset + 6);
        }
        out[offset + 8] = 0; // the root's identifier, then one byte of padding
    }
}
