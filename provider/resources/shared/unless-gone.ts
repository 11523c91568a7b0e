/**
 * Reads of an object that may be gone: libvirt's "no such ..." error (told by its code, as the
 * caller's test says) becomes undefined; every other error passes through.
 */
import { LibvirtError } from "../../rpc";

/** Runs `read`; undefined when it fails with a LibvirtError that `isGone` accepts. */
export async function unlessGone<T>(
    read: () => Promise<T>,
    isGone: (error: LibvirtError) => boolean,
): Promise<T | undefined> {
    try {
        return await read();
    } catch (error) {
        if (LibvirtError.isInstance(error) && isGone(error)) return undefined;
        throw error;
    }
}
