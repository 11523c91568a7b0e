import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { TlsSettings } from "../uri";

/** libvirt's system-wide client credentials (used by root, and as fallback for other users). */
export const SYSTEM_CA_DIR = "/etc/pki/CA";
export const SYSTEM_PKI_DIR = "/etc/pki/libvirt";
/** Per-user credentials directory, relative to the home directory. */
export const USER_PKI_SUBDIR = join(".pki", "libvirt");

const CA_FILE = "cacert.pem";
const CRL_FILE = "cacrl.pem";
const CERT_FILE = "clientcert.pem";
const KEY_FILE = "clientkey.pem";
const PRIVATE_SUBDIR = "private";

/** Where the client's TLS credentials are read from. The CRL is optional. */
export interface TlsFilePaths {
    readonly ca: string;
    readonly cert: string;
    readonly key: string;
    readonly crl: string;
}

export interface TlsIdentity {
    readonly isRoot: boolean;
    readonly home: string;
}

/** The identity of this process, for choosing system or per-user credentials. */
export function currentTlsIdentity(): TlsIdentity {
    return { isRoot: process.getuid?.() === 0, home: homedir() };
}

/**
 * libvirt's lookup: `?pkipath=DIR` holds all files flat; root uses the system directories; other
 * users use ~/.pki/libvirt/ file by file, falling back to the system file when theirs is missing.
 */
export function tlsFilePaths(
    settings: TlsSettings,
    identity: TlsIdentity = currentTlsIdentity(),
    exists: (path: string) => boolean = existsSync,
): TlsFilePaths {
    if (settings.pkiPath !== undefined) {
        const dir = settings.pkiPath;
        return {
            ca: join(dir, CA_FILE),
            cert: join(dir, CERT_FILE),
            key: join(dir, KEY_FILE),
            crl: join(dir, CRL_FILE),
        };
    }
    const system: TlsFilePaths = {
        ca: join(SYSTEM_CA_DIR, CA_FILE),
        cert: join(SYSTEM_PKI_DIR, CERT_FILE),
        key: join(SYSTEM_PKI_DIR, PRIVATE_SUBDIR, KEY_FILE),
        crl: join(SYSTEM_CA_DIR, CRL_FILE),
    };
    if (identity.isRoot) return system;
    const userDir = join(identity.home, USER_PKI_SUBDIR);
    const pick = (file: string, fallback: string) => {
        const mine = join(userDir, file);
        return exists(mine) ? mine : fallback;
    };
    return {
        ca: pick(CA_FILE, system.ca),
        cert: pick(CERT_FILE, system.cert),
        key: pick(KEY_FILE, system.key),
        crl: pick(CRL_FILE, system.crl),
    };
}

export interface TlsCredentials {
    readonly ca: Buffer;
    readonly cert: Buffer;
    readonly key: Buffer;
    readonly crl?: Buffer;
}

/** A required credential file could not be read. */
export class TlsFileMissing extends Error {
    constructor(
        readonly path: string,
        readonly role: string,
        cause: unknown,
    ) {
        super(`${role} ${path} cannot be read`, { cause });
    }
}

async function readRequired(path: string, role: string): Promise<Buffer> {
    try {
        return await readFile(path);
    } catch (error) {
        throw new TlsFileMissing(path, role, error);
    }
}

export async function loadTlsCredentials(paths: TlsFilePaths): Promise<TlsCredentials> {
    const [ca, cert, key] = await Promise.all([
        readRequired(paths.ca, "CA certificate"),
        readRequired(paths.cert, "client certificate"),
        readRequired(paths.key, "client key"),
    ]);
    const crl = await readFile(paths.crl).catch(() => undefined);
    return { ca, cert, key, crl };
}
