/**
 * The libvirt side of a CloudInit: the seed image uploaded into a new raw volume through the RPC
 * stream (the volume is removed again when the upload fails), and the volume's content read back
 * to tell whether it is still the image that was uploaded.
 */
import { createHash } from "node:crypto";
import { Readable, Writable } from "node:stream";
import type { RemoteNonnullStorageVol } from "../../rpc";
import { volumeToXml } from "../../xml/volume";
import { changePool, type PoolHandle, readVolumeState, type VolumeState } from "../volume/libvirt";
import { deleteOnFailure } from "../volume/rollback";

/**
 * Creates the raw volume `name` holding exactly `image` and returns its state. Allocation 0: libvirt
 * would otherwise reserve (and zero) the whole capacity before the upload overwrites it.
 */
export async function uploadSeedVolume(handle: PoolHandle, name: string, image: Buffer): Promise<VolumeState> {
    const xml = volumeToXml({ name, capacity: image.length, allocation: 0, target: { format: "raw" } });
    const { vol } = await changePool(handle, () =>
        handle.client.storageVolCreateXml({ pool: handle.pool, xml, flags: 0 }),
    );
    return deleteOnFailure(handle, vol, async () => {
        const sent = await handle.client.upload(vol, Readable.from([image]), {
            length: image.length,
            total: image.length,
        });
        if (sent !== image.length) throw new Error(`the upload sent ${sent} of the image's ${image.length} bytes`);
        return await readVolumeState(handle.client, vol);
    });
}

/** sha256 (hex) of a volume's first `length` bytes, downloaded through the RPC stream. */
export async function volumeSha256(
    handle: Pick<PoolHandle, "client">,
    vol: RemoteNonnullStorageVol,
    length: number,
): Promise<string> {
    const hash = createHash("sha256");
    const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            done();
        },
    });
    await handle.client.download(vol, sink, { offset: 0, length });
    return hash.digest("hex");
}
