/**
 * Fresh SSH public keys for the tests that put keys into cloud-init seeds (unit checks, the seed
 * test, the real-engine CloudInit test): each call makes a new key, so no key is kept in the repo.
 */
import { generateKeyPairSync } from "node:crypto";

/** An OpenSSH public key line for a fresh ed25519 key: string "ssh-ed25519", string of 32 bytes. */
export function ed25519PublicKey(comment = "lab@test"): string {
    const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
    return `ssh-ed25519 ${blob.toString("base64")} ${comment}`;
}
