/**
 * The libvirt secret behind a Volume's `passphrase`: made before the volume (qemu reads the key
 * from it when it formats LUKS), private (libvirt never hands the value back), persistent (a
 * guest needs it at every start), and removed with the volume.
 */
import { randomUUID } from "node:crypto";
import { LibvirtError, type LibvirtClient } from "../../rpc";
import { privateSecretXml } from "../../xml/secret";

/**
 * Defines a secret holding `passphrase` and returns its UUID. If setting the value fails, the
 * secret is undefined again, so nothing is left behind.
 */
export async function createPassphraseSecret(
    client: LibvirtClient,
    pool: string,
    volume: string,
    passphrase: string,
): Promise<string> {
    const uuid = randomUUID();
    const { secret } = await client.secretDefineXml({
        xml: privateSecretXml(uuid, `pulumi-libvirt: LUKS passphrase of volume ${volume} in pool ${pool}`),
    });
    try {
        await client.secretSetValue({ secret, value: Buffer.from(passphrase, "utf8") });
    } catch (error) {
        await client.secretUndefine({ secret }).catch(() => undefined);
        throw error;
    }
    return uuid;
}

/** Removes the secret; one already gone is fine. */
export async function removePassphraseSecret(client: LibvirtClient, uuid: string): Promise<void> {
    try {
        const { secret } = await client.secretLookupByUuid({ uuid: Buffer.from(uuid.replaceAll("-", ""), "hex") });
        await client.secretUndefine({ secret });
    } catch (error) {
        if (LibvirtError.isInstance(error) && error.isNoSecret()) return;
        throw error;
    }
}
