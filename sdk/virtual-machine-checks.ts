/**
 * The VirtualMachine's argument checks: plain values are checked in the constructor, before any
 * child is registered; values known only later (Outputs) go through the same functions inside the
 * gate that every child waits for (virtual-machine.ts). Each message names the field, the value
 * and the fix. The pool check is the component's only libvirt call.
 */
import { resolve } from "node:path";
import { checkHostname, checkSshPublicKey } from "../provider/cloudinit";
import { connect, LibvirtError } from "../provider/rpc";

/** A failed argument check: the message is what the user sees. */
export class VirtualMachineArgError extends Error {
    constructor(vm: string, problems: readonly string[]) {
        super(`VirtualMachine '${vm}': ${problems.join("; ")}`);
        this.name = "VirtualMachineArgError";
    }
}

/** Where the base image comes from, after the checks. */
export type ImageLocation = {
    /** A local path or an http(s) URL of the image. */
    url: string;
    /** The image's sha256, hex: checked after the download; required for plain http. */
    sha256?: string;
};

const SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * The image rule: a local path (made absolute), an https URL (a sha256 is advised, not required:
 * TLS already authenticates the server), or a plain http URL, which must name its sha256 (nothing
 * else would notice a tampered or truncated download).
 */
export function checkImage(image: string | ImageLocation): { location?: ImageLocation; problem?: string } {
    const { url, sha256 } = typeof image === "string" ? { url: image, sha256: undefined } : image;
    if (sha256 !== undefined && !SHA256.test(sha256)) {
        return { problem: `image.sha256 ${JSON.stringify(sha256)} is not a sha256: give 64 hex digits` };
    }
    if (/^http:\/\//i.test(url)) {
        if (sha256 === undefined) {
            return {
                problem: `image ${JSON.stringify(url)} is a plain http URL without a sha256: give { url, sha256 } (sha256sum of the image) or an https URL`,
            };
        }
        return { location: { url, sha256: sha256.toLowerCase() } };
    }
    if (/^https:\/\//i.test(url)) return { location: { url, sha256: sha256?.toLowerCase() } };
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
        return { problem: `image ${JSON.stringify(url)}: only local paths and http(s) URLs can be uploaded` };
    }
    if (url.trim() === "") return { problem: "image is empty: give a local path, an http(s) URL or a Volume" };
    return { location: { url: resolve(url), sha256: sha256?.toLowerCase() } };
}

/** Problems of the SSH keys; each names its index. */
export function sshKeyProblems(keys: readonly string[]): string[] {
    return keys
        .map((key, i) => (typeof key === "string" ? checkSshPublicKey(`sshAuthorizedKeys[${i}]`, key) : undefined))
        .filter((p): p is string => p !== undefined);
}

/** A hostname problem, or undefined. */
export function hostnameProblem(field: string, name: string): string | undefined {
    return checkHostname(field, name);
}

const USER = /^[a-z_][a-z0-9_-]{0,31}$/;

/** A user name problem (the portable POSIX user names that useradd accepts), or undefined. */
export function userProblem(user: string): string | undefined {
    if (USER.test(user)) return undefined;
    return `user ${JSON.stringify(user)} is not a user name: use lower-case letters, digits, '_' and '-', starting with a letter or '_', at most 32 characters`;
}

/**
 * Fails unless the pool exists on the host: a separate short connection, closed at once, so that
 * a preview reports a missing pool before anything is planned to be created.
 */
export async function assertPoolExists(vm: string, uri: string, pool: string): Promise<void> {
    const client = await connect(uri);
    try {
        await client.storagePoolLookupByName({ name: pool });
    } catch (error) {
        if (LibvirtError.isInstance(error) && error.isNoStoragePool()) {
            throw new VirtualMachineArgError(vm, [
                `pool ${JSON.stringify(pool)} does not exist on ${uri}: create it first (a StoragePool, or virsh pool-define-as) or name an existing one (virsh pool-list --all)`,
            ]);
        }
        throw error;
    } finally {
        await client.close().catch(() => undefined);
    }
}
