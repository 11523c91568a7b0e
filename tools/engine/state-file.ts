/**
 * Loads and saves the emulator's JSON state between runs (the role of Pulumi's checkpoint). As in
 * Pulumi's checkpoint, a secret is stored encrypted: `{ <sig>: <secret sig>, ciphertext }`, never
 * its value. The key is the stack's own, in `<state file>.key` (mode 0600, made on the first save;
 * like a passphrase, without it the secrets of the state cannot be read). The state file itself is
 * written with mode 0600: it names hosts, paths and everything else about the stack.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import type { StateFile, StateResource } from "./types";
import { isObject, isSecret, makeSecret, SECRET_SIG, SIG_KEY } from "./values";

const CIPHER = "aes-256-gcm";
const FORMAT = "v1";
const PRIVATE = 0o600;

/** The stack's secrets key: read from `<state>.key`, or made there when `create` is set. */
function secretsKey(statePath: string, create: boolean): Buffer | undefined {
    const keyPath = `${statePath}.key`;
    if (existsSync(keyPath)) return Buffer.from(readFileSync(keyPath, "utf8").trim(), "hex");
    if (!create) return undefined;
    const key = randomBytes(32);
    mkdirSync(dirname(keyPath), { recursive: true });
    writeFileSync(keyPath, `${key.toString("hex")}\n`, { mode: PRIVATE, flag: "wx" });
    return key;
}

function encrypt(value: unknown, key: Buffer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(CIPHER, key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value ?? null), "utf8"), cipher.final()]);
    return [FORMAT, iv, cipher.getAuthTag(), data]
        .map((part) => (typeof part === "string" ? part : part.toString("base64")))
        .join(":");
}

function decrypt(ciphertext: string, key: Buffer, where: string): unknown {
    const [format, iv, tag, data] = ciphertext.split(":");
    if (format !== FORMAT || iv === undefined || tag === undefined || data === undefined)
        throw new Error(`${where}: a secret in an unknown format`);
    try {
        const decipher = createDecipheriv(CIPHER, key, Buffer.from(iv, "base64"));
        decipher.setAuthTag(Buffer.from(tag, "base64"));
        const text = Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
        return JSON.parse(text);
    } catch {
        throw new Error(`${where}: a secret cannot be decrypted with ${where}.key (the wrong key?)`);
    }
}

/** Replaces every secret's value by its ciphertext (recursively: a secret inside a secret stays one value). */
function sealSecrets(v: unknown, key: () => Buffer): unknown {
    if (isSecret(v)) return { [SIG_KEY]: SECRET_SIG, ciphertext: encrypt(v.value, key()) };
    if (Array.isArray(v)) return v.map((x) => sealSecrets(x, key));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sealSecrets(x, key)]));
    return v;
}

/** The reverse: ciphertexts back to secrets holding their values (in memory only). */
function openSecrets(v: unknown, key: () => Buffer, where: string): unknown {
    if (isObject(v) && v[SIG_KEY] === SECRET_SIG && typeof v.ciphertext === "string")
        return makeSecret(decrypt(v.ciphertext, key(), where));
    if (Array.isArray(v)) return v.map((x) => openSecrets(x, key, where));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, openSecrets(x, key, where)]));
    return v;
}

export function loadState(path: string, project: string, stack: string): StateFile {
    if (!existsSync(path)) return { version: 1, project, stack, resources: [] };
    const state = JSON.parse(readFileSync(path, "utf8")) as StateFile;
    if (state.version !== 1) throw new Error(`${path}: unsupported state version ${String(state.version)}`);
    if (state.project !== project || state.stack !== stack)
        throw new Error(`${path} holds stack ${state.project}/${state.stack}, not ${project}/${stack}`);
    const key = () => {
        const found = secretsKey(path, false);
        if (!found) throw new Error(`${path} holds secrets, but its key ${path}.key is missing`);
        return found;
    };
    return openSecrets(state, key, path) as StateFile;
}

