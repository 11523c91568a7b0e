/**
 * Rock Ridge (RRIP 1.10 on SUSP 1.10): the System Use entries that give the primary tree's records
 * their real names and POSIX modes. Linux's isofs prefers Rock Ridge over Joliet, but only once it
 * has seen an `ER` entry in the root's `.` record; without it, a disc that also has Joliet is read
 * through Joliet instead.
 */
import { writeBoth32 } from "./iso9660-fields";

const RRIP_ID = "RRIP_1991A";
const RRIP_DESCRIPTOR = "ROCK RIDGE 1.10: POSIX NAMES AND MODES";
const RRIP_SOURCE = "PULUMI-LIBVIRT NOCLOUD SEED WRITER";

/** POSIX file type and permission bits as PX stores them. */
export const MODE_DIRECTORY = 0o040555;
export const MODE_FILE = 0o100444;

function entry(signature: string, body: Buffer): Buffer {
    const out = Buffer.alloc(4 + body.length);
    out.write(signature, 0, "latin1");
    out[2] = out.length;
    out[3] = 1; // entry version
    body.copy(out, 4);
    return out;
}

/** SP: marks SUSP as in use; must be the first entry of the root's `.` record. */
function sp(): Buffer {
    // Check bytes 0xBE 0xEF, then LEN_SKP 0: System Use areas start right after the padding.
    return entry("SP", Buffer.from([0xbe, 0xef, 0]));
}

/** ER: names the extension (RRIP); what makes Linux choose Rock Ridge. */
function er(): Buffer {
    const id = Buffer.from(RRIP_ID, "latin1");
    const descriptor = Buffer.from(RRIP_DESCRIPTOR, "latin1");
    const source = Buffer.from(RRIP_SOURCE, "latin1");
    const header = Buffer.from([id.length, descriptor.length, source.length, 1]);
    return entry("ER", Buffer.concat([header, id, descriptor, source]));
}

/** PX: mode, link count, owner 0, group 0 (RRIP 1.10 layout, without the serial number). */
function px(mode: number, links: number): Buffer {
    const body = Buffer.alloc(32);
    writeBoth32(body, 0, mode);
    writeBoth32(body, 8, links);
    writeBoth32(body, 16, 0);
    writeBoth32(body, 24, 0);
    return entry("PX", body);
}

/** NM: the file's real name, complete in this one entry (flags 0). */
function nm(name: string): Buffer {
    const bytes = Buffer.from(name, "utf8");
    return entry("NM", Buffer.concat([Buffer.from([0]), bytes]));
}

/** System Use of the root directory's own `.` record. */
export function rootSelfSystemUse(): Buffer {
    return Buffer.concat([sp(), px(MODE_DIRECTORY, 2), er()]);
}

/** System Use of a `..` (or another `.`) record of the root. */
export function rootParentSystemUse(): Buffer {
    return px(MODE_DIRECTORY, 2);
}

/** System Use of a regular file's record. */
export function fileSystemUse(name: string): Buffer {
    return Buffer.concat([px(MODE_FILE, 1), nm(name)]);
}