/**
 * One resource's sealed JSON as it stands in the file (UTF-8), kept while the resource object and every
 * one of its top-level fields stay the same objects (the steps replace a resource's fields, never edit
 * them in place). The emulator writes the whole state after every step, as the engine writes its
 * checkpoints: sealing, formatting and encoding every unchanged resource again made that cost grow with
 * the square of the stack (1.7 s of a 4.2 s create of 50 volumes and domains; each resource carries its
 * provider's code twice, in `inputs` and `outputs`, about 10 kB).
 */
interface SealedResource {
    path: string;
    fields: [string, unknown][];
    bytes: Buffer;
}
const sealedResources = new WeakMap<StateResource, SealedResource>();

/** The resource's element of `resources` in `JSON.stringify(state, null, 2)`. */
function resourceBytes(path: string, r: StateResource, key: () => Buffer): Buffer {
    const fields = Object.entries(r);
    const cached = sealedResources.get(r);
    if (
        cached?.path === path &&
        cached.fields.length === fields.length &&
        cached.fields.every(([k, v], i) => fields[i]![0] === k && fields[i]![1] === v)
    )
        return cached.bytes;
    const bytes = Buffer.from(JSON.stringify(sealSecrets(r, key), null, 2).replace(/\n/g, "\n    "));
    sealedResources.set(r, { path, fields, bytes });
    return bytes;
}

/**
 * The file's content: `JSON.stringify(sealed state, null, 2)` and a newline, each resource's part from
 * resourceBytes. The top-level `"resources": []` placeholder is found by its two-space indent: only
 * the top level's keys have it (a string value cannot hold a raw newline).
 */
function stateParts(path: string, state: StateFile): Buffer[] {
    let key: Buffer | undefined;
    const keyFor = () => {
        key ??= secretsKey(path, true)!;
        return key;
    };
    const skeleton = JSON.stringify(sealSecrets({ ...state, resources: [] }, keyFor), null, 2);
    if (!state.resources.length) return [Buffer.from(`${skeleton}\n`)];
    const placeholder = '\n  "resources": []';
    const at = skeleton.indexOf(placeholder);
    const separator = Buffer.from(",\n    ");
    const parts: Buffer[] = [Buffer.from(`${skeleton.slice(0, at)}\n  "resources": [\n    `)];
    for (const [i, r] of state.resources.entries()) {
        if (i) parts.push(separator);
        parts.push(resourceBytes(path, r, keyFor));
    }
    parts.push(Buffer.from(`\n  ]${skeleton.slice(at + placeholder.length)}\n`));
    return parts;
}

/** Writes through a temporary file (mode 0600) so an interrupted run never leaves half a state behind. */
export function saveState(path: string, state: StateFile): void {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, Buffer.concat(stateParts(path, state)), { mode: PRIVATE });
    // The mode given applies only to a new file; a leftover temporary file keeps its own.
    chmodSync(tmp, PRIVATE);
    renameSync(tmp, path);
}

/** saveState without blocking the event loop: the steps' checkpoints (one at a time: see group-commit.ts). */
export async function saveStateAsync(path: string, state: StateFile): Promise<void> {
    // The content first: it is the state as it stands now, whatever the steps do while the file is written.
    mkdirSync(dirname(path), { recursive: true });
    const parts = stateParts(path, state);
    const tmp = `${path}.tmp-${process.pid}`;
    // The parts go out as they are (one writev), not copied into one buffer first: at 400 resources
    // the file is about 6 MB, and a step's checkpoint asks for it again while the previous one is written.
    const file = await open(tmp, "w", PRIVATE);
    try {
        const { bytesWritten } = await file.writev(parts);
        const total = parts.reduce((sum, part) => sum + part.length, 0);
        if (bytesWritten !== total) throw new Error(`${tmp}: wrote ${bytesWritten} of ${total} bytes`);
        await file.chmod(PRIVATE);
    } finally {
        await file.close();
    }
    await rename(tmp, path);
}
